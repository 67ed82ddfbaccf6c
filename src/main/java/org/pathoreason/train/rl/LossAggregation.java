package org.pathoreason.train.rl;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import org.pathoreason.engine.Scalars;

/**
 * How a [B, T] matrix of per-token losses becomes one scalar, with the names and arithmetic of verl's
 * {@code agg_loss} (verl/trainer/ppo/core_algos.py). {@code mask} is 1 for response tokens and 0 for padding.
 *
 * <ul>
 *   <li>{@code token-mean}: sum of all unmasked token losses / number of unmasked tokens (DAPO's token-level loss).
 *   <li>{@code seq-mean-token-sum}: each sequence's token sum, averaged over sequences.
 *   <li>{@code seq-mean-token-mean}: each sequence's token mean, averaged over sequences (original GRPO).
 *   <li>{@code seq-mean-token-sum-norm}: sum over all sequences of their token sums, divided by a fixed length
 *       (Dr. GRPO). As in verl the normaliser defaults to the mask width T; a trainer should pass the fixed maximum
 *       response length so that the normaliser does not change from batch to batch.
 * </ul>
 *
 * <p>Where verl would divide by zero (an empty mask, a sequence with no tokens) the result is 0 instead of NaN:
 * such rows contribute nothing. verl's {@code masked_mean} adds 1e-8 to the token count; this class divides by the
 * exact count, which differs from verl by under 1e-8 relative.
 */
public enum LossAggregation {
    TOKEN_MEAN("token-mean"),
    SEQ_MEAN_TOKEN_SUM("seq-mean-token-sum"),
    SEQ_MEAN_TOKEN_MEAN("seq-mean-token-mean"),
    SEQ_MEAN_TOKEN_SUM_NORM("seq-mean-token-sum-norm");

    private final String id;

    LossAggregation(String id) {
        this.id = id;
    }

    /** The verl name, e.g. {@code token-mean}. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return id;
    }

    /** Parses a verl name ({@code token-mean}) or the constant name ({@code TOKEN_MEAN}). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static LossAggregation parse(String name) {
        for (LossAggregation a : values()) {
            if (a.id.equalsIgnoreCase(name) || a.name().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown loss aggregation '" + name + "'; expected one of "
                + Arrays.stream(values()).map(LossAggregation::id).toList());
    }

    /** Aggregates with the default normaliser (the mask width T for {@code seq-mean-token-sum-norm}). */
    public double aggregate(double[][] loss, double[][] mask) {
        return aggregate(loss, mask, 0);
    }

    /**
     * Aggregates a [B][T] loss matrix under a [B][T] mask.
     *
     * @param normaliser the fixed length for {@code seq-mean-token-sum-norm}; 0 or less means the mask width T
     */
    public double aggregate(double[][] loss, double[][] mask, double normaliser) {
        checkShapes(loss, mask);
        int b = loss.length;
        if (b == 0) {
            return 0;
        }
        int t = loss[0].length;
        double total = 0;
        double tokens = 0;
        double seqSums = 0;
        double seqMeans = 0;
        for (int i = 0; i < b; i++) {
            double rowSum = 0;
            double rowCount = 0;
            for (int j = 0; j < t; j++) {
                rowSum += loss[i][j] * mask[i][j];
                rowCount += mask[i][j];
            }
            total += rowSum;
            tokens += rowCount;
            seqSums += rowSum;
            seqMeans += rowCount > 0 ? rowSum / rowCount : 0;
        }
        return switch (this) {
            case TOKEN_MEAN -> tokens > 0 ? total / tokens : 0;
            case SEQ_MEAN_TOKEN_SUM -> seqSums / b;
            case SEQ_MEAN_TOKEN_MEAN -> seqMeans / b;
            case SEQ_MEAN_TOKEN_SUM_NORM -> seqSums / (normaliser > 0 ? normaliser : t);
        };
    }

    /** NDArray version with the default normaliser; differentiable in {@code loss}. */
    public NDArray aggregate(NDArray loss, NDArray mask) {
        return aggregate(loss, mask, 0);
    }

    /**
     * Aggregates a [B, T] loss under a [B, T] mask (boolean or numeric) into a scalar NDArray, keeping the autograd
     * graph of {@code loss}.
     */
    public NDArray aggregate(NDArray loss, NDArray mask, double normaliser) {
        if (!loss.getShape().equals(mask.getShape()) || loss.getShape().dimension() != 2) {
            throw new IllegalArgumentException("loss and mask must both be [B, T]; got " + loss.getShape() + " and "
                    + mask.getShape());
        }
        NDArray m = mask.toType(loss.getDataType(), false);
        long b = loss.getShape().get(0);
        long t = loss.getShape().get(1);
        NDArray masked = loss.mul(m);
        return switch (this) {
            // count is clamped from below only so that an empty mask gives 0/tiny = 0 rather than NaN.
            case TOKEN_MEAN -> masked.sum().div(Scalars.maximum(m.sum(), 1e-12f));
            case SEQ_MEAN_TOKEN_SUM -> Scalars.div(masked.sum(new int[] {1}).sum(), (float) Math.max(b, 1));
            case SEQ_MEAN_TOKEN_MEAN -> Scalars.div(masked.sum(new int[] {1})
                    .div(Scalars.maximum(m.sum(new int[] {1}), 1e-12f)).sum(), (float) Math.max(b, 1));
            case SEQ_MEAN_TOKEN_SUM_NORM -> Scalars.div(masked.sum(), (float) (normaliser > 0 ? normaliser : t));
        };
    }

    static void checkShapes(double[][] a, double[][] mask) {
        if (a.length != mask.length) {
            throw new IllegalArgumentException("batch size differs: " + a.length + " rows vs mask " + mask.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != mask[i].length || a[i].length != a[0].length) {
                throw new IllegalArgumentException("row " + i + " has " + a[i].length + " tokens, mask " + mask[i].length
                        + ", first row " + a[0].length + "; rows must be padded to one length T");
            }
        }
    }
}
