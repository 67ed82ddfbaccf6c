/**
 * Knowledge-graph-guided reasoning data ({@link org.pathoreason.data.reason.ReasoningDataBuilder}): entities of a
 * labelled sample, shortest graph paths from its findings to its answer and to the wrong options, chains of thought
 * written from them offline ({@link org.pathoreason.data.reason.TemplateTeacher}) or by an LLM teacher
 * ({@link org.pathoreason.data.reason.LlmTeacher}), verified against the gold answer and the graph, written as SFT
 * data with the paths in {@code meta.guidance}. Uses {@code knowledge}, {@code text}, {@code llm} and {@code data};
 * never {@code reward} or later packages (an optional judge plugs in as a {@link
 * org.pathoreason.data.reason.ChainJudge}).
 */
package org.pathoreason.data.reason;
