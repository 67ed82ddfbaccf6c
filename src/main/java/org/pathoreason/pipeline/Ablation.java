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
 */
public final class Ablation {

    public static final String TITLE = "PathoReason ablation: PathVLM-R1 Table 1 on the synthetic world";

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
        return List.of(
                new StageSpec("init", StageKind.INIT, null, null, List.of(), "tiny Qwen2.5-VL, random weights"),
                new StageSpec("base", StageKind.PRETRAIN, "init", "pretrain", s.pretrain(),
                        "base: continued pretraining on captions"),
                new StageSpec("alpha", StageKind.SFT, "base", "sft", s.sft(), "alpha: base + SFT (SFT split)"),
                new StageSpec("beta", StageKind.GRPO, "alpha", "rl", rl,
                        "beta: alpha + GRPO, format + accuracy (RL split)"),
                new StageSpec("gamma", StageKind.SFT, "alpha", "rl", gamma,
                        "gamma: alpha + SFT on the RL split (control)"),
                new StageSpec("delta", StageKind.SFT, "base", "rl", s.sft(), "delta: base + SFT on the RL split only"),
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
        return new Pipeline(TITLE, intro, new Workspace(out, settings), stages(settings), log, progress);
    }

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
