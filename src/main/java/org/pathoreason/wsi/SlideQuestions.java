package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.pathoreason.data.Sample;
import org.pathoreason.data.Task;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.util.AtomicFiles;

/**
 * Questions about whole slides and the multi-image prompts that put them to a vision-language model: the slide is
 * shown as the K patches a {@link TileSelector} picks, in one sample with K images (Qwen2.5-VL takes several images
 * natively).
 */
public final class SlideQuestions {

    /** Key in {@link Sample#meta()} of the slide file a question is about. */
    public static final String META_SLIDE = "slide";
    private static final String[] LETTERS = {"A", "B", "C", "D"};

    private SlideQuestions() {
    }

    /**
     * The questions of a synthetic slide: its diagnosis (multiple choice among the graph's differentials) and one
     * finding it shows (multiple choice among findings it does not show).
     *
     * @param slideFile path recorded in each sample's meta (relative to where the questions are written)
     */
    public static List<Sample> forSynthetic(SynthWorld world, SyntheticSlides.Spec spec, String slideFile) {
        SplittableRandom rnd = new SplittableRandom(spec.seed() * 31 + 7);
        List<Sample> out = new ArrayList<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put(META_SLIDE, slideFile);
        meta.put("diagnosis", spec.diagnosis());
        meta.put("findings", spec.findings());

        List<String> candidates = new ArrayList<>(world.differentials(spec.diagnosis()));
        for (String d : world.diagnoses()) {
            if (!candidates.contains(d) && !d.equals(spec.diagnosis())) {
                candidates.add(d);
            }
        }
        List<String> distractors = candidates.subList(0, Math.min(3, candidates.size()));
        List<String> seen = spec.findings();
        String observe = "The slide shows " + String.join(", ", seen.stream().map(world::name).toList()) + ".";
        String think = "Together these findings fit " + world.name(spec.diagnosis()) + ".";
        out.add(mcq(spec.id() + "-diagnosis", "What is the most likely diagnosis for this slide?",
                spec.diagnosis(), distractors, world, rnd, observe, think, meta, "slide_diagnosis"));

        String present = seen.get(rnd.nextInt(seen.size()));
        List<String> absent = new ArrayList<>();
        for (String f : world.findings()) {
            if (!seen.contains(f) && org.pathoreason.data.synth.Finding.byId(f).isPresent()) {
                absent.add(f);
            }
        }
        java.util.Collections.shuffle(absent, new java.util.Random(spec.seed()));
        out.add(mcq(spec.id() + "-finding", "Which of these findings is present in this slide?", present,
                absent.subList(0, Math.min(3, absent.size())), world, rnd, observe,
                world.name(present) + " is among the findings seen.", meta, "slide_finding"));
        return out;
    }

    /** A free question about a slide, without a known answer (for {@code wsi prompt}). */
    public static Sample openQuestion(String id, String question, String slideFile) {
        return sample(id, List.of(), question, List.of(), "", null, null, List.of(), Task.OPEN, "slide",
                Map.of(META_SLIDE, slideFile));
    }

    private static Sample mcq(String id, String question, String answer, List<String> distractors, SynthWorld world,
            SplittableRandom rnd, String observe, String think, Map<String, Object> meta, String subset) {
        List<String> ids = new ArrayList<>(distractors);
        int at = rnd.nextInt(ids.size() + 1);
        ids.add(at, answer);
        List<String> options = ids.stream().map(o -> SynthWorld.capitalise(world.name(o))).toList();
        Set<String> entities = new LinkedHashSet<>();
        entities.add(world.name(answer));
        return sample(id, List.of(), question, options, LETTERS[at], options.get(at),
                new Sample.Reasoning(observe, think), List.copyOf(entities), Task.MCQ, subset, meta);
    }

    /**
     * A slide question as a multi-image prompt: the K selected patches are written as PNG under
     * {@code imageDir/ID/} and become the sample's images (relative to {@code base}, where the JSONL goes); the
     * question says they are regions of one slide.
     */
    public static Sample asMultiImage(Sample question, Slide slide, TileGrid grid, int k, TileSelector.Rule rule,
            Path imageDir, Path base) {
        return asMultiImage(question, slide, grid, k, TileSelector.chooser(rule), imageDir, base);
    }

    /** As above, with any {@link TileSelector.Chooser} (a rule, or CLIP similarity to the question). */
    public static Sample asMultiImage(Sample question, Slide slide, TileGrid grid, int k, TileSelector.Chooser chooser,
            Path imageDir, Path base) {
        List<Integer> picked = chooser.choose(slide, grid, k, question.question(), question.options());
        if (picked.isEmpty()) {
            throw new SlideException(slide.path() + ": no patch over tissue to show for question " + question.id());
        }
        List<String> images = new ArrayList<>();
        List<List<Long>> coords = new ArrayList<>();
        for (int j = 0; j < picked.size(); j++) {
            int i = picked.get(j);
            BufferedImage tile = grid.read(slide, i);
            Path file = imageDir.resolve(question.id()).resolve(j + ".png");
            AtomicFiles.write(file, out -> ImageIO.write(tile, "png", out));
            images.add(base.toAbsolutePath().relativize(file.toAbsolutePath()).toString().replace('\\', '/'));
            coords.add(List.of(grid.coords().get(i)[0], grid.coords().get(i)[1]));
        }
        Map<String, Object> meta = new LinkedHashMap<>(question.meta());
        meta.put("tile_coords", coords);
        meta.put("tile_rule", chooser.name());
        meta.put("tile_size_level0", grid.patchSizeLevel0());
        String q = "These " + images.size() + " images are regions of one whole-slide image, chosen over its "
                + "tissue. " + question.question();
        return question.toBuilder().images(images).question(q).meta(meta).build();
    }

    /** The one place this package creates samples. */
    private static Sample sample(String id, List<String> images, String question, List<String> options, String answer,
            String answerText, Sample.Reasoning reasoning, List<String> entities, Task task, String subset,
            Map<String, Object> meta) {
        return Sample.builder(id).images(images).question(question).options(options).answer(answer)
                .answerText(answerText).reasoning(reasoning).entities(entities).task(task).subset(subset).meta(meta)
                .build();
    }
}
