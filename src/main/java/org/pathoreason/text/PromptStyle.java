package org.pathoreason.text;

/**
 * How a question is put to the model: which system prompt and which instruction after the question.
 */
public enum PromptStyle {
    /** Patho-R1 chain-of-thought. */
    COT(SystemPrompts.PATHO_R1_COT, null),
    /** Patho-R1 chain-of-draft (terse steps). */
    COD(SystemPrompts.PATHO_R1_COD, null),
    /** PathVLM-R1 / R1-V: default system prompt, think/answer instruction after the question. */
    THINK_ANSWER(null, SystemPrompts.THINK_ANSWER_INSTRUCTION),
    /** PathReasoner-R1: observe, think, answer. */
    OBSERVE_THINK_ANSWER(SystemPrompts.PATHREASONER_OBSERVE, null),
    /** The bare question (pretraining, captioning, baselines). */
    PLAIN(null, null);

    private final String systemPrompt;
    private final String instruction;

    PromptStyle(String systemPrompt, String instruction) {
        this.systemPrompt = systemPrompt;
        this.instruction = instruction;
    }

    /** The system prompt, or null to leave the chat template's default. */
    public String systemPrompt() {
        return systemPrompt;
    }

    /** Text appended to the question after a space, or null. */
    public String instruction() {
        return instruction;
    }

    /** Parses a style name case-insensitively ({@code cot}, {@code cod}, {@code think-answer}, ...). */
    public static PromptStyle parse(String name) {
        String key = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (PromptStyle s : values()) {
            if (s.name().equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown prompt style '" + name
                + "', expected one of cot, cod, think-answer, observe-think-answer, plain");
    }
}
