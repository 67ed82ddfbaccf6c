/**
 * The arithmetic of GRPO and DAPO, as verl and TRL compute it, in plain Java over arrays and as DJL NDArray functions
 * for autograd: group-relative {@link org.pathoreason.train.rl.Advantages}, per-token
 * {@link org.pathoreason.train.rl.KlEstimators} (k1, k2, k3), the clipped surrogate
 * {@link org.pathoreason.train.rl.PolicyLoss} (clip-higher, dual clip, KL term, clip and KL statistics) and
 * {@link org.pathoreason.train.rl.LossAggregation} modes. DAPO's overlong shaping lives in the reward package
 * ({@link org.pathoreason.reward.OverlongShaping}).
 */
package org.pathoreason.train.rl;

