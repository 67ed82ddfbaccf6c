package org.pathoreason.train.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pathoreason.engine.Scalars;

/**
 * The PPO/GRPO clipped surrogate with decoupled clip range (DAPO's clip-higher), optional dual clip for negative
 * advantages, a choice of loss aggregation and an optional KL-to-reference loss term; arithmetic as verl's
 * {@code compute_policy_loss_vanilla} and {@code kl_penalty} (verl/trainer/ppo/core_algos.py).
 *
 * <p>Per token, with {@code ratio = exp(clamp(logp - oldLogp, -20, 20))} and advantage A:
 * <pre>
 *   clipped = max(-A * ratio, -A * clamp(ratio, 1 - clipLow, 1 + clipHigh))
 *   loss    = A &lt; 0 and dual clip on ? min(clipped, -A * c) : clipped
 * </pre>
 * then aggregated over the response mask ({@link LossAggregation}). With a reference policy and {@code klCoef > 0}
 * the total is {@code pgLoss + klCoef * aggregate(kl(logp, refLogp))}, as verl's {@code use_kl_loss}.
 *
 * <p>Two forms with the same arithmetic: plain Java over [B][T] arrays (tests, logging) and DJL NDArrays for the
 * trainer's autograd (the returned loss keeps the graph of {@code logp}).
 */
public final class PolicyLoss {

    /**
     * Settings of the loss.
     *
     * @param clipLow lower clip range: ratio is clipped at 1 - clipLow (0.2)
     * @param clipHigh upper clip range: ratio is clipped at 1 + clipHigh (0.2 GRPO, 0.28 DAPO clip-higher)
     * @param dualClipC dual-clip bound c for negative advantages (verl's clip_ratio_c, 3.0); 0 turns dual clip off
     * @param aggregation how token losses become a scalar
     * @param normaliser the fixed length for {@code seq-mean-token-sum-norm}; 0 means the mask width
     * @param klEstimator the estimator of the KL loss term
     * @param klCoef weight of the KL loss term; 0 turns it off (no reference log-probs needed)
     */
    public record Options(double clipLow, double clipHigh, double dualClipC, LossAggregation aggregation,
                          double normaliser, KlEstimators.Kind klEstimator, double klCoef) {
        public Options {
            if (!(clipLow >= 0 && clipLow < 1)) {
                throw new IllegalArgumentException("clipLow must be in [0, 1), got " + clipLow);
            }
            if (!(clipHigh >= 0) || Double.isInfinite(clipHigh)) {
                throw new IllegalArgumentException("clipHigh must be a finite number >= 0, got " + clipHigh);
            }
            if (dualClipC != 0 && !(dualClipC > 1)) {
                throw new IllegalArgumentException("dualClipC must be > 1 (or 0 to turn dual clip off), got "
                        + dualClipC);
            }
            if (aggregation == null || klEstimator == null) {
                throw new IllegalArgumentException("aggregation and klEstimator are required");
            }
            if (!(normaliser >= 0) || !(klCoef >= 0)) {
                throw new IllegalArgumentException("normaliser and klCoef must be >= 0, got " + normaliser + " and "
                        + klCoef);
            }
        }

        public Options withClip(double low, double high) {
            return new Options(low, high, dualClipC, aggregation, normaliser, klEstimator, klCoef);
        }

        public Options withDualClip(double c) {
            return new Options(clipLow, clipHigh, c, aggregation, normaliser, klEstimator, klCoef);
        }

        public Options withAggregation(LossAggregation a, double fixedLength) {
            return new Options(clipLow, clipHigh, dualClipC, a, fixedLength, klEstimator, klCoef);
        }

        public Options withKl(KlEstimators.Kind estimator, double coef) {
            return new Options(clipLow, clipHigh, dualClipC, aggregation, normaliser, estimator, coef);
        }

        public boolean dualClip() {
            return dualClipC != 0;
        }
    }

    /**
     * Loss value and diagnostics. Fractions and means are over response tokens (mask 1).
     *
     * @param loss the total loss (policy-gradient loss plus the weighted KL term)
     * @param pgLoss the aggregated clipped surrogate
     * @param klLoss the aggregated KL term before weighting (0 when off)
     * @param clipFraction verl's {@code pg_clipfrac}: share of tokens where the clipped term was taken
     * @param clipFractionLow share of tokens with A &lt; 0 and ratio &lt; 1 - clipLow
     * @param clipFractionHigh share of tokens with A &gt; 0 and ratio &gt; 1 + clipHigh
     * @param dualClipFraction verl's {@code pg_clipfrac_lower}: share of tokens where the dual clip bound was taken
     * @param approxKl verl's {@code ppo_kl}: mean of oldLogp - logp
     * @param klToReference mean per-token KL estimate to the reference (NaN without reference log-probs)
     * @param ratioMean mean importance ratio
     * @param tokens number of response tokens
     */
    public record Stats(double loss, double pgLoss, double klLoss, double clipFraction, double clipFractionLow,
                        double clipFractionHigh, double dualClipFraction, double approxKl, double klToReference,
                        double ratioMean, double tokens) {

        /** The stats as metric names and values, for metrics.jsonl. */
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", loss);
            m.put("pg_loss", pgLoss);
            m.put("kl_loss", klLoss);
            m.put("clip_fraction", clipFraction);
            m.put("clip_fraction_low", clipFractionLow);
            m.put("clip_fraction_high", clipFractionHigh);
            m.put("dual_clip_fraction", dualClipFraction);
            m.put("approx_kl", approxKl);
            m.put("kl_to_reference", klToReference);
            m.put("ratio_mean", ratioMean);
            m.put("tokens", tokens);
            return m;
        }
    }

    /** The differentiable loss (a scalar NDArray) and its detached diagnostics. */
    public record Output(NDArray loss, Stats stats) {
    }

    private final Options options;

    public PolicyLoss(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** The importance ratio verl uses: exp of the log-ratio clamped to [-20, 20]. */
    public static double ratio(double logp, double oldLogp) {
        return Math.exp(KlEstimators.clamp(logp - oldLogp, -20, 20));
    }

    /** The loss of one token for a given ratio and advantage; {@code dualClipC} 0 means no dual clip. */
    public static double tokenLoss(double ratio, double advantage, double clipLow, double clipHigh,
                                   double dualClipC) {
        double unclipped = -advantage * ratio;
        double clipped = -advantage * KlEstimators.clamp(ratio, 1 - clipLow, 1 + clipHigh);
        double loss = Math.max(unclipped, clipped);
        if (dualClipC != 0 && advantage < 0) {
            loss = Math.min(loss, -advantage * dualClipC);
        }
        return loss;
    }

    /**
     * Plain-Java loss over [B][T] arrays.
     *
     * @param advantages one advantage per sequence [B]
     * @param refLogp reference log-probs [B][T], or null when the KL term is off
     */
    public Stats compute(double[][] logp, double[][] oldLogp, double[] advantages, double[][] mask,
                         double[][] refLogp) {
        LossAggregation.checkShapes(logp, oldLogp);
        LossAggregation.checkShapes(logp, mask);
        if (advantages.length != logp.length) {
            throw new IllegalArgumentException("advantages has " + advantages.length + " entries for a batch of "
                    + logp.length);
        }
        boolean useKl = needsReference(refLogp != null);
        int b = logp.length;
        int t = b == 0 ? 0 : logp[0].length;
        double[][] losses = new double[b][t];
        double[][] kl = refLogp == null ? null : options.klEstimator().perToken(logp, refLogp);
        double tokens = 0;
        double clipped = 0;
        double low = 0;
        double high = 0;
        double dual = 0;
        double negKl = 0;
        double ratioSum = 0;
        double klSum = 0;
        for (int i = 0; i < b; i++) {
            double a = advantages[i];
            for (int j = 0; j < t; j++) {
                double logRatio = KlEstimators.clamp(logp[i][j] - oldLogp[i][j], -20, 20);
                double r = Math.exp(logRatio);
                double pg1 = -a * r;
                double pg2 = -a * KlEstimators.clamp(r, 1 - options.clipLow(), 1 + options.clipHigh());
                double clip1 = Math.max(pg1, pg2);
                double pg3 = -a * options.dualClipC();
                boolean dualTaken = options.dualClip() && a < 0 && clip1 > pg3;
                losses[i][j] = options.dualClip() && a < 0 ? Math.min(clip1, pg3) : clip1;
                double w = mask[i][j];
                tokens += w;
                clipped += w * (pg2 > pg1 ? 1 : 0);
                low += w * (a < 0 && r < 1 - options.clipLow() ? 1 : 0);
                high += w * (a > 0 && r > 1 + options.clipHigh() ? 1 : 0);
                dual += w * (dualTaken ? 1 : 0);
                negKl += w * logRatio;
                ratioSum += w * r;
                if (kl != null) {
                    klSum += w * kl[i][j];
                }
            }
        }
        double pgLoss = options.aggregation().aggregate(losses, mask, options.normaliser());
        double klLoss = useKl ? options.aggregation().aggregate(kl, mask, options.normaliser()) : 0;
        double n = Math.max(tokens, 1e-12);
        return new Stats(pgLoss + options.klCoef() * klLoss, pgLoss, klLoss, clipped / n, low / n, high / n,
                dual / n, -negKl / n, kl == null ? Double.NaN : klSum / n, ratioSum / n, tokens);
    }

    /**
     * NDArray loss for the trainer's autograd: logp, oldLogp, mask (and refLogp) [B, T], advantages [B] (or [B, T]
     * per token). Only {@code logp} should carry a gradient; the others are treated as constants.
     *
     * @param refLogp reference log-probs [B, T], or null when the KL term is off
     */
    public Output compute(NDArray logp, NDArray oldLogp, NDArray advantages, NDArray mask, NDArray refLogp) {
        Shape shape = logp.getShape();
        if (shape.dimension() != 2 || !shape.equals(oldLogp.getShape()) || !shape.equals(mask.getShape())) {
            throw new IllegalArgumentException("logp, oldLogp and mask must all be [B, T]; got " + shape + ", "
                    + oldLogp.getShape() + ", " + mask.getShape());
        }
        if (refLogp != null && !shape.equals(refLogp.getShape())) {
            throw new IllegalArgumentException("refLogp must be " + shape + ", got " + refLogp.getShape());
        }
        boolean useKl = needsReference(refLogp != null);
        NDArray adv = perToken(advantages.stopGradient(), shape).toType(logp.getDataType(), false);
        NDArray m = mask.toType(logp.getDataType(), false);
        NDArray logRatio = logp.sub(oldLogp.stopGradient()).clip(-20, 20);
        NDArray ratio = logRatio.exp();
        NDArray negAdv = adv.neg();
        NDArray pg1 = negAdv.mul(ratio);
        NDArray pg2 = negAdv.mul(ratio.clip(1 - options.clipLow(), 1 + options.clipHigh()));
        NDArray clip1 = pg1.maximum(pg2);
        NDArray losses = clip1;
        NDArray negative = adv.lt(0);
        NDArray pg3 = null;
        if (options.dualClip()) {
            pg3 = Scalars.mul(negAdv, (float) options.dualClipC());
            losses = NDArrays.where(negative, clip1.minimum(pg3), clip1);
        }
        NDArray pgLoss = options.aggregation().aggregate(losses, m, options.normaliser());
        NDArray kl = refLogp == null ? null : options.klEstimator().perToken(logp, refLogp.stopGradient());
        NDArray klLoss = useKl ? options.aggregation().aggregate(kl, m, options.normaliser()) : null;
        NDArray loss = useKl ? pgLoss.add(Scalars.mul(klLoss, (float) options.klCoef())) : pgLoss;

        // Diagnostics, detached from the graph.
        double tokens = scalar(m.sum());
        double n = Math.max(tokens, 1e-12);
        NDArray ratioD = ratio.stopGradient();
        NDArray positive = adv.gt(0);
        double clipped = maskedCount(pg2.stopGradient().gt(pg1.stopGradient()), m) / n;
        double low = maskedCount(negative.logicalAnd(ratioD.lt(1 - options.clipLow())), m) / n;
        double high = maskedCount(positive.logicalAnd(ratioD.gt(1 + options.clipHigh())), m) / n;
        double dual = pg3 == null ? 0
                : maskedCount(negative.logicalAnd(clip1.stopGradient().gt(pg3)), m) / n;
        double approxKl = -scalar(logRatio.stopGradient().mul(m).sum()) / n;
        double klMean = kl == null ? Double.NaN : scalar(kl.stopGradient().mul(m).sum()) / n;
        double ratioMean = scalar(ratioD.mul(m).sum()) / n;
        Stats stats = new Stats(scalar(loss.stopGradient()), scalar(pgLoss.stopGradient()),
                klLoss == null ? 0 : scalar(klLoss.stopGradient()), clipped, low, high, dual, approxKl, klMean,
                ratioMean, tokens);
        return new Output(loss, stats);
    }

    private boolean needsReference(boolean haveReference) {
        if (options.klCoef() > 0 && !haveReference) {
            throw new IllegalArgumentException("klCoef is " + options.klCoef()
                    + " but no reference log-probs were given");
        }
        return options.klCoef() > 0;
    }

    private static NDArray perToken(NDArray advantages, Shape shape) {
        if (advantages.getShape().equals(shape)) {
            return advantages;
        }
        if (advantages.getShape().dimension() == 1 && advantages.getShape().get(0) == shape.get(0)) {
            return advantages.reshape(shape.get(0), 1).broadcast(shape);
        }
        throw new IllegalArgumentException("advantages must be [B] or [B, T] for logp " + shape + ", got "
                + advantages.getShape());
    }

    private static double maskedCount(NDArray condition, NDArray mask) {
        return scalar(condition.toType(mask.getDataType(), false).mul(mask).sum());
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }
}
