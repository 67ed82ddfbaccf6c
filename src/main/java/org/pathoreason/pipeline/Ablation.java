package org.pathoreason.pipeline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PathVLM-R1's ablation (its Table 1) on the synthetic world, every variant evaluated on the same test split:
 * <ul>
 *   <li>{@code init}, {@code base}: the random model, and the base model (continued pretraining on captions;
 *       PathVLM-R1's base is the pretrained Qwen2.5-VL);</li>
 *   <li>{@code alpha}: base + SFT on the SFT split;</li>
 *   <li>{@code beta}: alpha + GRPO on the RL split with the format and accuracy rewards;</li>
 *   <li>{@code gamma}: alpha + more SFT on the RL split, as many samples as beta's RL prompts (the control: is it
 *       RL, or only more data?);</li>
 *   <li>{@code delta}: base + SFT on the RL split only (alpha's recipe, other data);</li>
 *   <li>{@code epsilon}: base + GRPO on the RL split only (beta's recipe, no SFT first);</li>
 *   <li>{@code final}: alpha + GRPO as beta, with the process reward (knowledge-graph rubric judge) and the entity
 *       reward added.</li>
 * </ul>
 * The RL split has answers but no chains of thought (as real RL data), so gamma and delta learn
 * {@code <think></think><answer>X</answer>} ({@link #ANSWER_ONLY_TARGET}); beta, epsilon and final need none (their
 * rewards read the answer, the sample's entities and the knowledge graph). {@link AblationClaims} tests the papers'
 * claims on the seeds' paired per-question results.
 */
public final class Ablation {

    public static final String TITLE = "PathoReason ablation: PathVLM-R1 Table 1 on the synthetic world";

    /**
     * The SFT target of gamma and delta, which train on the RL split: its questions carry answers only (as real RL
     * data), so the target is {@code <think></think><answer>X</answer>}, the answer in the format the rewards and
     * the evaluation read, with no chain of thought to copy.
     */
    static final String ANSWER_ONLY_TARGET = "sft.target=empty-think-answer";

    private Ablation() {
    }

    public static List<StageSpec> stages(PipelineSettings s) {
        List<String> rl = s.grpo();
        List<String> rlProcess = new ArrayList<>();
        for (String o : rl) {
            if (!o.startsWith("reward.weights.")) {
                rlProcess.add(o);
            }
        }
        rlProcess.addAll(PipelineSettings.PROCESS_REWARDS);
        // gamma's SFT sees as many RL-split samples as beta's GRPO sees prompts
        List<String> gamma = new ArrayList<>();
        for (String o : s.sft()) {
            if (!o.startsWith("train.max_steps=") && !o.startsWith("train.batch_size=")
                    && !o.startsWith("train.warmup_steps=")) {
                gamma.add(o);
            }
        }
        gamma.add("train.max_steps=" + value(rl, "train.max_steps"));
        gamma.add("train.batch_size=" + value(rl, "train.batch_size"));
        gamma.add(ANSWER_ONLY_TARGET);
        List<String> delta = new ArrayList<>(s.sft());
        delta.add(ANSWER_ONLY_TARGET);
        return List.of(
                new StageSpec("init", StageKind.INIT, null, null, List.of(), "tiny Qwen2.5-VL, random weights"),
                new StageSpec("base", StageKind.PRETRAIN, "init", "pretrain", s.pretrain(),
                        "base: continued pretraining on captions"),
                new StageSpec("alpha", StageKind.SFT, "base", "sft", s.sft(), "alpha: base + SFT (SFT split)"),
                new StageSpec("beta", StageKind.GRPO, "alpha", "rl", rl,
                        "beta: alpha + GRPO, format + accuracy (RL split)"),
                new StageSpec("gamma", StageKind.SFT, "alpha", "rl", gamma,
                        "gamma: alpha + SFT on the RL split (control)"),
                new StageSpec("delta", StageKind.SFT, "base", "rl", delta, "delta: base + SFT on the RL split only"),
                new StageSpec("epsilon", StageKind.GRPO, "base", "rl", rl, "epsilon: base + GRPO on the RL split only"),
                new StageSpec("final", StageKind.GRPO, "alpha", "rl", rlProcess,
                        "final: alpha + GRPO with process and entity rewards"));
    }

    public static Pipeline pipeline(Path out, PipelineSettings settings, PrintStream log, boolean progress) {
        String intro = "PathVLM-R1's Table 1 asks what each ingredient adds: SFT (alpha), RL after SFT (beta), more "
                + "SFT on the RL data instead of RL (gamma, the control), SFT or RL on the RL data alone (delta, "
                + "epsilon) and the process reward (final). The same variants are trained here on the synthetic "
                + "world with fixed seeds and evaluated on one test split. PathVLM-R1 found beta > gamma and "
                + "final > beta.";
        return new Pipeline(TITLE, intro, new Workspace(out, settings), stages(settings), CLAIMS, log, progress);
    }

    /**
     * How far final's accuracy may fall below beta's and still count as "not lower" in PathReasoner-R1's entity
     * claim: two points, about one standard error of one run's accuracy on the quick preset's 480 closed test
     * questions, and a tenth of what SFT adds over chance.
     */
    public static final double ACCURACY_MARGIN = 0.02;

    /** The seeds {@code experiment ablation} runs when none is given: five replicates of the whole experiment. */
    public static final List<Long> DEFAULT_SEEDS = List.of(0L, 1L, 2L, 3L, 4L);

    /** The papers' claims about the ablation's variants, as {@link ClaimTests} tests them. */
    public static final List<Claim> CLAIMS = List.of(
            new Claim("beta > alpha", "PathVLM-R1: GRPO after SFT raises accuracy",
                    List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "beta", "alpha"))),
            new Claim("beta > gamma", "PathVLM-R1: RL on the RL split beats SFT on it (the control)",
                    List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "beta", "gamma"))),
            new Claim("final > beta", "PathVLM-R1: the process reward adds accuracy to GRPO",
                    List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "final", "beta"))),
            new Claim("beta > epsilon", "PathVLM-R1: SFT before RL matters (RL from the base learns little)",
                    List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "beta", "epsilon"))),
            new Claim("delta < alpha", "SFT on chains of thought (SFT split) beats SFT on the RL split's answers",
                    List.of(Claim.Part.lower(Claim.Measure.ACCURACY, "delta", "alpha"))),
            new Claim("beta shorter", "PathVLM-R1: RL after SFT lowers the mean output tokens",
                    List.of(Claim.Part.lower(Claim.Measure.OUTPUT_TOKENS, "beta", "alpha"))),
            new Claim("final entity", "PathReasoner-R1: the entity reward raises the entity score without lowering "
                    + "accuracy", List.of(Claim.Part.higher(Claim.Measure.ENTITY, "final", "beta"),
                            Claim.Part.notLower(Claim.Measure.ACCURACY, "final", "beta", ACCURACY_MARGIN))));

    private static String value(List<String> overrides, String key) {
        String found = null;
        for (String o : overrides) {
            if (o.startsWith(key + "=")) {
                found = o.substring(key.length() + 1);
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("the RL settings do not set " + key);
        }
        return found;
    }
}
