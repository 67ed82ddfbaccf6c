package org.pathoreason.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.ReadOptions;

/**
 * Reads the samples of a training data file for SFT and RL alike, reporting every sample it cannot use with its
 * file and line through a {@link BadSampleLog}. Canonical JSONL is read line by line, so a malformed line, a
 * duplicate id or an answer letter outside the options is reported as {@code file:line} and skipped (or stops the
 * run). Other formats (LLaVA/ShareGPT conversations, PathMMU, ...) go through their {@link DatasetFormat} reader,
 * which rejects a malformed file as a whole (its error names file and line); their samples are located as
 * {@code file: sample 'id'}.
 */
public final class TrainingData {

    private TrainingData() {
    }

    /**
     * A sample and where it came from.
     *
     * @param line 1-based line of a JSONL file; 0 when the format has no lines
     * @param imageBase the folder relative image paths are resolved against
     */
    public record Located(Sample sample, Path file, long line, Path imageBase) {

        /** {@code file:line}, or {@code file: sample 'id'}. */
        public String where() {
            return line > 0 ? file + ":" + line : file + ": sample '" + sample.id() + "'";
        }

        /** The sample's image files, resolved against {@link #imageBase}. */
        public List<Path> imageFiles() {
            List<Path> out = new ArrayList<>();
            for (String image : sample.images()) {
                Path p = Path.of(image);
                out.add(p.isAbsolute() ? p.normalize() : imageBase.resolve(p).normalize());
            }
            return out;
        }
    }

    /**
     * Reads the samples of {@code input}.
     *
     * @param format {@code auto} or a {@link DatasetFormat} name
     * @throws DataException for an unreadable file or format, and for a bad sample under {@code stop}
     */
    public static List<Located> read(Path input, String format, BadSampleLog log) {
        if (!Files.exists(input)) {
            throw new DataException(input + ": no such file or folder");
        }
        DatasetFormat f = "auto".equalsIgnoreCase(format.trim()) ? DatasetFormat.detect(input)
                : DatasetFormat.parse(format);
        if (f == DatasetFormat.JSONL) {
            return readJsonl(input, log);
        }
        Path base = f.imageBase(input);
        List<Located> out = new ArrayList<>();
        for (Sample s : f.read(input, ReadOptions.DEFAULTS)) {
            out.add(new Located(s, input, 0, base));
        }
        return out;
    }

    private static List<Located> readJsonl(Path file, BadSampleLog log) {
        List<Located> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Path base = file.toAbsolutePath().getParent();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ":" + lineNo;
                Sample s;
                try {
                    s = SampleJsonl.parseLine(file, lineNo, line);
                } catch (DataException e) {
                    String problem = stripPrefix(e.getMessage(), where);
                    log.bad(where, problem.contains("option letter") ? "bad_answer" : "malformed", problem);
                    continue;
                }
                if (!ids.add(s.id())) {
                    log.bad(where, "duplicate_id", "duplicate id '" + s.id() + "'");
                    continue;
                }
                out.add(new Located(s, file, lineNo, base));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static String stripPrefix(String message, String where) {
        return message.startsWith(where + ": ") ? message.substring(where.length() + 2) : message;
    }

    /**
     * Splits off a validation set: a seeded choice of {@code ceil(fraction * n)} samples (at least one, and at
     * least one left for training), the same for the same seed and data.
     *
     * @return {@code [train, validation]}
     */
    public static List<List<Located>> splitValidation(List<Located> samples, double fraction, long seed) {
        if (fraction <= 0 || samples.size() < 2) {
            return List.of(samples, List.of());
        }
        int n = samples.size();
        int val = Math.min(n - 1, Math.max(1, (int) Math.ceil(fraction * n)));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = StepRandom.at(seed, 0, "validation-split");
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] isVal = new boolean[n];
        for (int i = 0; i < val; i++) {
            isVal[order[i]] = true;
        }
        List<Located> train = new ArrayList<>();
        List<Located> validation = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (isVal[i] ? validation : train).add(samples.get(i));
        }
        return List.of(train, validation);
    }

    /** SHA-256 of in-memory samples as canonical JSONL lines, hex; their data fingerprint. */
    public static String fingerprint(List<Sample> samples) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Sample s : samples) {
                d.update(org.pathoreason.util.Json.MAPPER.writeValueAsBytes(s));
                d.update((byte) '\n');
            }
            return "sha256:" + HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a data file (of {@code data.json} for a PathMMU folder), hex; the data fingerprint. */
    public static String fingerprint(Path input) {
        Path file = Files.isDirectory(input) ? input.resolve("data.json") : input;
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // reading feeds the digest
            }
            return "sha256:" + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
