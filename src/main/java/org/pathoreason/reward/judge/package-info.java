/**
 * Process judges: PathVLM-R1's rubric ({@link org.pathoreason.reward.judge.ProcessRubric}: Integrity and Knowledge,
 * 0.4 off per missing element or error) scored by an LLM on any OpenAI-compatible endpoint
 * ({@link org.pathoreason.reward.judge.OpenAiJudge}: retries, bounded concurrency, cache, fallback, never throws) or
 * offline from a knowledge graph ({@link org.pathoreason.reward.judge.KnowledgeGraphRubricJudge}), and turned into a
 * reward by {@link org.pathoreason.reward.judge.ProcessReward}.
 */
package org.pathoreason.reward.judge;

