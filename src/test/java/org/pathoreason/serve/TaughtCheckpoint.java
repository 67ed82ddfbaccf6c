package org.pathoreason.serve;

import org.pathoreason.engine.GradientRecording;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.Generator;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.reward.judge.JudgePrompt;
import org.pathoreason.text.BpeModel;
import org.pathoreason.text.BpeTokenizerTrainer;
import org.pathoreason.text.SystemPrompts;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import org.pathoreason.train.AdamW;
import org.pathoreason.util.Json;

/**
 * A tiny checkpoint taught two answers through the server's own prompt path, so that tests see what a trained model
 * does: a pathology question gets a {@code <think>} naming graph entities and an {@code <answer>}; a judge's rubric
 * conversation gets a JSON verdict, also for judged completions it never saw in training (the GRPO test's policy
 * writes its own). It is trained (AdamW on one batch of the served prompts, a few hundred steps at most) until greedy
 * decoding gives both answers, then saved.
 */
public final class TaughtCheckpoint {

    static final String QUESTION = "What is the most likely diagnosis?";
    static final List<String> OPTIONS = List.of("Acute inflammation", "Chronic inflammation",
            "Granulomatous inflammation", "Squamous cell carcinoma");
    static final String REASONING = "Sheets of plasma cells and lymphocytes fill the stroma; this suggests chronic "
            + "inflammation.";
    static final String ANSWER = "B. Chronic inflammation";
    static final String COMPLETION = "<think>" + REASONING + "</think><answer>" + ANSWER + "</answer>";
    static final String VERDICT = "{\"integrity_score\": 0.75, \"knowledge_score\": 1.0}";

    private TaughtCheckpoint() {
    }

    /** Questions of the judge's training conversations (and of the GRPO samples that the test judges). */
    static final List<String> JUDGED_QUESTIONS = List.of("tissue", "cells", "gland", "stroma");

    /**
     * The taught checkpoint, made once per build under {@code target/test-fixtures} and shared by the test classes
     * (and test JVMs) that need it: made in a folder of its own, then renamed into place.
     */
    public static synchronized Path shared() throws IOException {
        String key = Integer.toHexString(("v2" + COMPLETION + VERDICT + QUESTION + OPTIONS + JUDGED_QUESTIONS).hashCode());
        Path dir = Path.of("target", "test-fixtures", "taught-" + key).toAbsolutePath();
        if (Files.isRegularFile(dir.resolve("taught").resolve("model.safetensors"))) {
            return dir.resolve("taught");
        }
        Path work = Files.createDirectories(dir.getParent()).resolve("making-" + java.util.UUID.randomUUID());
        create(work);
        try {
            Files.move(work, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            // another test JVM got there first: use its copy
        }
        return dir.resolve("taught");
    }

    static Path create(Path root) throws IOException {
        Path ckpt = Files.createDirectories(root.resolve("taught"));
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            corpus.add(JudgePrompt.system());
            corpus.add(SystemPrompts.PATHO_R1_COT);
            corpus.add(QUESTION + "\n" + String.join("\n", OPTIONS));
            corpus.add(COMPLETION);
            corpus.add(VERDICT);
            corpus.add("Question: Correct answer: Model output to grade: Options: (Not a multiple-choice question: "
                    + "treat option_elimination as present.)");
        }
        BpeModel bpe = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(1200))
                .train(corpus);
        bpe.write(ckpt.resolve("tokenizer.json"));
        PreprocessorConfig.defaults().withPixelBounds(TinyEvalFixture.MIN_PIXELS, TinyEvalFixture.MAX_PIXELS)
                .write(ckpt.resolve("preprocessor_config.json"));
        try (Tokenizer tok = Tokenizer.load(ckpt.resolve("tokenizer.json"));
             NDManager manager = Engines.newManager()) {
            TokenizerConfig.write(ckpt.resolve("tokenizer_config.json"), TokenizerConfig.build(tok));
            try (Qwen2VLModel model = Qwen2VLModel.random(config(tok), 3, manager)) {
                model.save(ckpt);
            }
        }
        teach(ckpt);
        return ckpt;
    }

    static Qwen2VLConfig config(Tokenizer tok) {
        Qwen2VLConfig tiny = Qwen2VLConfig.tiny(tok.vocabSize(), new Qwen2VLConfig.SpecialTokenIds(
                (int) tok.imagePadId(), (int) tok.videoPadId(), (int) tok.visionStartId(), (int) tok.visionEndId(),
                (int) tok.endOfTextId(), (int) tok.imEndId()));
        Qwen2VLConfig.TextConfig t = tiny.text();
        return new Qwen2VLConfig(tiny.vision(), new Qwen2VLConfig.TextConfig(t.vocabSize(), t.hiddenSize(),
                t.intermediateSize(), 2, t.numHeads(), t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(), t.mropeSection(),
                t.tieWordEmbeddings(), t.maxPositionEmbeddings(), t.initializerRange()), tiny.tokens());
    }

    /** The chat request a pathologist's page sends (one tile, the multiple-choice question). */
    static ObjectNode pageRequest(String imageDataUrl) {
        ObjectNode q = ServeTestKit.question(QUESTION, List.of(imageDataUrl));
        var o = q.putArray("options");
        OPTIONS.forEach(o::add);
        return q;
    }

    /** The conversation {@code OpenAiJudge} sends for a text-only sample. */
    static ObjectNode judgeRequest(Sample sample, String completion) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        var messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", JudgePrompt.system());
        var user = messages.addObject().put("role", "user").putArray("content");
        user.addObject().put("type", "text").put("text", JudgePrompt.user(sample, completion));
        return root;
    }

    static Sample judged(String question) {
        return Sample.builder("txt-" + question).question(question).answer("a").task(org.pathoreason.data.Task.OPEN)
                .build();
    }

    private static void teach(Path ckpt) {
        try (NDManager root = Engines.newManager();
             ServedModel served = ServedModel.load(ckpt, "taught", root)) {
            ChatPrompts prompts = new ChatPrompts(served, ServeOptions.builder().build());
            List<Prompt> inputs = new ArrayList<>();
            List<String> targets = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inputs.add(encode(prompts, pageRequest(ServeTestKit.dataUrl(ServeTestKit.png(56 + 28 * (i % 2),
                        56, i)))));
                targets.add(COMPLETION);
            }
            // the judged completions are what a tiny policy writes: up to 8 letters and digits, maybe none. The
            // verdict must not depend on them, so it is also checked on completions the model never saw in training.
            java.util.Random random = new java.util.Random(5);
            for (int i = 0; i < 6 * JUDGED_QUESTIONS.size(); i++) {
                inputs.add(encode(prompts, judgeRequest(judged(JUDGED_QUESTIONS.get(i % JUDGED_QUESTIONS.size())),
                        policyLike(random))));
                targets.add(VERDICT);
            }
            List<Prompt> unseen = new ArrayList<>();
            for (int i = 0; i < 6 * JUDGED_QUESTIONS.size(); i++) {
                unseen.add(encode(prompts, judgeRequest(judged(JUDGED_QUESTIONS.get(i % JUDGED_QUESTIONS.size())),
                        policyLike(random))));
            }
            Tokenizer tok = served.tokenizer();
            VisionLanguageModel model = served.model();
            Generator generator = new Generator(model, served.decoder());
            SamplingOptions greedy = SamplingOptions.greedy(48).withStopTokenIds(served.stopTokenIds());
            // one right-padded batch of prompt + answer + <|im_end|>; the loss counts answer tokens only
            List<long[]> rows = new ArrayList<>();
            List<float[]> patches = new ArrayList<>();
            List<int[]> grids = new ArrayList<>();
            int first = Integer.MAX_VALUE;
            for (int i = 0; i < inputs.size(); i++) {
                Prompt p = inputs.get(i);
                long[] answer = tok.encode(targets.get(i));
                long[] full = Arrays.copyOf(p.tokenIds(), p.tokenIds().length + answer.length + 1);
                System.arraycopy(answer, 0, full, p.tokenIds().length, answer.length);
                full[full.length - 1] = tok.imEndId();
                rows.add(full);
                patches.add(p.pixelPatches());
                grids.addAll(p.imageGrids());
                first = Math.min(first, p.tokenIds().length);
            }
            ModelInput batch = ModelInput.padded(rows, tok.endOfTextId(), false, ModelInput.concatPatches(patches),
                    grids);
            int width = batch.length() - first;
            float[] weights = new float[rows.size() * width];
            for (int i = 0; i < rows.size(); i++) {
                int promptLength = inputs.get(i).tokenIds().length;
                for (int c = promptLength; c < rows.get(i).length; c++) {
                    weights[i * width + c - first] = 1f;
                }
            }
            try (AdamW opt = new AdamW(model.parameters(), AdamW.Settings.defaults().withWeightDecay(0))) {
                for (int step = 1; step <= MAX_STEPS; step++) {
                    model.zeroGradients();
                    try (NDManager scope = root.newSubManager();
                         GradientCollector gc = GradientRecording.open()) {
                        NDArray lp = model.tokenLogProbs(batch, first, scope);
                        NDArray w = scope.create(weights, lp.getShape());
                        gc.backward(lp.mul(w).sum().div(-rows.size()));
                    }
                    opt.step(5e-3);
                    if (step % 40 == 0 && learned(generator, greedy, inputs, targets, root)
                            && learned(generator, greedy, unseen, java.util.Collections.nCopies(unseen.size(), VERDICT),
                            root)) {
                        System.err.println("taught checkpoint: both answers learned in " + step + " steps");
                        model.save(ckpt);
                        return;
                    }
                }
            }
            throw new AssertionError("the tiny model did not learn its two answers in " + MAX_STEPS + " steps");
        }
    }

    private static final int MAX_STEPS = 800;

    /** What the tiny test policy writes: 0 to 8 letters and digits. */
    private static String policyLike(java.util.Random random) {
        StringBuilder completion = new StringBuilder();
        for (int k = random.nextInt(9); k > 0; k--) {
            int c = random.nextInt(36);
            completion.append(c < 26 ? (char) ('a' + c) : (char) ('0' + c - 26));
        }
        return completion.toString();
    }

    private static boolean learned(Generator g, SamplingOptions greedy, List<Prompt> inputs, List<String> targets,
            NDManager root) {
        List<GenerationResult> out = g.generate(inputs, greedy, null, root);
        for (int i = 0; i < inputs.size(); i++) {
            if (!out.get(i).text().equals(targets.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static Prompt encode(ChatPrompts prompts, ObjectNode request) {
        return prompts.encode(ChatRequest.parse(request)).prompt();
    }
}
