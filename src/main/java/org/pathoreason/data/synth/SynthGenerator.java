package org.pathoreason.data.synth;

import org.pathoreason.data.Task;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Progress;

/**
 * Generates a synthetic dataset: draws cases from a {@link SynthWorld}, writes questions of every kind per split,
 * renders one image per sample (in parallel; each image has its own seed, so the bytes do not depend on the
 * threads), and writes the JSONL files, the graph, a dataset card and a contact sheet. The output folder is
 * written atomically.
 */
public final class SynthGenerator {

    /** Files the generator writes beside the split JSONL files. */
    public static final String GRAPH_FILE = "graph.json";
    public static final String CARD_FILE = "card.json";
    public static final String CARD_MARKDOWN = "DATASET.md";
    public static final String CONTACT_SHEET = "contact-sheet.png";
    public static final String IMAGES_DIR = "images";

    /** A planned sample before rendering: the sample (with its image path) and the case its image shows. */
    public record Planned(Sample sample, SynthCase synthCase, String split) {
    }

    /** What was generated: samples per split (in file order). */
    public record Result(Map<String, List<Sample>> splits, Map<String, Object> card) {
    }

    private final SynthWorld world;
    private final SynthOptions options;
    private final List<SplitPlan> plans;
    private final QuestionWriter writer;
    private boolean progress = true;

    public SynthGenerator(SynthWorld world, SynthOptions options) {
        this(world, options, SplitPlan.standard());
    }

    public SynthGenerator(SynthWorld world, SynthOptions options, List<SplitPlan> plans) {
        this.world = world;
        this.options = options;
        this.plans = List.copyOf(plans);
        this.writer = new QuestionWriter(world);
    }

    /** Show a progress bar on stderr while rendering (default on). */
    public SynthGenerator progressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /**
     * The optional-finding combinations held out of the training splits, per diagnosis: about a fifth of the
     * non-empty combinations of each diagnosis that has at least three.
     */
    public Map<String, List<List<String>>> heldOutCombinations() {
        SplittableRandom rnd = new SplittableRandom(options.seed() ^ 0x5EED_C0B0L);
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (String d : world.diagnoses()) {
            List<List<String>> candidates = new ArrayList<>();
            for (List<String> combo : world.optionalCombinations(d)) {
                if (!combo.isEmpty()) {
                    candidates.add(combo);
                }
            }
            List<List<String>> held = new ArrayList<>();
            if (candidates.size() >= 3) {
                int n = Math.max(1, (int) Math.round(candidates.size() * 0.2));
                shuffle(candidates, rnd);
                held.addAll(candidates.subList(0, n));
            }
            out.put(d, held);
        }
        return out;
    }

    /** Plans every sample of every split (no rendering). Deterministic from the seed. */
    public Map<String, List<Planned>> plan() {
        Map<String, List<List<String>>> heldOut = heldOutCombinations();
        Map<String, List<List<String>>> seen = new LinkedHashMap<>();
        for (String d : world.diagnoses()) {
            List<List<String>> combos = new ArrayList<>(world.optionalCombinations(d));
            combos.removeAll(heldOut.get(d));
            seen.put(d, combos);
        }
        Map<String, List<Planned>> out = new LinkedHashMap<>();
        for (int s = 0; s < plans.size(); s++) {
            SplitPlan plan = plans.get(s);
            SplittableRandom rnd = new SplittableRandom(mix(options.seed(), s + 1));
            int n = plan.count(options.scale());
            List<QuestionKind> kinds = kindSchedule(plan, n, rnd);
            List<String> diagnoses = balanced(world.diagnoses(), n, rnd);
            int mcq = (int) kinds.stream().filter(k -> k.task().equals(Task.MCQ)).count();
            List<Integer> letters = balanced(List.of(0, 1, 2, 3), mcq, rnd);
            int yesno = (int) kinds.stream().filter(k -> k == QuestionKind.FINDING_YESNO).count();
            List<Boolean> answers = balanced(List.of(true, false), yesno, rnd);
            List<Planned> samples = new ArrayList<>(n);
            int mcqIndex = 0;
            int yesnoIndex = 0;
            for (int i = 0; i < n; i++) {
                String d = diagnoses.get(i);
                boolean unseen = plan.mayUseUnseen() && !heldOut.get(d).isEmpty()
                        && rnd.nextDouble() < options.unseenShare();
                List<String> combo = SynthWorld.pick(unseen ? heldOut.get(d) : seen.get(d), rnd);
                // Required findings first (they carry the diagnosis), then optional ones in graph order.
                List<String> ordered = new ArrayList<>(world.required(d));
                for (String f : world.findings()) {
                    if (combo.contains(f)) {
                        ordered.add(f);
                    }
                }
                SynthCase c = new SynthCase(d, ordered, rnd.nextLong(), unseen);
                QuestionKind kind = kinds.get(i);
                int letter = kind.task().equals(Task.MCQ) ? letters.get(mcqIndex++) : 0;
                boolean yes = kind == QuestionKind.FINDING_YESNO ? answers.get(yesnoIndex++) : false;
                String id = String.format("synth-%s-%06d", plan.name(), i);
                String image = IMAGES_DIR + "/" + plan.name() + "-" + String.format("%06d", i) + ".png";
                Sample sample = writer.write(id, image, c, kind, letter, yes, new SplittableRandom(rnd.nextLong()),
                        Map.of("split", plan.name()));
                if (!plan.reasoning()) {
                    sample = withoutReasoning(sample);
                }
                samples.add(new Planned(sample, c, plan.name()));
            }
            out.put(plan.name(), samples);
        }
        return out;
    }

    /**
     * The sample without its reasoning target (written after the reasoning, so that the random draws and hence
     * every other split stay the same whether a split keeps its reasoning or not).
     */
    private static Sample withoutReasoning(Sample s) {
        return new Sample(s.id(), s.images(), s.question(), s.options(), s.answer(), s.answerText(), null,
                s.caption(), s.entities(), s.task(), s.subset(), s.meta());
    }

    /** Plans, renders and writes the whole dataset into {@code outDir} (replacing an earlier synth output). */
    public Result generate(Path outDir) {
        guardOutput(outDir);
        Map<String, List<Planned>> planned = plan();
        Map<String, List<Sample>> splits = new LinkedHashMap<>();
        planned.forEach((k, v) -> splits.put(k, v.stream().map(Planned::sample).toList()));
        Map<String, Object> card = DatasetCard.summary(world, options, plans, planned, heldOutCombinations());
        AtomicFiles.writeFolder(outDir, tmp -> {
            Files.createDirectories(tmp.resolve(IMAGES_DIR));
            renderAll(planned, tmp);
            for (Map.Entry<String, List<Sample>> e : splits.entrySet()) {
                SampleJsonl.write(tmp.resolve(e.getKey() + ".jsonl"), e.getValue());
            }
            world.graph().writeJson(tmp.resolve(GRAPH_FILE));
            DatasetCard.write(tmp, card);
            writeContactSheet(planned, tmp);
        });
        return new Result(splits, card);
    }

    private void renderAll(Map<String, List<Planned>> planned, Path dir) throws IOException {
        List<Planned> all = new ArrayList<>();
        planned.values().forEach(all::addAll);
        TileRenderer renderer = new TileRenderer(options.imageSize());
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "synth-render");
            t.setDaemon(true);
            return t;
        });
        try (Progress.Task bar = progress ? Progress.bar("synth", all.size(), "img") : null) {
            List<Future<?>> futures = new ArrayList<>(all.size());
            for (Planned p : all) {
                futures.add(pool.submit(() -> {
                    BufferedImage img = renderer.render(world.drawable(Set.copyOf(p.synthCase().findings())),
                            p.synthCase().imageSeed());
                    writePng(img, dir.resolve(p.sample().images().get(0)));
                    if (bar != null) {
                        bar.step();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("rendering interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException("rendering failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }

    static void writePng(BufferedImage img, Path file) {
        try {
            if (!ImageIO.write(img, "png", file.toFile())) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A sheet of test images (two per diagnosis where possible) labelled with diagnosis and findings. */
    private void writeContactSheet(Map<String, List<Planned>> planned, Path dir) throws IOException {
        List<Planned> source = planned.getOrDefault("test", planned.values().iterator().next());
        Map<String, List<Planned>> byDiagnosis = new LinkedHashMap<>();
        for (String d : world.diagnoses()) {
            byDiagnosis.put(d, new ArrayList<>());
        }
        for (Planned p : source) {
            List<Planned> list = byDiagnosis.get(p.synthCase().diagnosis());
            if (list.size() < 2) {
                list.add(p);
            }
        }
        List<BufferedImage> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (List<Planned> list : byDiagnosis.values()) {
                if (round < list.size()) {
                    Planned p = list.get(round);
                    images.add(ImageIO.read(dir.resolve(p.sample().images().get(0)).toFile()));
                    List<String> names = new ArrayList<>();
                    for (String f : p.synthCase().findings()) {
                        names.add(world.name(f));
                    }
                    labels.add(SynthWorld.capitalise(world.name(p.synthCase().diagnosis())) + "\n"
                            + String.join(", ", names));
                }
            }
        }
        BufferedImage sheet = ContactSheet.of(images, labels, Math.min(images.size(), 6), 4);
        writePng(sheet, dir.resolve(CONTACT_SHEET));
    }

    /** Refuses to replace a folder that is neither empty nor an earlier synth output. */
    private static void guardOutput(Path outDir) {
        if (!Files.exists(outDir)) {
            return;
        }
        if (!Files.isDirectory(outDir)) {
            throw new IllegalArgumentException("output " + outDir + " exists and is not a folder");
        }
        try (var entries = Files.list(outDir)) {
            boolean empty = entries.findAny().isEmpty();
            if (!empty && !Files.exists(outDir.resolve(CARD_FILE))) {
                throw new IllegalArgumentException("output folder " + outDir + " is not empty and holds no "
                        + CARD_FILE + " of an earlier synth run; choose an empty or new folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + outDir + ": " + e.getMessage(), e);
        }
    }

    /** Question kinds for n samples in the plan's proportions, shuffled. */
    private static List<QuestionKind> kindSchedule(SplitPlan plan, int n, SplittableRandom rnd) {
        List<QuestionKind> kinds = new ArrayList<>(n);
        List<QuestionKind> order = new ArrayList<>();
        for (QuestionKind k : QuestionKind.values()) {
            if (plan.mix().containsKey(k)) {
                order.add(k);
            }
        }
        // Largest-remainder rounding so the counts sum to n exactly.
        double[] exact = new double[order.size()];
        int assigned = 0;
        for (int i = 0; i < order.size(); i++) {
            exact[i] = plan.mix().get(order.get(i)) * n;
            int whole = (int) Math.floor(exact[i]);
            for (int j = 0; j < whole; j++) {
                kinds.add(order.get(i));
            }
            assigned += whole;
        }
        List<Integer> byRemainder = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            byRemainder.add(i);
        }
        byRemainder.sort((a, b) -> Double.compare(exact[b] - Math.floor(exact[b]), exact[a] - Math.floor(exact[a])));
        for (int i = 0; assigned < n; i++, assigned++) {
            kinds.add(order.get(byRemainder.get(i % byRemainder.size())));
        }
        shuffle(kinds, rnd);
        return kinds;
    }

    /** n items cycling through shuffled blocks of all values, so every value appears equally often. */
    static <T> List<T> balanced(List<T> values, int n, SplittableRandom rnd) {
        List<T> out = new ArrayList<>(n);
        while (out.size() < n) {
            List<T> block = new ArrayList<>(values);
            shuffle(block, rnd);
            out.addAll(block.subList(0, Math.min(block.size(), n - out.size())));
        }
        return out;
    }

    static <T> void shuffle(List<T> list, SplittableRandom rnd) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, rnd.nextInt(i + 1));
        }
    }

    /** A well-mixed 64-bit seed from a base seed and a stream number (SplitMix64 finaliser). */
    public static long mix(long seed, long stream) {
        long z = seed + stream * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
