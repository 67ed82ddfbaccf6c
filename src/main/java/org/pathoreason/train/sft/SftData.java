package org.pathoreason.train.sft;

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
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.ReadOptions;
import org.pathoreason.image.ImageReadException;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.train.StepRandom;

/**
 * Reads training data and turns it into {@link TrainingExample}s, reporting every sample it cannot use with its
 * file and line through a {@link BadSampleLog}.
 *
 * <p>Canonical JSONL is read line by line, so a malformed line, a duplicate id or an answer letter outside the
 * options is reported as {@code file:line} and skipped (or stops the run). Other formats (LLaVA/ShareGPT
 * conversations, PathMMU, ...) go through their {@link DatasetFormat} reader, which rejects a malformed file as a
 * whole (its error names file and line); their samples are located as {@code file: sample 'id'}. Then, for every
 * sample: its images must exist and decode (each preprocessed once, through the {@link ImageCache}), and the
 * {@link ExampleBuilder} must be able to build its target.
 */
public final class SftData {

    private SftData() {
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
     * What an example was built from, to build it again with changes (another option order).
     *
     * @param sample the sample
     * @param images its image files
     * @param imageTokenCounts merged vision tokens per image
     */
    public record Source(Sample sample, List<Path> images, List<Integer> imageTokenCounts) {
        public Source {
            images = List.copyOf(images);
            imageTokenCounts = List.copyOf(imageTokenCounts);
        }
    }

    /**
     * The examples built from a data set.
     *
     * @param examples usable examples, in data order
     * @param truncated examples whose assistant turn was cut at {@code max_length}
     * @param guidanceRemoved prompts guidance was removed from
     * @param guidanceAdded prompts guidance was added to ({@code guidance: keep})
     * @param sources what each example was built from, in the same order
     */
    public record Examples(List<TrainingExample> examples, int truncated, int guidanceRemoved, int guidanceAdded,
            List<Source> sources) {

        public Examples {
            examples = List.copyOf(examples);
            sources = List.copyOf(sources);
            if (sources.size() != examples.size()) {
                throw new IllegalArgumentException(examples.size() + " examples but " + sources.size() + " sources");
            }
        }

        public long targetTokens() {
            long n = 0;
            for (TrainingExample e : examples) {
                n += e.targetCount();
            }
            return n;
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
     * Builds the examples of {@code samples}: checks and preprocesses their images (once each, through
     * {@code images}), then builds the chat example. Samples that fail are reported to {@code log}.
     */
    public static Examples build(List<Located> samples, ExampleBuilder builder, ImageCache images, BadSampleLog log) {
        List<TrainingExample> out = new ArrayList<>(samples.size());
        List<Source> sources = new ArrayList<>(samples.size());
        int truncated = 0;
        int removed = 0;
        int added = 0;
        for (Located located : samples) {
            List<Path> files = located.imageFiles();
            List<Integer> counts = new ArrayList<>(files.size());
            boolean ok = true;
            for (int i = 0; i < files.size() && ok; i++) {
                Path file = files.get(i);
                String written = located.sample().images().get(i);
                if (!Files.isRegularFile(file)) {
                    log.bad(located.where(), "missing_image", "image '" + written + "' not found (looked for "
                            + file + ")");
                    ok = false;
                    continue;
                }
                try {
                    ProcessedImage p = images.get(file);
                    counts.add(p.numMergedTokens());
                } catch (IOException | ImageReadException e) {
                    log.bad(located.where(), "unreadable_image", "image '" + written + "' cannot be read: "
                            + e.getMessage());
                    ok = false;
                }
            }
            if (!ok) {
                continue;
            }
            try {
                ExampleBuilder.Built built = builder.build(located.sample(), files, counts);
                out.add(built.example());
                sources.add(new Source(located.sample(), files, counts));
                truncated += built.example().truncated() ? 1 : 0;
                removed += built.guidanceRemoved() > 0 ? 1 : 0;
                added += built.guidanceAdded() > 0 ? 1 : 0;
            } catch (SampleProblem e) {
                if (e.kind() == SampleProblem.Kind.TOO_LONG) {
                    log.tooLong(located.where(), e.getMessage());
                } else {
                    log.bad(located.where(), kindOf(e.getMessage()), e.getMessage());
                }
            } catch (IllegalArgumentException e) {
                log.bad(located.where(), "unusable", e.getMessage());
            }
        }
        return new Examples(out, truncated, removed, added, sources);
    }

    private static String kindOf(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("option letter")) {
            return "bad_answer";
        }
        if (m.contains("no reasoning") || m.contains("no caption") || m.contains("no answer")) {
            return "no_target";
        }
        return "unusable";
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

    /** The samples with knowledge-graph guidance added where they have none ({@link KgGuidance#withGuidance}). */
    public static List<Located> withGuidance(List<Located> samples, KgGuidance guidance) {
        List<Located> out = new ArrayList<>(samples.size());
        for (Located l : samples) {
            out.add(new Located(guidance.withGuidance(l.sample()), l.file(), l.line(), l.imageBase()));
        }
        return out;
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
