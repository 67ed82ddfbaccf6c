package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;

/**
 * A classification image folder ({@code root/<class>/.../*.png}), as zero-shot benchmarks such as NCT-CRC-HE are
 * laid out: each image becomes a sample whose label is its top-level folder. With 2 to 26 classes the sample is a
 * multiple-choice question over all class names (folder names with {@code _} read as spaces, sorted by folder
 * name); with more it is an {@code open} question whose answer is the class name.
 *
 * <p>Sample ids are the image path relative to the root with {@code /} separators (e.g. {@code ADI/img-001.png});
 * images are relative to the root; {@code subset} is the class folder, so per-subset accuracy is per-class recall;
 * {@code meta.label} is the folder name.
 */
public final class ImageFolderReader implements DatasetReader {

    /** File name endings read as images. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif");
    /** The question put to the model. */
    public static final String QUESTION = "Which tissue class does this image show?";

    @Override
    public List<Sample> read(Path root, ReadOptions options) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": not a folder; an image-folder dataset is a folder with one sub-folder "
                    + "per class");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        Map<String, List<Path>> byClass = new LinkedHashMap<>();
        for (Path dir : classDirs) {
            List<Path> images = images(dir);
            if (!images.isEmpty()) {
                byClass.put(dir.getFileName().toString(), images);
            }
        }
        if (byClass.size() < 2) {
            throw new DataException(root + ": found " + byClass.size() + " class folder(s) with images; expected at "
                    + "least 2 sub-folders holding " + IMAGE_EXTENSIONS + " files");
        }
        List<String> classNames = byClass.keySet().stream().map(ImageFolderReader::className).toList();
        boolean mcq = classNames.size() <= 26;
        List<Sample> samples = new ArrayList<>();
        int classIndex = 0;
        for (Map.Entry<String, List<Path>> e : byClass.entrySet()) {
            String label = e.getKey();
            for (Path image : e.getValue()) {
                String rel = root.relativize(image).toString().replace('\\', '/');
                Map<String, Object> meta = Map.of("label", label);
                if (mcq) {
                    samples.add(new Sample(rel, List.of(rel), QUESTION, classNames, Sample.letter(classIndex),
                            classNames.get(classIndex), null, null, null, Task.MCQ, label, meta));
                } else {
                    String name = classNames.get(classIndex);
                    samples.add(new Sample(rel, List.of(rel), QUESTION, List.of(), name, name, null, null, null,
                            Task.OPEN, label, meta));
                }
            }
            classIndex++;
        }
        return samples;
    }

    static String className(String folder) {
        return folder.replace('_', ' ').strip();
    }

    private static List<Path> images(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFolderReader::isImage).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".")
                && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
