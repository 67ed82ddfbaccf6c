package org.pathoreason.train.sft;

import org.pathoreason.train.TrainingData.Located;
import org.pathoreason.train.BadSampleLog;

import org.pathoreason.image.ImageCache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.image.ImageReadException;
import org.pathoreason.image.ProcessedImage;

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
                } catch (ImageReadException e) {
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

    /** The samples with knowledge-graph guidance added where they have none ({@link KgGuidance#withGuidance}). */
    public static List<Located> withGuidance(List<Located> samples, KgGuidance guidance) {
        List<Located> out = new ArrayList<>(samples.size());
        for (Located l : samples) {
            out.add(new Located(guidance.withGuidance(l.sample()), l.file(), l.line(), l.imageBase()));
        }
        return out;
    }


}
