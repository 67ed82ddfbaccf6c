package org.pathoreason.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.wsi.Slide;
import org.pathoreason.wsi.SlideBackend;
import org.pathoreason.wsi.SlideException;
import org.pathoreason.wsi.SlideIndex;
import org.pathoreason.wsi.SlideQuestions;
import org.pathoreason.wsi.Slides;
import org.pathoreason.wsi.TileGrid;
import org.pathoreason.wsi.TileSelector;
import org.pathoreason.wsi.Tiler;
import org.pathoreason.wsi.TilingOptions;
import org.pathoreason.wsi.TissueDetector;
import org.pathoreason.wsi.TissueOptions;

/**
 * Slide questions evaluated as {@code eval} evaluates tiles: each question's slide is found ({@link SlideIndex}),
 * tiled, and its K chosen patches become one multi-image prompt ({@link SlideQuestions#asMultiImage}); the prompts
 * go to {@link EvalRunner}, so predictions, {@code metrics.json}, {@code questions.jsonl} and {@code eval.json} are
 * written (atomically, resumably) and scored exactly as {@code eval} does: closed questions by the extraction mode's
 * multiple-choice accuracy, open ones by BLEU, ROUGE-L, token F1 and exact match.
 *
 * <p>{@code OUT/slide-prompts.jsonl} holds the prompts (patches under {@code OUT/tiles/ID/}); a resumed run reuses
 * them, after checking they were chosen the same way.
 */
public final class SlideEvaluation {

    public static final String PROMPTS = "slide-prompts.jsonl";
    public static final String TILES = "tiles";

    /**
     * How each question's patches are chosen.
     *
     * @param k patches a question
     * @param chooser a rule or CLIP similarity
     */
    public record Patches(int k, TileSelector.Chooser chooser, TissueOptions tissue, TilingOptions tiling,
            SlideBackend backend) {
        public Patches {
            if (k <= 0) {
                throw new IllegalArgumentException("K must be positive, got " + k);
            }
            Objects.requireNonNull(chooser, "chooser");
            Objects.requireNonNull(tissue, "tissue");
            Objects.requireNonNull(tiling, "tiling");
            Objects.requireNonNull(backend, "backend");
        }
    }

    /** Told after each slide's prompts are made. */
    @FunctionalInterface
    public interface Listener {
        void slideDone(int done, int total, Path slide, int questions);
    }

    private SlideEvaluation() {
    }

    /**
     * The multi-image prompts of {@code questions} (slides found in {@code slides}), made or reused in {@code out}.
     *
     * @throws SlideException naming the first question whose slide is missing, before any work
     */
    public static List<Sample> prompts(List<Sample> questions, SlideIndex slides, Patches p, Path out, boolean fresh,
            Listener listener) {
        Map<Path, List<Sample>> bySlide = new LinkedHashMap<>();
        for (Sample q : questions) {
            Object ref = q.meta().get(SlideQuestions.META_SLIDE);
            if (ref == null) {
                throw new SlideException("question " + q.id() + " names no slide (meta." + SlideQuestions.META_SLIDE
                        + ")");
            }
            bySlide.computeIfAbsent(slides.find(ref.toString(), q.id()), f -> new ArrayList<>()).add(q);
        }
        Path file = out.resolve(PROMPTS);
        if (fresh) {
            AtomicFiles.deleteRecursively(out.resolve(TILES));
            try {
                Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Map<String, Sample> made = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            for (Sample s : SampleJsonl.read(file)) {
                Object rule = s.meta().get("tile_rule");
                Object k = s.meta().get("tile_k");
                if (!p.chooser().name().equals(rule) || k == null || ((Number) k).intValue() != p.k()) {
                    throw new IllegalStateException(file + " holds prompts chosen by " + rule + " with K " + k
                            + ", not " + p.chooser().name() + " with K " + p.k() + "; start afresh (--fresh) or "
                            + "choose another output folder");
                }
                made.put(s.id(), s);
            }
        }
        int done = 0;
        for (Map.Entry<Path, List<Sample>> e : bySlide.entrySet()) {
            List<Sample> todo = e.getValue().stream().filter(q -> !made.containsKey(q.id())).toList();
            if (!todo.isEmpty()) {
                try (Slide slide = Slides.open(e.getKey(), p.backend())) {
                    TileGrid grid = Tiler.tile(slide, TissueDetector.detect(slide, p.tissue()), p.tiling());
                    for (Sample q : todo) {
                        Sample prompt = SlideQuestions.asMultiImage(q, slide, grid, p.k(), p.chooser(),
                                out.resolve(TILES), out);
                        Map<String, Object> meta = new LinkedHashMap<>(prompt.meta());
                        meta.put("tile_k", p.k());
                        meta.put("slide_file", e.getKey().toString());
                        made.put(q.id(), prompt.toBuilder().meta(meta).build());
                    }
                }
                SampleJsonl.write(file, new ArrayList<>(made.values()));
            }
            done++;
            if (listener != null) {
                listener.slideDone(done, bySlide.size(), e.getKey(), e.getValue().size());
            }
        }
        List<Sample> ordered = new ArrayList<>();
        for (Sample q : questions) {
            ordered.add(made.get(q.id()));
        }
        return ordered;
    }

    /** Evaluates the prompts with a checkpoint into {@link EvalOptions#outDir} (their images are under it). */
    public static EvalResult evaluate(CheckpointBundle checkpoint, EvalOptions options, List<Sample> prompts) {
        Objects.requireNonNull(options.outDir(), "slide evaluation needs an output folder");
        return new EvalRunner(checkpoint, options).run(prompts, options.outDir());
    }
}
