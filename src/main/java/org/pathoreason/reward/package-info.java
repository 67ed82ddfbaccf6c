/**
 * Rewards for reinforcement learning on reasoning completions. Every reward implements
 * {@link org.pathoreason.reward.Reward}: {@code score(RewardInput)} gives a {@link org.pathoreason.reward.RewardResult}
 * (the value and its named parts for metrics logging); {@link org.pathoreason.reward.WeightedReward} sums them.
 *
 * <ul>
 *   <li>{@link org.pathoreason.reward.FormatReward}: the R1 {@code <think>..</think><answer>..</answer>} full match, or
 *       PathReasoner's {@code <observe>} variant;
 *   <li>{@link org.pathoreason.reward.AccuracyReward}: PathVLM-R1's strict multiple-choice rule or a lenient reading,
 *       yes/no, open answers by token F1, ROUGE-L or MiniLM embedding similarity;
 *   <li>{@link org.pathoreason.reward.EntityReward}: PathReasoner-R1's soft Dice of knowledge-graph entities in the
 *       reasoning against the sample's gold entities;
 *   <li>{@link org.pathoreason.reward.LengthReward}: DAPO's overlong shaping ({@link org.pathoreason.reward.OverlongShaping})
 *       and an n-gram repetition penalty;
 *   <li>{@link org.pathoreason.reward.judge.ProcessReward}: PathVLM-R1's process rubric from an LLM judge or from the
 *       knowledge graph (package {@code judge}).
 * </ul>
 */
package org.pathoreason.reward;

