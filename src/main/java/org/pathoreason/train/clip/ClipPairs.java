package org.pathoreason.train.clip;

import org.pathoreason.data.Task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.ImageCaptionCsvReader;
import org.pathoreason.data.readers.ReadOptions;

/**
 * Image-text pairs for contrastive training, retrieval and feature export, from canonical sample JSONL (the
 * {@code caption} of each sample, as figure-caption corpora and the synthetic world's {@code pretrain.jsonl}
 * hold them), LLaVA/ShareGPT records (the reply to a caption request), a CSV with an image and a caption column
 * ({@link ImageCaptionCsvReader}), or any other format the readers know.
 */
public final class ClipPairs {

    /**
     * One pair.
     *
     * @param image the image file (resolved against the data file's folder), or null for a text-only sample
     * @param text the sample's caption, else its answer text when the sample is a caption or open question, else
     *     its question
     * @param label {@code meta.label}, else the synthetic world's {@code meta.synth.diagnosis}, else null
     */
    public record Pair(String id, Path image, String text, String label) {
    }

    private ClipPairs() {
    }

    /** Every sample of {@code file} as a pair (format detected; {@code .csv} read as image,caption). */
    public static List<Pair> read(Path file) {
        if (!Files.exists(file)) {
            throw new DataException(file + ": no such file or folder");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Sample> samples;
        if (name.endsWith(".csv")) {
            samples = new ImageCaptionCsvReader().read(file, ReadOptions.DEFAULTS);
        } else {
            samples = DatasetFormat.detect(file).read(file, ReadOptions.DEFAULTS);
        }
        Path base = Files.isDirectory(file) ? file.toAbsolutePath() : file.toAbsolutePath().getParent();
        List<Pair> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            Path image = s.images().isEmpty() ? null : base.resolve(s.images().get(0)).normalize();
            out.add(new Pair(s.id(), image, textOf(s), labelOf(s)));
        }
        return out;
    }

    /** Pairs that have both an image and a text, or a {@link DataException} naming the first that has not. */
    public static List<Pair> requireImageAndText(List<Pair> pairs, Path file) {
        for (Pair p : pairs) {
            if (p.image() == null) {
                throw new DataException(file + ": sample '" + p.id() + "' has no image");
            }
            if (p.text().isBlank()) {
                throw new DataException(file + ": sample '" + p.id() + "' has no caption (nor question)");
            }
        }
        if (pairs.isEmpty()) {
            throw new DataException(file + ": no samples");
        }
        return pairs;
    }

    static String textOf(Sample s) {
        if (s.caption() != null && !s.caption().isBlank()) {
            return s.caption();
        }
        boolean freeText = Task.CAPTION.equals(s.task()) || Task.OPEN.equals(s.task());
        if (freeText && s.answerText() != null && !s.answerText().isBlank()) {
            return s.answerText();
        }
        if (freeText && s.answer() != null && !s.answer().isBlank()) {
            return s.answer();
        }
        return s.question();
    }

    static String labelOf(Sample s) {
        Object label = s.meta().get("label");
        if (label != null) {
            return label.toString();
        }
        if (s.meta().get("synth") instanceof Map<?, ?> synth && synth.get("diagnosis") != null) {
            return synth.get("diagnosis").toString();
        }
        return null;
    }

    /** SHA-256 of the data file (a folder: of its path), so a resumed run can tell it has the same data. */
    public static String fingerprint(Path file) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                    }
                }
            } else {
                md.update(file.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
