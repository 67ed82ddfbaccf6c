package org.pathoreason.data.export;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Canonical samples as WebDataset tar shards, what OpenCLIP and other streaming trainers read: per sample a key
 * (the id with every character but letters, digits, {@code -} and {@code _} made {@code _}, since WebDataset splits
 * names at the first dot) and, next to each other in the tar, {@code KEY.png} (or {@code .jpg}; further images as
 * {@code KEY.1.png}, ...), {@code KEY.txt} with the caption when there is one, and {@code KEY.json} with the whole
 * canonical sample, its {@code images} naming the members. Shards are {@code shard-000000.tar}, ... with
 * {@code samplesPerShard} samples each; the folder is written whole or not at all. PNG and JPEG images are stored as
 * they are, anything else ImageIO reads (TIFF, BMP) as PNG. Entries carry time 0, so the same samples give the
 * same bytes. {@code data.readers.WebDatasetReader} reads the shards back.
 */
public final class WebDatasetExport {

    private WebDatasetExport() {
    }

    /** The shard file names written, in order. */
    public record Result(List<String> shards, int samples) {
    }

    public static Result write(List<Sample> samples, Path imageBase, Path folder, int samplesPerShard) {
        if (samplesPerShard < 1) {
            throw new IllegalArgumentException("samples per shard must be >= 1, got " + samplesPerShard);
        }
        List<String> shards = new ArrayList<>();
        AtomicFiles.writeFolder(folder, tmp -> {
            Set<String> keys = new HashSet<>();
            for (int from = 0, n = 0; from < samples.size(); from += samplesPerShard, n++) {
                String name = String.format(Locale.ROOT, "shard-%06d.tar", n);
                List<Sample> part = samples.subList(from, Math.min(samples.size(), from + samplesPerShard));
                try (OutputStream out = Files.newOutputStream(tmp.resolve(name));
                     TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    for (Sample s : part) {
                        writeSample(tar, s, key(s.id(), keys), imageBase);
                    }
                    tar.finish();
                }
                shards.add(name);
            }
        });
        return new Result(shards, samples.size());
    }

    /** The WebDataset key of an id, unique among {@code taken}. */
    static String key(String id, Set<String> taken) {
        String k = id.replaceAll("[^A-Za-z0-9_-]", "_");
        String out = k;
        for (int i = 2; !taken.add(out); i++) {
            out = k + "_" + i;
        }
        return out;
    }

    private static void writeSample(TarArchiveOutputStream tar, Sample s, String key, Path imageBase)
            throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        List<String> images = new ArrayList<>();
        for (int i = 0; i < s.images().size(); i++) {
            Path given = Path.of(s.images().get(i));
            Path file = given.isAbsolute() ? given : imageBase.resolve(given).normalize();
            if (!Files.isRegularFile(file)) {
                throw new DataException("sample '" + s.id() + "': image " + file + " does not exist");
            }
            String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
            String ext;
            byte[] bytes;
            if (lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
                ext = lower.endsWith(".png") ? "png" : "jpg";
                bytes = Files.readAllBytes(file);
            } else {
                BufferedImage img = ImageIO.read(file.toFile());
                if (img == null) {
                    throw new DataException("sample '" + s.id() + "': no image reader for " + file);
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(img, "png", png);
                ext = "png";
                bytes = png.toByteArray();
            }
            String member = key + (i == 0 ? "" : "." + i) + "." + ext;
            images.add(member);
            members.put(member, bytes);
        }
        Sample stored = new Sample(s.id(), images, s.question(), s.options(), s.answer(), s.answerText(), s.reasoning(),
                s.caption(), s.entities(), s.task(), s.subset(), s.meta());
        members.put(key + ".json", Json.MAPPER.writeValueAsBytes(stored));
        if (s.caption() != null && !s.caption().isBlank()) {
            members.put(key + ".txt", s.caption().strip().getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            TarArchiveEntry e = new TarArchiveEntry(m.getKey());
            e.setSize(m.getValue().length);
            e.setModTime(0);
            tar.putArchiveEntry(e);
            tar.write(m.getValue());
            tar.closeArchiveEntry();
        }
    }
}
