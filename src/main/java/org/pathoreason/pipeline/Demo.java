package org.pathoreason.pipeline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo: the whole Patho-R1 / PathVLM-R1 recipe on the synthetic world with a tiny model, each stage evaluated
 * on the held-out test split:
 * <ol>
 *   <li>{@code base}: a tiny Qwen2.5-VL with random weights and a tokenizer trained on the world's text;</li>
 *   <li>{@code pretrain}: continued pretraining on image captions;</li>
 *   <li>{@code sft}: supervised fine-tuning on chains of thought ({@code <think>..</think><answer>..</answer>});</li>
 *   <li>{@code grpo}: GRPO on verifiable questions with the format and accuracy rewards;</li>
 *   <li>{@code grpo_process}: more GRPO adding the process reward (the knowledge-graph rubric judge) and the
 *       entity reward.</li>
 * </ol>
 * then {@code slides} ({@link SlideStage}): the last stage's model answers questions about synthetic whole slides
 * through patch selection; and, beside them, {@code clip} ({@link ClipStage}): a CLIP dual encoder on the world's
 * captions, evaluated zero-shot on the test tiles, by retrieval on held-out pairs and by probes.
 */
public final class Demo {

    public static final String TITLE = "PathoReason demo: a tiny pathology reasoning model, stage by stage";

    private Demo() {
    }

    /** The demo's stages in pipeline order. */
    public static List<StageSpec> stages(PipelineSettings s) {
        return List.of(
                new StageSpec("base", StageKind.INIT, null, null, List.of(),
                        "tiny Qwen2.5-VL, random weights"),
                new StageSpec("pretrain", StageKind.PRETRAIN, "base", "pretrain", s.pretrain(),
                        "continued pretraining on image captions"),
                new StageSpec("sft", StageKind.SFT, "pretrain", "sft", s.sft(),
                        "SFT on chains of thought"),
                new StageSpec("grpo", StageKind.GRPO, "sft", "rl", s.grpo(),
                        "GRPO, format + accuracy rewards"),
                new StageSpec("grpo_process", StageKind.GRPO, "grpo", "rl", s.grpoProcess(),
                        "GRPO, + process (KG rubric judge) and entity rewards"));
    }

    /** The demo as a pipeline writing into {@code out}. */
    public static Pipeline pipeline(Path out, PipelineSettings settings, PrintStream log, boolean progress) {
        String intro = "The synthetic pathology world (H&E-like tiles whose findings decide the answer through a "
                + "knowledge graph) is generated, a byte-level BPE tokenizer is trained on its text, and a tiny "
                + "Qwen2.5-VL goes through the Patho-R1 / PathVLM-R1 recipe: continued pretraining on captions, "
                + "SFT on chains of thought, GRPO with format and accuracy rewards, then GRPO adding the process "
                + "reward (knowledge-graph rubric judge) and the entity reward. Every stage is evaluated on the "
                + "same held-out test split. Beside them a CLIP dual encoder is trained on the world's captions and "
                + "evaluated zero-shot, by retrieval and by probes. The last stage's model is also asked about a few "
                + "synthetic whole slides, each shown as a handful of patches chosen over its tissue.";
        return new Pipeline(TITLE, intro, new Workspace(out, settings), stages(settings), CLAIMS, log, progress)
                .withSlideStage().withClipStage();
    }

    /** What the demo's stages are expected to show, tested as the ablation's claims are ({@link ClaimTests}). */
    public static final List<Claim> CLAIMS = List.of(
            new Claim("grpo > sft", "PathVLM-R1, Patho-R1: GRPO after SFT raises accuracy",
                    List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "grpo", "sft"))),
            new Claim("grpo shorter", "PathVLM-R1: RL after SFT lowers the mean output tokens",
                    List.of(Claim.Part.lower(Claim.Measure.OUTPUT_TOKENS, "grpo", "sft"))),
            new Claim("process entity", "PathReasoner-R1: the entity reward raises the entity score without "
                    + "lowering accuracy", List.of(Claim.Part.higher(Claim.Measure.ENTITY, "grpo_process", "grpo"),
                            Claim.Part.notLower(Claim.Measure.ACCURACY, "grpo_process", "grpo",
                                    Ablation.ACCURACY_MARGIN))));
}
