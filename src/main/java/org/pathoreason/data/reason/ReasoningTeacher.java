package org.pathoreason.data.reason;

/** Writes a chain of thought from the facts the graph gives (offline templates, or an LLM). */
public interface ReasoningTeacher {

    /**
     * Writes the chain.
     *
     * @throws org.pathoreason.llm.LlmException when a model gives no usable reply; the sample is then rejected
     */
    Chain write(ChainFacts facts);

    /** What wrote the chains ({@code template}, or model and endpoint), recorded in the output. */
    String describe();
}
