package org.pathoreason.wsi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SynthWorld;

/**
 * A set of synthetic slides with their questions: {@code OUT/slides/ID.tiff} (+ {@code .json}), {@code
 * OUT/slide-questions.jsonl} (one sample per question, the slide in {@code meta.slide}) and {@code
 * OUT/slide-prompts.jsonl}, the same questions as multi-image prompts of K selected patches under {@code
 * OUT/tiles/}, and {@code OUT/labels.csv} (slide_id,label: the diagnosis) for slide-level classifiers.
 */
public final class SyntheticSlideSet {

    /**
     * @param slides number of slides (diagnoses taken in turn)
     * @param k patches per multi-image prompt
     * @param patchSize output side of each patch
     * @param rule how patches are picked
     * @param diagnoses diagnoses to draw slides of, in turn; empty for all of the world's
     */
    public record Options(int slides, long seed, SyntheticSlides.Options slide, int k, int patchSize,
            TileSelector.Rule rule, List<String> diagnoses) {
        public Options {
            if (slides <= 0 || k <= 0) {
                throw new IllegalArgumentException("need at least one slide and K >= 1, got " + slides + " and " + k);
            }
            diagnoses = diagnoses == null ? List.of() : List.copyOf(diagnoses);
        }

        public static Options defaults() {
            return new Options(4, 0, SyntheticSlides.Options.defaults(), 6, 224, TileSelector.Rule.TISSUE_DIVERSE,
                    List.of());
        }
    }

    /** Progress: a slide was written. */
    public interface Listener {
        void slideWritten(int done, int total, Path slide);
    }

    /** What was written. */
    public record Result(List<Path> slides, Path questions, Path prompts, int questionCount) {
    }

    /** Tissue detection for synthetic slides: CLAM's biopsy preset with pieces down to a tenth of a 512-px patch. */
    public static final TissueOptions TISSUE = TissueOptions.biopsy().withMinTissueArea(0.1);

    private SyntheticSlideSet() {
    }

    public static Result write(SynthWorld world, Path out, Options o, Listener listener) {
        List<Path> slides = new ArrayList<>();
        List<Sample> questions = new ArrayList<>();
        List<Sample> prompts = new ArrayList<>();
        List<String> diagnoses = o.diagnoses().isEmpty() ? world.diagnoses() : o.diagnoses();
        for (String d : diagnoses) {
            if (!world.diagnoses().contains(d)) {
                throw new SlideException("'" + d + "' is not a diagnosis of the synthetic world; it has "
                        + world.diagnoses());
            }
        }
        for (int i = 0; i < o.slides(); i++) {
            String diagnosis = diagnoses.get((int) ((i + o.seed()) % diagnoses.size()));
            String id = String.format("synth-slide-%04d", i);
            SyntheticSlides.Spec spec = SyntheticSlides.plan(world, id, diagnosis, o.seed() * 7919 + i, o.slide());
            Path tiff = SyntheticSlides.write(world, spec, out.resolve("slides"));
            slides.add(tiff);
            List<Sample> qs = SlideQuestions.forSynthetic(world, spec, "slides/" + tiff.getFileName());
            questions.addAll(qs);
            try (Slide slide = TiffSlide.open(tiff)) {
                TileGrid grid = Tiler.tile(slide, TissueDetector.detect(slide, TISSUE),
                        TilingOptions.defaults().withPatchSize(o.patchSize()).withMinTissueFraction(0.5));
                for (Sample q : qs) {
                    prompts.add(SlideQuestions.asMultiImage(q, slide, grid, o.k(), o.rule(), out.resolve("tiles"),
                            out));
                }
            }
            if (listener != null) {
                listener.slideWritten(i + 1, o.slides(), tiff);
            }
        }
        Path q = out.resolve("slide-questions.jsonl");
        Path p = out.resolve("slide-prompts.jsonl");
        SampleJsonl.write(q, questions);
        StringBuilder labels = new StringBuilder("slide_id,label\n");
        for (int i = 0; i < slides.size(); i++) {
            labels.append(Tiler.name(slides.get(i))).append(',')
                    .append(diagnoses.get((int) ((i + o.seed()) % diagnoses.size()))).append('\n');
        }
        org.pathoreason.util.AtomicFiles.writeString(out.resolve("labels.csv"), labels.toString());
        SampleJsonl.write(p, prompts);
        return new Result(slides, q, p, questions.size());
    }
}
