package org.pathoreason.eval.clip;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.pathoreason.data.DataException;
import org.pathoreason.eval.report.HtmlReport;
import org.pathoreason.eval.report.Plots;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.train.clip.ClipPairs;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The CLIP protocols on data files, each writing {@code metrics.json} and {@code report.html} (with PNG plots) into
 * an output folder: zero-shot classification of labelled images, retrieval over image-text pairs, linear and
 * few-shot probes on frozen image embeddings, and the export of embeddings.
 */
public final class ClipEvaluation {

    public static final String METRICS = "metrics.json";
    public static final String REPORT = "report.html";

    private ClipEvaluation() {
    }

    /**
     * What a zero-shot run scored.
     *
     * @param skipped samples without an image or whose label is not one of the prompts' classes
     */
    public record ZeroShotRun(ZeroShot.Result result, int skipped, List<String> labels) {
    }

    /**
     * Zero-shot classification of {@code samples} (labels from {@link ClipPairs.Pair#label}) with {@code prompts}.
     *
     * @param ordinal the classes are ordered grades (the report then leads with quadratic kappa)
     */
    public static ZeroShotRun zeroShot(ClipEncoder encoder, ZeroShotPrompts prompts, List<ClipPairs.Pair> samples,
            boolean ordinal) {
        List<String> labels = prompts.labels();
        List<Path> images = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        TreeSet<String> unknown = new TreeSet<>();
        int skipped = 0;
        for (ClipPairs.Pair p : samples) {
            String cls = prompts.classOf(p.label());
            if (p.image() == null || cls == null) {
                skipped++;
                if (p.label() != null) {
                    unknown.add(p.label());
                }
                continue;
            }
            images.add(p.image());
            gold.add(labels.indexOf(cls));
        }
        if (images.isEmpty()) {
            throw new DataException("no sample has an image and a label among the classes " + labels
                    + (unknown.isEmpty() ? " (samples need meta.label)" : "; labels found: " + unknown));
        }
        float[][] classes = ZeroShot.classEmbeddings(encoder, prompts);
        float[][] emb = encoder.images(images);
        double[][] logits = ZeroShot.logits(emb, classes, encoder.logitScale());
        ZeroShot.Result r = ZeroShot.score(logits, gold.stream().mapToInt(Integer::intValue).toArray(), labels,
                ordinal);
        return new ZeroShotRun(r, skipped, labels);
    }

    public static void writeZeroShot(ZeroShotRun run, String title, Path out) {
        ZeroShot.Result r = run.result();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("zero_shot", Json.MAPPER.valueToTree(r));
        root.put("skipped", run.skipped());
        root.set("confusion", Json.MAPPER.valueToTree(r.confusion()));
        Map<String, Double> recall = r.confusion().recall();
        root.set("recall_per_class", Json.MAPPER.valueToTree(recall));
        write(out, root);
        Plots.confusion(out.resolve("plots/confusion.png"), "zero-shot confusion", r.confusion());
        Plots.bar(out.resolve("plots/recall_per_class.png"), "zero-shot recall per class", "recall", recall);
        HtmlReport h = new HtmlReport(title).section("Zero-shot classification")
                .paragraph(String.format(Locale.ROOT, "%d images, %d classes (chance %.3f)%s.", r.samples(),
                        r.classes(), r.chance(), run.skipped() > 0 ? ", " + run.skipped() + " samples skipped "
                                + "(no image or a label outside the classes)" : ""))
                .keyValues(figures(r))
                .image("plots/confusion.png", "rows: gold class, columns: predicted class")
                .image("plots/recall_per_class.png", "recall per class");
        h.write(out.resolve(REPORT));
    }

    static Map<String, Object> figures(ZeroShot.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", r.accuracy());
        m.put("balanced accuracy", r.balancedAccuracy());
        m.put("weighted F1", r.weightedF1());
        m.put(r.ordinal() ? "quadratic kappa" : "Cohen's kappa", r.ordinal() ? r.quadraticKappa() : r.cohenKappa());
        m.put("macro AUROC", r.macroAuroc());
        m.put("chance", r.chance());
        return m;
    }

    /** Retrieval over the pairs of a file (every pair needs an image and a text). */
    public static Retrieval.Result retrieve(ClipEncoder encoder, List<ClipPairs.Pair> pairs) {
        float[][] img = encoder.images(pairs.stream().map(ClipPairs.Pair::image).toList());
        float[][] txt = encoder.texts(pairs.stream().map(ClipPairs.Pair::text).toList());
        return Retrieval.evaluate(img, txt);
    }

    public static void writeRetrieval(Retrieval.Result r, String title, Path out) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("retrieval", Json.MAPPER.valueToTree(r));
        write(out, root);
        List<String> ks = new ArrayList<>(r.imageToText().recall().keySet());
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("image to text", new ArrayList<>(r.imageToText().recall().values()));
        series.put("text to image", new ArrayList<>(r.textToImage().recall().values()));
        Plots.groupedBar(out.resolve("plots/recall.png"), "retrieval recall@K over " + r.pairs() + " pairs",
                "recall", ks, series);
        List<List<?>> rows = new ArrayList<>();
        for (var d : List.of(Map.entry("image to text", r.imageToText()), Map.entry("text to image",
                r.textToImage()))) {
            List<Object> row = new ArrayList<>();
            row.add(d.getKey());
            d.getValue().recall().values().forEach(row::add);
            row.add(d.getValue().meanRank());
            row.add(d.getValue().medianRank());
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("direction"));
        header.addAll(ks);
        header.addAll(List.of("mean rank", "median rank"));
        new HtmlReport(title).section("Retrieval").paragraph(r.pairs() + " image-text pairs; chance R@1 is "
                + String.format(Locale.ROOT, "%.4f", 1.0 / r.pairs()) + ".").table(header, rows)
                .image("plots/recall.png", "recall@K both ways").write(out.resolve(REPORT));
    }

    /** Probe settings: a fixed C, or a sweep on a validation share of the training pairs, and few-shot sizes. */
    public record ProbeOptions(Double c, double valFraction, double[] cs, int fewShotMaxK, int subsets, long seed) {

        public static ProbeOptions defaults() {
            return new ProbeOptions(null, 0.2, LinearProbe.DEFAULT_CS, 128, 10, 0);
        }
    }

    /** What a probe run scored. */
    public record ProbeRun(LinearProbe.Scores linear, Map<String, Double> sweep, List<LinearProbe.Shot> fewShot,
            List<String> labels) {
    }

    /** Linear and few-shot probes on image embeddings, labels from the pairs (train labels define the classes). */
    public static ProbeRun probe(ClipEncoder encoder, List<ClipPairs.Pair> train, List<ClipPairs.Pair> test,
            ProbeOptions o) {
        List<ClipPairs.Pair> tr = labelled(train, "training");
        List<String> labels = new ArrayList<>(new TreeSet<>(tr.stream().map(ClipPairs.Pair::label).toList()));
        List<ClipPairs.Pair> te = new ArrayList<>();
        for (ClipPairs.Pair p : labelled(test, "test")) {
            if (labels.contains(p.label())) {
                te.add(p);
            }
        }
        if (te.isEmpty()) {
            throw new DataException("no test sample has a label seen in training (" + labels + ")");
        }
        double[][] trX = LinearProbe.widen(encoder.images(tr.stream().map(ClipPairs.Pair::image).toList()));
        double[][] teX = LinearProbe.widen(encoder.images(te.stream().map(ClipPairs.Pair::image).toList()));
        int[] trY = tr.stream().mapToInt(p -> labels.indexOf(p.label())).toArray();
        int[] teY = te.stream().mapToInt(p -> labels.indexOf(p.label())).toArray();
        LinearProbe.Scores linear;
        Map<String, Double> sweep = Map.of();
        if (o.c() != null) {
            linear = LinearProbe.fit(trX, trY, teX, teY, o.c());
        } else {
            // hold out a seeded share of the training split to choose C, then refit on the rest
            int[] order = new org.pathoreason.train.DataOrder(trX.length, o.seed(), true).epochOrder(0);
            int held = Math.max(1, (int) Math.round(trX.length * o.valFraction()));
            List<Integer> fitIdx = new ArrayList<>();
            List<Integer> valIdx = new ArrayList<>();
            for (int i = 0; i < order.length; i++) {
                (i < held ? valIdx : fitIdx).add(order[i]);
            }
            LinearProbe.Sweep s = LinearProbe.sweep(rows(trX, fitIdx), ints(trY, fitIdx), rows(trX, valIdx),
                    ints(trY, valIdx), teX, teY, o.cs());
            linear = LinearProbe.fit(trX, trY, teX, teY, s.test().c());
            sweep = s.validationBalancedAccuracy();
        }
        List<LinearProbe.Shot> shots = o.fewShotMaxK() > 0
                ? LinearProbe.fewShot(trX, trY, teX, teY, linear.c(), o.fewShotMaxK(), o.subsets(), o.seed())
                : List.of();
        return new ProbeRun(linear, sweep, shots, labels);
    }

    public static void writeProbe(ProbeRun run, String title, Path out) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("linear_probe", Json.MAPPER.valueToTree(run.linear()));
        root.set("c_sweep_validation_balanced_accuracy", Json.MAPPER.valueToTree(run.sweep()));
        root.set("few_shot", Json.MAPPER.valueToTree(run.fewShot()));
        root.set("labels", Json.MAPPER.valueToTree(run.labels()));
        write(out, root);
        HtmlReport h = new HtmlReport(title).section("Linear probe")
                .paragraph(String.format(Locale.ROOT, "L2 logistic regression (L-BFGS) on frozen image embeddings, "
                        + "C = %s%s; %d training and %d test images, %d classes.", run.linear().c(),
                        run.sweep().isEmpty() ? "" : " (best validation balanced accuracy of the sweep)",
                        run.linear().trainSamples(), run.linear().testSamples(), run.linear().classes()))
                .keyValues(Map.of("accuracy", run.linear().accuracy(), "balanced accuracy",
                        run.linear().balancedAccuracy(), "weighted F1", run.linear().weightedF1()));
        if (!run.fewShot().isEmpty()) {
            double[] k = run.fewShot().stream().mapToDouble(LinearProbe.Shot::k).toArray();
            double[] bal = run.fewShot().stream().mapToDouble(LinearProbe.Shot::balancedAccuracyMean).toArray();
            double[] acc = run.fewShot().stream().mapToDouble(LinearProbe.Shot::accuracyMean).toArray();
            Map<String, double[][]> series = new LinkedHashMap<>();
            series.put("balanced accuracy", new double[][] {k, bal});
            series.put("accuracy", new double[][] {k, acc});
            Plots.lines(out.resolve("plots/few_shot.png"), "few-shot probes (mean over subsets)",
                    "examples per class", "score", series);
            List<List<?>> rows = new ArrayList<>();
            for (LinearProbe.Shot s : run.fewShot()) {
                rows.add(List.of(s.k(), s.subsets(), s.accuracyMean(), s.accuracySd(), s.balancedAccuracyMean(),
                        s.balancedAccuracySd()));
            }
            h.section("Few-shot").table(List.of("k per class", "subsets", "accuracy", "sd", "balanced accuracy",
                    "sd"), rows).image("plots/few_shot.png", "few-shot probes");
        }
        h.write(out.resolve(REPORT));
    }

    /**
     * Writes {@code embeddings.safetensors} ({@code image} and, when the pairs have texts, {@code text}, each
     * {@code [N, D]} L2-normalised float32 in the pairs' order) and {@code ids.json}.
     */
    public static Path embed(ClipEncoder encoder, List<ClipPairs.Pair> pairs, boolean withText, Path out) {
        for (ClipPairs.Pair p : pairs) {
            if (p.image() == null) {
                throw new DataException("sample '" + p.id() + "' has no image");
            }
        }
        float[][] img = encoder.images(pairs.stream().map(ClipPairs.Pair::image).toList());
        SafetensorsWriter w = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        w.put("image", org.pathoreason.model.io.DType.F32, new long[] {img.length, img[0].length}, flat(img));
        if (withText) {
            float[][] txt = encoder.texts(pairs.stream().map(ClipPairs.Pair::text).toList());
            w.put("text", org.pathoreason.model.io.DType.F32, new long[] {txt.length, txt[0].length}, flat(txt));
        }
        Path file = out.resolve("embeddings.safetensors");
        try {
            Files.createDirectories(out);
            Path tmp = out.resolve(".embeddings.safetensors.partial");
            w.write(tmp);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.writeString(out.resolve("ids.json"), Json.PRETTY.writeValueAsString(
                    pairs.stream().map(ClipPairs.Pair::id).toList()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static float[] flat(float[][] rows) {
        int d = rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * d, d);
        }
        return out;
    }

    private static List<ClipPairs.Pair> labelled(List<ClipPairs.Pair> pairs, String what) {
        List<ClipPairs.Pair> out = pairs.stream().filter(p -> p.image() != null && p.label() != null).toList();
        if (out.isEmpty()) {
            throw new DataException("no " + what + " sample has an image and a label (meta.label)");
        }
        return out;
    }

    private static double[][] rows(double[][] x, List<Integer> idx) {
        double[][] out = new double[idx.size()][];
        for (int i = 0; i < idx.size(); i++) {
            out[i] = x[idx.get(i)];
        }
        return out;
    }

    private static int[] ints(int[] y, List<Integer> idx) {
        return idx.stream().mapToInt(i -> y[i]).toArray();
    }

    private static void write(Path out, ObjectNode root) {
        try {
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve(METRICS), Json.PRETTY.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(METRICS) + ": " + e.getMessage(), e);
        }
    }
}
