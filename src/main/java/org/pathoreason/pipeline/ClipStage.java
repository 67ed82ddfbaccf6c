package org.pathoreason.pipeline;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.eval.clip.ClipEncoder;
import org.pathoreason.eval.clip.ClipEvaluation;
import org.pathoreason.eval.clip.LinearProbe;
import org.pathoreason.eval.clip.Retrieval;
import org.pathoreason.eval.clip.ZeroShotPrompts;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.DataOrder;
import org.pathoreason.train.StepRandom;
import org.pathoreason.train.clip.ClipPairs;
import org.pathoreason.train.clip.ClipTrainConfig;
import org.pathoreason.train.clip.ClipTrainer;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The demo's CLIP stage, beside the VLM stages: a CLIP dual encoder trained from scratch on the world's
 * figure-caption pairs ({@code pretrain.jsonl}, a seeded tenth held out) with the workspace's tokenizer, then
 * zero-shot diagnosis of the test tiles with the world's diagnosis names and synonyms as prompts, retrieval on the
 * held-out pairs, and linear and few-shot probes (training captions' images to the test tiles), each with its own
 * report under {@code OUT/clip/eval/}. Complete when {@code OUT/clip/eval/clip.json} exists.
 */
final class ClipStage {

    static final String NAME = "clip";
    static final String SCORES = "clip.json";
    static final double HELD_OUT = 0.1;

    /** The stage's figures, as {@code results.json}'s top-level {@code clip} object shows them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Scores(int trainPairs, int heldOutPairs, int testImages, double zeroShotAccuracy, double zeroShotChance,
            double balancedAccuracy, double weightedF1, double macroAuroc, Map<String, Map<String, Double>> retrieval,
            double retrievalChanceAt1, double linearProbeBalancedAccuracy, double linearProbeC,
            double fewShotBalancedAccuracyK1, double trainSeconds, double evalSeconds) {
    }

    private ClipStage() {
    }

    static Path scoresFile(Workspace ws) {
        return ws.stageDir(NAME).resolve("eval").resolve(SCORES);
    }

    /** Trains and evaluates what is missing; returns the scores. */
    static Scores run(Workspace ws, PrintStream log, int index, int count) {
        String tag = String.format(Locale.ROOT, "[%d/%d] %s", index, count, NAME);
        Path file = scoresFile(ws);
        if (Files.isRegularFile(file)) {
            Scores s = read(file);
            log.printf(Locale.ROOT, "%s: done earlier (%s)%n", tag, summary(s));
            return s;
        }
        log.printf(Locale.ROOT, "%s: CLIP dual encoder on the world's captions; zero-shot, retrieval, probes%n", tag);
        Path dir = ws.stageDir(NAME);
        Path trainFile = dir.resolve("data").resolve("train.jsonl");
        Path heldOutFile = dir.resolve("data").resolve("heldout.jsonl");
        if (!Files.isRegularFile(heldOutFile)) {
            writeSplit(ws, trainFile, heldOutFile);
        }
        long t0 = System.nanoTime();
        Path runDir = dir.resolve("run");
        Path finalDir = runDir.resolve(ClipTrainer.FINAL);
        if (!Files.isDirectory(finalDir)) {
            List<String> overrides = new ArrayList<>(List.of("train.seed=" + ws.settings().seed()));
            overrides.addAll(ws.settings().clip());
            ConfigLoader.Resolved<ClipTrainConfig> cfg = ClipTrainConfig.load(null, overrides);
            new ClipTrainer(cfg, trainFile, null, ws.tokenizerFile(), runDir).run();
        }
        double trainSeconds = Workspace.seconds(t0);
        org.pathoreason.eval.report.Plots.trainingCurves(runDir.resolve(ClipTrainer.METRICS), runDir.resolve("plots"),
                List.of("loss", "logit_scale", "val_loss", "val_recall_at_1"));
        long t1 = System.nanoTime();
        Path eval = dir.resolve("eval");
        try (ClipEncoder encoder = ClipEncoder.open(finalDir, 64)) {
            ZeroShotPrompts prompts = ZeroShotPrompts.fromGraph(KnowledgeGraph.load(ws.graphFile()),
                    ZeroShotPrompts.DEFAULT_TEMPLATES);
            List<ClipPairs.Pair> test = ClipPairs.read(ws.testFile());
            ClipEvaluation.ZeroShotRun zs = ClipEvaluation.zeroShot(encoder, prompts, test, false);
            ClipEvaluation.writeZeroShot(zs, "CLIP zero-shot diagnosis of the test tiles", eval.resolve("zeroshot"));
            List<ClipPairs.Pair> heldOut = ClipPairs.requireImageAndText(ClipPairs.read(heldOutFile), heldOutFile);
            Retrieval.Result ret = ClipEvaluation.retrieve(encoder, heldOut);
            ClipEvaluation.writeRetrieval(ret, "CLIP retrieval on held-out caption pairs", eval.resolve("retrieval"));
            List<ClipPairs.Pair> train = ClipPairs.read(trainFile);
            ClipEvaluation.ProbeRun probe = ClipEvaluation.probe(encoder, train, test,
                    new ClipEvaluation.ProbeOptions(null, 0.2, LinearProbe.DEFAULT_CS, 16, 5, ws.settings().seed()));
            ClipEvaluation.writeProbe(probe, "CLIP probes: caption images to test tiles", eval.resolve("probe"));
            Scores s = new Scores(train.size(), heldOut.size(), zs.result().samples(), zs.result().accuracy(),
                    zs.result().chance(), zs.result().balancedAccuracy(), zs.result().weightedF1(),
                    zs.result().macroAuroc(), Map.of("image_to_text", top3(ret.imageToText()), "text_to_image",
                            top3(ret.textToImage())), 1.0 / ret.pairs(), probe.linear().balancedAccuracy(),
                    probe.linear().c(), probe.fewShot().isEmpty() ? Double.NaN
                            : probe.fewShot().get(0).balancedAccuracyMean(), trainSeconds, Workspace.seconds(t1));
            try {
                AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(s) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log.printf(Locale.ROOT, "%s: trained in %.1f s; test %s%n", tag, trainSeconds, summary(s));
            return s;
        }
    }

    private static Map<String, Double> top3(Retrieval.Direction d) {
        return Map.of("R@1", d.recallAt(1), "R@5", d.recallAt(5), "R@10", d.recallAt(10));
    }

    static String summary(Scores s) {
        return String.format(Locale.ROOT, "zero-shot accuracy %.3f (chance %.3f), balanced %.3f; retrieval R@1 "
                + "image->text %.3f, text->image %.3f (chance %.3f); linear probe balanced accuracy %.3f",
                s.zeroShotAccuracy(), s.zeroShotChance(), s.balancedAccuracy(),
                s.retrieval().get("image_to_text").get("R@1"), s.retrieval().get("text_to_image").get("R@1"),
                s.retrievalChanceAt1(), s.linearProbeBalancedAccuracy());
    }

    /** The world's caption split in two, a seeded {@link #HELD_OUT} share held out; images point into the world. */
    private static void writeSplit(Workspace ws, Path trainFile, Path heldOutFile) {
        List<Sample> all = SampleJsonl.read(ws.worldDir().resolve("pretrain.jsonl"));
        int held = Math.max(2, (int) Math.round(all.size() * HELD_OUT));
        int[] order = new DataOrder(all.size(), StepRandom.derive(ws.settings().seed(), 0, "clip-held-out"), true)
                .epochOrder(0);
        boolean[] isHeld = new boolean[all.size()];
        for (int i = 0; i < held; i++) {
            isHeld[order[i]] = true;
        }
        List<Sample> train = new ArrayList<>();
        List<Sample> heldOut = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Sample s = all.get(i);
            Sample moved = withImages(s, s.images().stream().map(im -> "../../" + Workspace.WORLD + "/" + im)
                    .toList());
            (isHeld[i] ? heldOut : train).add(moved);
        }
        try {
            Files.createDirectories(trainFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SampleJsonl.write(trainFile, train);
        SampleJsonl.write(heldOutFile, heldOut);
    }

    /** The one place this stage makes samples. */
    private static Sample withImages(Sample s, List<String> images) {
        return new Sample(s.id(), images, s.question(), s.options(), s.answer(), s.answerText(), s.reasoning(),
                s.caption(), s.entities(), s.task(), s.subset(), s.meta());
    }

    static Scores read(Path file) {
        try {
            return Json.MAPPER.readValue(file.toFile(), Scores.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code results.json}'s {@code clip} object. */
    static ObjectNode toJson(Scores s) {
        return Json.MAPPER.valueToTree(s);
    }
}
