package org.pathoreason.wsi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The slide files under a folder (and its sub-folders), found by slide id as benchmark files name them: a file
 * whose name without its extension is the id ({@code synth-slide-0000.tiff}), else the first, in name order, whose
 * name starts with the id and then a '.', '-' or '_' (a TCGA case {@code TCGA-LD-A74U} or slide barcode
 * {@code TCGA-05-4244-01Z-00-DX1} finds {@code TCGA-05-4244-01Z-00-DX1.F2D3...svs}). An id that is a path
 * ({@code slides/synth-slide-0000.tiff}) is looked up by its file name's stem.
 */
public final class SlideIndex {

    private static final Pattern SLIDE = Pattern.compile(".*\\.(svs|tif|tiff|ndpi|mrxs|scn|bif|vms|vmu|svslide)",
            Pattern.CASE_INSENSITIVE);

    private final Path dir;
    private final List<Path> files;

    private SlideIndex(Path dir, List<Path> files) {
        this.dir = dir;
        this.files = files;
    }

    /** Lists the slide files under {@code dir}. */
    public static SlideIndex of(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SlideException("--slides " + dir + " is not a folder");
        }
        try (Stream<Path> s = Files.walk(dir, 4)) {
            List<Path> files = s.filter(Files::isRegularFile).filter(p -> SLIDE.matcher(p.getFileName().toString())
                    .matches()).sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
            return new SlideIndex(dir, files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    public List<Path> files() {
        return files;
    }

    /** The slide file of {@code slideId}, or a {@link SlideException} naming the question and what was looked for. */
    public Path find(String slideId, String questionId) {
        String id = slideId.strip().replace('\\', '/');
        if (id.contains("/") || SLIDE.matcher(id).matches()) {
            // a path, as synthetic slide questions name their slide: its file name without the extension
            id = stem(Path.of(id.substring(id.lastIndexOf('/') + 1)));
        }
        for (Path f : files) {
            if (stem(f).equals(id)) {
                return f;
            }
        }
        String lower = id.toLowerCase(Locale.ROOT);
        for (Path f : files) {
            String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.length() > lower.length() && n.startsWith(lower) && ".-_".indexOf(n.charAt(lower.length())) >= 0) {
                return f;
            }
        }
        List<String> some = new ArrayList<>();
        for (Path f : files.subList(0, Math.min(3, files.size()))) {
            some.add(f.getFileName().toString());
        }
        throw new SlideException("question " + questionId + ": no slide file for '" + id + "' under " + dir
                + " (looked for " + id + ".* and " + id + "[.-_]*; " + files.size() + " slide files there"
                + (some.isEmpty() ? "" : ", e.g. " + String.join(", ", some)) + ")");
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }
}
