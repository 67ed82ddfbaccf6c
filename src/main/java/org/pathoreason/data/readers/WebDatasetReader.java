package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * WebDataset tar shards: a {@code .tar} file, or a folder of them read in name order. Members are grouped by key
 * (the name up to its first dot, within its folder). A key with {@code KEY.json} is the canonical sample written
 * there ({@code data export --to webdataset}); one without is a caption pair as OpenCLIP's shards hold it: an
 * image and {@code KEY.txt} (or {@code .caption}), with {@code KEY.cls} as its subset when present. Images are
 * unpacked into a folder beside each shard ({@code shard-000000.tar} to {@code shard-000000/}, written whole, and
 * again only when the shard changes) so that samples name files, as every reader's samples do.
 */
public final class WebDatasetReader implements DatasetReader {

    private static final String STAMP = ".unpacked-from";
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "tif", "tiff", "bmp");

    @Override
    public List<Sample> read(Path input, ReadOptions options) {
        List<Path> shards = shards(input);
        Path base = Files.isDirectory(input) ? input : input.toAbsolutePath().getParent();
        List<Sample> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path shard : shards) {
            for (Sample s : readShard(shard, base)) {
                if (!ids.add(s.id())) {
                    throw new DataException(shard + ": duplicate sample id '" + s.id() + "'");
                }
                out.add(s);
            }
        }
        return out;
    }

    /** The shards of a file or folder, in name order. */
    static List<Path> shards(Path input) {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        try (Stream<Path> s = Files.list(input)) {
            List<Path> tars = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tar"))
                    .sorted().toList();
            if (tars.isEmpty()) {
                throw new DataException(input + ": no .tar shards in this folder");
            }
            return tars;
        } catch (IOException e) {
            throw new DataException(input + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** One member of a shard. */
    private record Member(String name, byte[] bytes) {
    }

    private static List<Sample> readShard(Path shard, Path base) {
        Map<String, List<Member>> byKey = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(shard));
             TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                String name = e.getName();
                int slash = name.lastIndexOf('/');
                int dot = name.indexOf('.', slash + 1);
                if (dot < 0) {
                    throw new DataException(shard + ": member '" + name + "' has no extension (expected KEY.EXT)");
                }
                byKey.computeIfAbsent(name.substring(0, dot), k -> new ArrayList<>())
                        .add(new Member(name, tar.readAllBytes()));
            }
        } catch (IOException e) {
            throw new DataException(shard + ": not a readable tar file (damaged or truncated?): " + e.getMessage(), e);
        }
        String stem = shard.getFileName().toString().replaceFirst("(?i)\\.tar$", "");
        Path unpacked = shard.toAbsolutePath().resolveSibling(stem);
        String prefix = base.toAbsolutePath().normalize().relativize(unpacked.normalize()).toString().replace('\\', '/');
        String stamp;
        try {
            stamp = Files.size(shard) + " " + Files.getLastModifiedTime(shard).toMillis() + "\n";
        } catch (IOException e) {
            throw new DataException(shard + ": cannot read: " + e.getMessage(), e);
        }
        if (!stamp.equals(readStamp(unpacked))) {
            AtomicFiles.writeFolder(unpacked, dir -> {
                Files.writeString(dir.resolve(STAMP), stamp, StandardCharsets.UTF_8);
                for (List<Member> members : byKey.values()) {
                    for (Member m : members) {
                        if (isImage(m.name())) {
                            Path f = dir.resolve(m.name()).normalize();
                            if (!f.startsWith(dir)) {
                                throw new DataException(shard + ": member '" + m.name() + "' points outside the shard");
                            }
                            Files.createDirectories(f.getParent());
                            Files.write(f, m.bytes());
                        }
                    }
                }
            });
        }
        List<Sample> out = new ArrayList<>();
        for (Map.Entry<String, List<Member>> k : byKey.entrySet()) {
            out.add(sample(shard, k.getKey(), k.getValue(), prefix));
        }
        return out;
    }

    /** What the unpacked folder was made from (size and time of the shard), so a rewritten shard is unpacked again. */
    private static String readStamp(Path unpacked) {
        try {
            return Files.readString(unpacked.resolve(STAMP), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isImage(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.contains(ext);
    }

    private static Sample sample(Path shard, String key, List<Member> members, String prefix) {
        Member json = null;
        String caption = null;
        String cls = null;
        List<String> images = new ArrayList<>();
        for (Member m : members) {
            String ext = m.name().substring(m.name().indexOf('.', m.name().lastIndexOf('/') + 1) + 1)
                    .toLowerCase(Locale.ROOT);
            if (ext.equals("json")) {
                json = m;
            } else if (ext.equals("txt") || ext.equals("caption")) {
                caption = new String(m.bytes(), StandardCharsets.UTF_8).strip();
            } else if (ext.equals("cls")) {
                cls = new String(m.bytes(), StandardCharsets.UTF_8).strip();
            } else if (isImage(m.name())) {
                images.add(prefix + "/" + m.name());
            }
        }
        if (json != null) {
            Sample s;
            try {
                s = Json.MAPPER.readValue(json.bytes(), Sample.class);
            } catch (JsonProcessingException e) {
                throw new DataException(shard + ": " + json.name() + ": malformed JSON: " + e.getOriginalMessage());
            } catch (IOException | NullPointerException e) {
                throw new DataException(shard + ": " + json.name() + ": not a canonical sample: " + e.getMessage());
            }
            List<String> located = new ArrayList<>();
            for (String member : s.images()) {
                located.add(prefix + "/" + member);
            }
            return new Sample(s.id(), located, s.question(), s.options(), s.answer(), s.answerText(), s.reasoning(),
                    s.caption(), s.entities(), s.task(), s.subset(), s.meta());
        }
        if (caption == null || images.isEmpty()) {
            throw new DataException(shard + ": key '" + key + "' has neither KEY.json nor an image with KEY.txt");
        }
        images.sort(null);
        return new Sample(key, images, "", List.of(), null, null, null, caption, List.of(), Task.CAPTION, cls,
                Map.of());
    }
}
