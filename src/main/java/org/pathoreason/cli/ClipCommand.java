package org.pathoreason.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.pathoreason.data.DataException;
import org.pathoreason.data.readers.ImageFolderReader;
import org.pathoreason.eval.clip.ClipEncoder;
import org.pathoreason.eval.clip.ClipEvaluation;
import org.pathoreason.eval.clip.Retrieval;
import org.pathoreason.eval.clip.ZeroShot;
import org.pathoreason.eval.clip.ZeroShotPrompts;
import org.pathoreason.eval.report.HtmlReport;
import org.pathoreason.eval.report.Plots;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.clip.ClipPairs;
import org.pathoreason.train.clip.ClipTrainConfig;
import org.pathoreason.train.clip.ClipTrainer;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.pathoreason.util.Progress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason clip train|zeroshot|retrieve|probe|embed}: the CLIP dual encoder and its protocols. */
@Command(name = "clip", mixinStandardHelpOptions = true,
        description = "CLIP dual encoder (OpenCLIP-compatible): contrastive training, zero-shot classification, "
                + "retrieval, linear and few-shot probes, embedding export.",
        subcommands = {ClipCommand.Train.class, ClipCommand.ZeroShotCmd.class, ClipCommand.Retrieve.class,
            ClipCommand.Probe.class, ClipCommand.Embed.class})
public final class ClipCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What the evaluation commands share. */
    abstract static class EvalBase implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "CLIP model folder: OpenCLIP's (open_clip_config.json, open_clip_model.safetensors) or "
                        + "a Hugging Face CLIPModel, with tokenizer.json.")
        Path model;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Output folder: metrics.json, report.html, plots/.")
        Path out;

        @Option(names = "--batch-size", defaultValue = "64", description = "Images or texts encoded together "
                + "(default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Mixin
        EngineMixin engine;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** An encoder drawing one progress bar per batch run (images or texts). */
        ClipEncoder encoder() {
            engine.start();
            ClipEncoder e = ClipEncoder.open(model, batchSize);
            if (!noProgress) {
                Progress.Task[] bar = {null};
                e.listener((done, total) -> {
                    if (bar[0] == null) {
                        bar[0] = Progress.bar("encode", total, "item");
                    }
                    bar[0].stepTo(done);
                    if (done == total) {
                        bar[0].close();
                        bar[0] = null;
                    }
                });
            }
            return e;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Contrastive training on image-text pairs (caption JSONL, LLaVA records or an "
                    + "image,caption CSV) into a run folder: run.json, metrics.jsonl, checkpoints/step-N/, final/ "
                    + "(OpenCLIP layout), metrics.json and report.html. Given again after an interruption it "
                    + "resumes from the newest checkpoint.")
    static final class Train implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Image-text pairs.")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder.")
        Path out;

        @Option(names = "--model", paramLabel = "DIR",
                description = "A CLIP model folder to fine-tune (with its tokenizer.json).")
        Path model;

        @Option(names = "--tokenizer", paramLabel = "FILE",
                description = "tokenizer.json of a new model (sizes from the clip: section of the config).")
        Path tokenizer;

        @Option(names = "--lock-image", description = "Keep the image tower fixed (LiT); same as --set "
                + "train.freeze_vision=true.")
        boolean lockImage;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Mixin
        TrainConfigMixin config;

        @Mixin
        EngineMixin engine;

        @Override
        public Integer call() {
            if ((model == null) == (tokenizer == null)) {
                throw new IllegalArgumentException("give --model DIR (fine-tune) or --tokenizer FILE (new model)");
            }
            List<String> overrides = new ArrayList<>(config.overrides());
            if (lockImage) {
                overrides.add("train.freeze_vision=true");
            }
            ConfigLoader.Resolved<ClipTrainConfig> resolved = ClipTrainConfig.load(config.configFile(), overrides);
            engine.start();
            Progress.Task[] bar = {null};
            ClipTrainer trainer = new ClipTrainer(resolved, data, model, tokenizer, out);
            if (!noProgress) {
                trainer.listener((step, total, m) -> {
                    if (bar[0] == null) {
                        bar[0] = Progress.bar("clip", total, "step");
                    }
                    bar[0].stepTo(step);
                    bar[0].setExtraMessage(String.format(Locale.ROOT, " loss %.4f", (Double) m.get("loss")));
                });
            }
            ClipTrainer.Result r;
            try {
                r = trainer.run();
            } finally {
                if (bar[0] != null) {
                    bar[0].close();
                }
            }
            writeTrainReport(out, r);
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "clip done: %d steps (%d this run%s) on %d pairs, loss %.4f, logit scale %.2f%s%n",
                    r.steps(), r.stepsThisRun(), r.resumedFrom() > 0 ? ", resumed from step " + r.resumedFrom() : "",
                    r.trainPairs(), r.lastLoss(), r.logitScale(), Double.isNaN(r.lastValLoss()) ? ""
                            : String.format(Locale.ROOT, ", held-out loss %.4f, recall@1 %.3f on %d pairs",
                                    r.lastValLoss(), r.lastValRecall(), r.valPairs()));
            o.println("model: " + r.finalDir());
            o.flush();
            return 0;
        }
    }

    static void writeTrainReport(Path runDir, ClipTrainer.Result r) {
        try {
            AtomicFiles.writeString(runDir.resolve(ClipEvaluation.METRICS), Json.PRETTY.writeValueAsString(r) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> plots = Plots.trainingCurves(runDir.resolve(ClipTrainer.METRICS), runDir.resolve("plots"),
                List.of("loss", "val_loss", "val_recall_at_1", "logit_scale", "lr", "images_per_s"));
        HtmlReport h = new HtmlReport("CLIP training: " + runDir.getFileName()).section("Run")
                .keyValues(Map.of("steps", r.steps(), "training pairs", r.trainPairs(), "held-out pairs",
                        r.valPairs(), "last loss", r.lastLoss(), "logit scale", r.logitScale()));
        for (Path p : plots) {
            h.image("plots/" + p.getFileName(), p.getFileName().toString().replace(".png", ""));
        }
        h.write(runDir.resolve(ClipEvaluation.REPORT));
    }

    @Command(name = "zeroshot", mixinStandardHelpOptions = true,
            description = "Zero-shot classification: class embeddings from prompts (every template times every "
                    + "class name, averaged), each image assigned the closest class; accuracy, balanced accuracy, "
                    + "weighted F1, Cohen's kappa, macro AUROC, confusion matrix. Without --data it builds and "
                    + "encodes the prompts and prints them per class.")
    static final class ZeroShotCmd extends EvalBase {
        @Option(names = "--data", paramLabel = "FILE",
                description = "Labelled images (meta.label, or the synthetic world's meta.synth.diagnosis).")
        Path data;

        @Option(names = "--prompts", paramLabel = "FILE",
                description = "CONCH's prompt file, or Quilt's class-name file with --dataset.")
        Path prompts;

        @Option(names = "--dataset", paramLabel = "NAME", description = "Which dataset of a class-name file.")
        String dataset;

        @Option(names = "--graph", paramLabel = "FILE",
                description = "Prompts from a knowledge graph's diagnoses (names and synonyms) instead.")
        Path graph;

        @Option(names = "--ordinal", description = "The classes are ordered grades: report quadratic kappa.")
        boolean ordinal;

        @Override
        public Integer call() {
            if ((prompts == null) == (graph == null)) {
                throw new IllegalArgumentException("give --prompts FILE or --graph FILE");
            }
            ZeroShotPrompts p = prompts != null ? ZeroShotPrompts.read(prompts, dataset)
                    : ZeroShotPrompts.fromGraph(KnowledgeGraph.load(graph), ZeroShotPrompts.DEFAULT_TEMPLATES);
            try (ClipEncoder encoder = encoder()) {
                if (data == null) {
                    float[][] classes = ZeroShot.classEmbeddings(encoder, p);
                    out().printf(Locale.ROOT, "%d classes, %d templates; class embeddings of width %d%n",
                            classes.length, p.templates().size(), classes[0].length);
                    for (String label : p.labels()) {
                        List<String> ps = p.prompts(label);
                        out().printf(Locale.ROOT, "  %-40s %3d prompts, e.g. \"%s\"%n", label, ps.size(), ps.get(0));
                    }
                    out().flush();
                    return 0;
                }
                ClipEvaluation.ZeroShotRun run = ClipEvaluation.zeroShot(encoder, p, ClipPairs.read(data), ordinal);
                ClipEvaluation.writeZeroShot(run, "CLIP zero-shot: " + data.getFileName(), out);
                ZeroShot.Result r = run.result();
                out().printf(Locale.ROOT, "zero-shot on %d images, %d classes: accuracy %.3f (chance %.3f), balanced "
                        + "accuracy %.3f, weighted F1 %.3f, kappa %.3f, quadratic kappa %.3f, macro AUROC %.3f%s%n",
                        r.samples(), r.classes(), r.accuracy(), r.chance(), r.balancedAccuracy(), r.weightedF1(),
                        r.cohenKappa(), r.quadraticKappa(), r.macroAuroc(),
                        run.skipped() > 0 ? "; " + run.skipped() + " skipped" : "");
                out().println("report: " + out.resolve(ClipEvaluation.REPORT));
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "retrieve", mixinStandardHelpOptions = true,
            description = "Image-to-text and text-to-image retrieval over image-text pairs: R@1, R@5, R@10, R@20, "
                    + "mean and median rank.")
    static final class Retrieve extends EvalBase {
        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Image-text pairs.")
        Path data;

        @Option(names = "--limit", defaultValue = "0", description = "Use the first N pairs (0: all).")
        int limit;

        @Override
        public Integer call() {
            List<ClipPairs.Pair> pairs = ClipPairs.requireImageAndText(ClipPairs.read(data), data);
            if (limit > 0 && pairs.size() > limit) {
                pairs = pairs.subList(0, limit);
            }
            try (ClipEncoder encoder = encoder()) {
                Retrieval.Result r = ClipEvaluation.retrieve(encoder, pairs);
                ClipEvaluation.writeRetrieval(r, "CLIP retrieval: " + data.getFileName(), out);
                for (var d : List.of(Map.entry("image->text", r.imageToText()), Map.entry("text->image",
                        r.textToImage()))) {
                    out().printf(Locale.ROOT, "%s over %d pairs: R@1 %.3f, R@5 %.3f, R@10 %.3f, R@20 %.3f, mean rank "
                            + "%.1f, median rank %.1f%n", d.getKey(), r.pairs(), d.getValue().recallAt(1),
                            d.getValue().recallAt(5), d.getValue().recallAt(10), d.getValue().recallAt(20),
                            d.getValue().meanRank(), d.getValue().medianRank());
                }
                out().println("report: " + out.resolve(ClipEvaluation.REPORT));
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Linear probe (L2 logistic regression by L-BFGS, as scikit-learn's) on frozen image "
                    + "embeddings, C fixed or swept on a validation share of the training images, and few-shot "
                    + "probes (k = 1, 2, 4, ... per class over seeded subsets).")
    static final class Probe extends EvalBase {
        @Option(names = "--train", required = true, paramLabel = "FILE", description = "Labelled training images.")
        Path train;

        @Option(names = "--test", required = true, paramLabel = "FILE", description = "Labelled test images.")
        Path test;

        @Option(names = "--c", paramLabel = "C", description = "Fixed inverse regularisation (default: sweep "
                + "1e-6 .. 1e5 on 20% of the training images).")
        Double c;

        @Option(names = "--few-shot-max-k", defaultValue = "128", description = "Largest k of the few-shot "
                + "probes, 0 for none (default ${DEFAULT-VALUE}).")
        int maxK;

        @Option(names = "--subsets", defaultValue = "10", description = "Random subsets per k (default "
                + "${DEFAULT-VALUE}).")
        int subsets;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Override
        public Integer call() {
            try (ClipEncoder encoder = encoder()) {
                ClipEvaluation.ProbeOptions o = new ClipEvaluation.ProbeOptions(c, 0.2,
                        org.pathoreason.eval.clip.LinearProbe.DEFAULT_CS, maxK, subsets, seed);
                ClipEvaluation.ProbeRun run = ClipEvaluation.probe(encoder, ClipPairs.read(train),
                        ClipPairs.read(test), o);
                ClipEvaluation.writeProbe(run, "CLIP probes: " + train.getFileName(), out);
                var l = run.linear();
                out().printf(Locale.ROOT, "linear probe (C = %s): accuracy %.3f, balanced accuracy %.3f, weighted F1 "
                        + "%.3f on %d test images, %d classes%n", fmtC(l.c()), l.accuracy(), l.balancedAccuracy(),
                        l.weightedF1(), l.testSamples(), l.classes());
                for (var s : run.fewShot()) {
                    out().printf(Locale.ROOT, "  %3d-shot: balanced accuracy %.3f +- %.3f (%d subsets)%n", s.k(),
                            s.balancedAccuracyMean(), s.balancedAccuracySd(), s.subsets());
                }
                out().println("report: " + out.resolve(ClipEvaluation.REPORT));
                out().flush();
                return 0;
            }
        }
    }

    /** C as a person writes it: 1, 0.01, 1e-06. */
    static String fmtC(double c) {
        return java.math.BigDecimal.valueOf(c).stripTrailingZeros().toString().toLowerCase(Locale.ROOT)
                .replace("e+", "e");
    }

    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "Export L2-normalised embeddings: embeddings.safetensors with image [N, D] and text "
                    + "[N, D] (from each sample's caption, else its question) in file order, and ids.json.")
    static final class Embed extends EvalBase {
        @Option(names = "--data", paramLabel = "FILE", description = "Samples (any readable format).")
        Path data;

        @Option(names = "--images", paramLabel = "DIR", description = "A folder of images instead (image only).")
        Path images;

        @Override
        public Integer call() {
            if ((data == null) == (images == null)) {
                throw new IllegalArgumentException("give --data FILE or --images DIR");
            }
            List<ClipPairs.Pair> pairs = data != null ? ClipPairs.read(data) : folder(images);
            try (ClipEncoder encoder = encoder()) {
                Path file = ClipEvaluation.embed(encoder, pairs, data != null, out);
                out().printf(Locale.ROOT, "%d embeddings of width %d -> %s%n", pairs.size(),
                        encoder.model().config().embedDim(), file);
                out().flush();
                return 0;
            }
        }

        static List<ClipPairs.Pair> folder(Path dir) {
            if (!Files.isDirectory(dir)) {
                throw new DataException(dir + ": not a folder");
            }
            try (Stream<Path> s = Files.walk(dir)) {
                List<ClipPairs.Pair> out = s.filter(Files::isRegularFile).filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    int dot = n.lastIndexOf('.');
                    return dot > 0 && ImageFolderReader.IMAGE_EXTENSIONS.contains(n.substring(dot + 1));
                }).sorted().map(p -> new ClipPairs.Pair(dir.relativize(p).toString().replace('\\', '/'),
                        p.toAbsolutePath(), "", null)).toList();
                if (out.isEmpty()) {
                    throw new DataException(dir + ": no images (" + ImageFolderReader.IMAGE_EXTENSIONS + ")");
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
