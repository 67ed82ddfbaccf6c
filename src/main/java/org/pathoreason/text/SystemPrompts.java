package org.pathoreason.text;

/**
 * System prompts and question instructions of the pathology reasoning models PathoReason reproduces.
 *
 * <p>The two Patho-R1 prompts are the ones its README gives for inference (chain-of-thought and
 * chain-of-draft), word for word, so that a Patho-R1 checkpoint sees the prompt it was trained with. The
 * PathVLM-R1 instruction follows the R1-V question suffix that PathVLM-R1 builds on. The PathReasoner prompt is
 * PathoReason's own wording of PathReasoner-R1's observe-think-answer format (its paper does not publish one
 * we could check).
 */
public final class SystemPrompts {

    /** Patho-R1's chain-of-thought system prompt. */
    public static final String PATHO_R1_COT = "You are a pathology expert, your task is to answer question step by "
            + "step. Use the following format:<think> Your step-by-step reasoning </think><answer> Your final "
            + "answer </answer>";

    /** Patho-R1's chain-of-draft system prompt: at most five words per reasoning step. */
    public static final String PATHO_R1_COD = "You are a pathology expert, your task is to think step by step, but "
            + "only keep a minimum draft for each thinking step, with 5 words at most. Return the answer at the "
            + "end of the response after a separator. Use the following format:<think> Your step-by-step "
            + "reasoning </think><answer> Your final answer </answer>";

    /** PathVLM-R1 / R1-V style instruction appended to the question (the system prompt stays Qwen's default). */
    public static final String THINK_ANSWER_INSTRUCTION = "Output the thinking process in <think> </think> and "
            + "final answer in <answer> </answer> tags.";

    /** PathReasoner-R1 style: observations first, then reasoning grounded in them, then the answer. */
    public static final String PATHREASONER_OBSERVE = "You are an expert pathologist. Look at the image first and "
            + "write the findings you see (tissue architecture, cells, nuclei, stroma, stains) inside <observe> "
            + "</observe>. Then reason step by step from those findings, using pathology knowledge, to a "
            + "conclusion inside <think> </think>. Finally give only the final answer inside <answer> </answer>. "
            + "Use the following format:<observe> Your findings </observe><think> Your step-by-step reasoning "
            + "</think><answer> Your final answer </answer>";

    private SystemPrompts() {
    }
}
