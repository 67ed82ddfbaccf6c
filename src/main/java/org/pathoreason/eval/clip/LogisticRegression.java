package org.pathoreason.eval.clip;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * L2-regularised logistic regression fitted with L-BFGS, the linear probe of the CLIP papers, as scikit-learn's
 * {@code LogisticRegression(C=c, solver="lbfgs")} defines it: minimise
 * {@code (1/n) sum_i loss_i + ||W||^2 / (2 C n)} (the intercepts are not penalised), where {@code loss_i} is the
 * softmax cross-entropy over all classes (one weight row per class) or, with two classes, the logistic loss of a
 * single weight row for the second class. Starting from zeros, the multinomial intercepts keep summing to zero, as
 * scikit-learn's do. The classes are the distinct training labels in increasing order.
 */
public final class LogisticRegression {

    /**
     * @param c the inverse regularisation strength (scikit-learn's {@code C})
     * @param maxIter L-BFGS iterations at most
     * @param tol stop when the largest gradient component is at most this
     */
    public record Options(double c, int maxIter, double tol) {

        public Options {
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("C must be a positive number, got " + c);
            }
            if (maxIter <= 0) {
                throw new IllegalArgumentException("max_iter must be positive, got " + maxIter);
            }
        }

        /** C as given, 1000 iterations, gradient tolerance 1e-8. */
        public static Options withC(double c) {
            return new Options(c, 1000, 1e-8);
        }
    }

    private final int[] classes;
    private final double[][] coef;
    private final double[] intercept;
    private final int iterations;
    private final boolean converged;

    private LogisticRegression(int[] classes, double[][] coef, double[] intercept, int iterations,
            boolean converged) {
        this.classes = classes;
        this.coef = coef;
        this.intercept = intercept;
        this.iterations = iterations;
        this.converged = converged;
    }

    /** Fits on rows {@code x} with labels {@code y} (at least two distinct). */
    public static LogisticRegression fit(double[][] x, int[] y, Options o) {
        if (x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException("need as many labels as rows (and some rows): " + x.length + " rows, "
                    + y.length + " labels");
        }
        int[] classes = new TreeSet<>(Arrays.stream(y).boxed().toList()).stream().mapToInt(Integer::intValue)
                .toArray();
        if (classes.length < 2) {
            throw new IllegalArgumentException("a probe needs at least two classes in the training labels");
        }
        int[] target = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            target[i] = Arrays.binarySearch(classes, y[i]);
        }
        int d = x[0].length;
        for (double[] row : x) {
            if (row.length != d) {
                throw new IllegalArgumentException("rows differ in length");
            }
        }
        int rows = classes.length == 2 ? 1 : classes.length;
        int n = x.length;
        double l2 = 1.0 / (o.c() * n);
        Lbfgs.Objective objective = classes.length == 2 ? (w, grad) -> binary(x, target, w, grad, d, l2)
                : (w, grad) -> multinomial(x, target, w, grad, rows, d, l2);
        Lbfgs.Result r = Lbfgs.minimise(objective, new double[rows * (d + 1)], 10, o.maxIter(), o.tol(),
                64 * Math.ulp(1.0));
        double[][] coef = new double[rows][d];
        double[] intercept = new double[rows];
        for (int k = 0; k < rows; k++) {
            System.arraycopy(r.x(), k * (d + 1), coef[k], 0, d);
            intercept[k] = r.x()[k * (d + 1) + d];
        }
        return new LogisticRegression(classes, coef, intercept, r.iterations(), r.converged());
    }

    /** Parameters laid out per class row: d weights then the intercept. */
    private static double multinomial(double[][] x, int[] y, double[] w, double[] grad, int k, int d, double l2) {
        Arrays.fill(grad, 0);
        int n = x.length;
        double loss = 0;
        double[] z = new double[k];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                int off = c * (d + 1);
                double s = w[off + d];
                for (int j = 0; j < d; j++) {
                    s += w[off + j] * x[i][j];
                }
                z[c] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                z[c] = Math.exp(z[c] - max);
                sum += z[c];
            }
            loss += Math.log(sum) + max - (Math.log(z[y[i]]) + max);
            for (int c = 0; c < k; c++) {
                double p = z[c] / sum - (c == y[i] ? 1 : 0);
                int off = c * (d + 1);
                for (int j = 0; j < d; j++) {
                    grad[off + j] += p * x[i][j];
                }
                grad[off + d] += p;
            }
        }
        double penalty = 0;
        for (int c = 0; c < k; c++) {
            int off = c * (d + 1);
            for (int j = 0; j < d; j++) {
                grad[off + j] = grad[off + j] / n + l2 * w[off + j];
                penalty += w[off + j] * w[off + j];
            }
            grad[off + d] /= n;
        }
        return loss / n + 0.5 * l2 * penalty;
    }

    private static double binary(double[][] x, int[] y, double[] w, double[] grad, int d, double l2) {
        Arrays.fill(grad, 0);
        int n = x.length;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double z = w[d];
            for (int j = 0; j < d; j++) {
                z += w[j] * x[i][j];
            }
            // log(1 + e^z) - y z, computed stably
            loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
            double p = 1 / (1 + Math.exp(-z)) - y[i];
            for (int j = 0; j < d; j++) {
                grad[j] += p * x[i][j];
            }
            grad[d] += p;
        }
        double penalty = 0;
        for (int j = 0; j < d; j++) {
            grad[j] = grad[j] / n + l2 * w[j];
            penalty += w[j] * w[j];
        }
        grad[d] /= n;
        return loss / n + 0.5 * l2 * penalty;
    }

    /** Class probabilities per row, columns in {@link #classes()} order. */
    public double[][] probabilities(double[][] x) {
        double[][] out = new double[x.length][classes.length];
        for (int i = 0; i < x.length; i++) {
            if (classes.length == 2) {
                double p = 1 / (1 + Math.exp(-score(0, x[i])));
                out[i][0] = 1 - p;
                out[i][1] = p;
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes.length; c++) {
                out[i][c] = score(c, x[i]);
                max = Math.max(max, out[i][c]);
            }
            double sum = 0;
            for (int c = 0; c < classes.length; c++) {
                out[i][c] = Math.exp(out[i][c] - max);
                sum += out[i][c];
            }
            for (int c = 0; c < classes.length; c++) {
                out[i][c] /= sum;
            }
        }
        return out;
    }

    /** The most probable class (a training label) per row. */
    public int[] predict(double[][] x) {
        int[] out = new int[x.length];
        double[][] p = probabilities(x);
        for (int i = 0; i < x.length; i++) {
            int best = 0;
            for (int c = 1; c < classes.length; c++) {
                if (p[i][c] > p[i][best]) {
                    best = c;
                }
            }
            out[i] = classes[best];
        }
        return out;
    }

    private double score(int row, double[] x) {
        double s = intercept[row];
        for (int j = 0; j < x.length; j++) {
            s += coef[row][j] * x[j];
        }
        return s;
    }

    /** The training labels, increasing (scikit-learn's {@code classes_}). */
    public int[] classes() {
        return classes.clone();
    }

    /** {@code [K, D]}, or {@code [1, D]} for two classes (scikit-learn's {@code coef_}). */
    public double[][] coef() {
        double[][] out = new double[coef.length][];
        for (int i = 0; i < coef.length; i++) {
            out[i] = coef[i].clone();
        }
        return out;
    }

    /** scikit-learn's {@code intercept_}. */
    public double[] intercept() {
        return intercept.clone();
    }

    public int iterations() {
        return iterations;
    }

    public boolean converged() {
        return converged;
    }
}
