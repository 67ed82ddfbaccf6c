package org.pathoreason.eval.clip;

/**
 * Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., algorithms 7.4 and 7.5) for smooth
 * convex objectives: the two-loop recursion over the last {@code m} steps, initial Hessian scale
 * {@code s'y / y'y}, and a backtracking line search with the Armijo condition (steps whose curvature
 * {@code s'y} is not positive are left out of the memory). Stops when the largest gradient component falls to
 * {@code gtol} (scikit-learn's criterion for its lbfgs solver), when an update changes the objective by less than
 * {@code ftol} relatively, or after {@code maxIter} iterations.
 */
final class Lbfgs {

    /** An objective: returns f(x) and writes its gradient into {@code grad}. */
    interface Objective {
        double valueAndGradient(double[] x, double[] grad);
    }

    /** Where it stopped. */
    record Result(double[] x, double value, int iterations, boolean converged) {
    }

    private Lbfgs() {
    }

    static Result minimise(Objective f, double[] x0, int memory, int maxIter, double gtol, double ftol) {
        int n = x0.length;
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        int stored = 0;
        int head = 0;
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        double[] d = new double[n];
        double[] alpha = new double[memory];
        for (int iter = 0; iter < maxIter; iter++) {
            if (maxAbs(g) <= gtol) {
                return new Result(x, fx, iter, true);
            }
            // d = -H g by the two-loop recursion
            System.arraycopy(g, 0, d, 0, n);
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(head - 1 - k, memory);
                alpha[i] = rho[i] * dot(s[i], d);
                axpy(-alpha[i], y[i], d);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, memory);
                scale(d, dot(s[last], y[last]) / dot(y[last], y[last]));
            } else {
                scale(d, 1.0 / Math.max(1.0, Math.sqrt(dot(g, g))));
            }
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(head - 1 - k, memory);
                double beta = rho[i] * dot(y[i], d);
                axpy(alpha[i] - beta, s[i], d);
            }
            scale(d, -1);
            double slope = dot(g, d);
            if (slope >= 0) { // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0;
                for (int i = 0; i < n; i++) {
                    d[i] = -g[i];
                }
                slope = dot(g, d);
            }
            double step = 1.0;
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 60; ls++) {
                for (int i = 0; i < n; i++) {
                    xNew[i] = x[i] + step * d[i];
                }
                fNew = f.valueAndGradient(xNew, gNew);
                if (Double.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                return new Result(x, fx, iter, maxAbs(g) <= gtol);
            }
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-300) {
                s[head] = sk;
                y[head] = yk;
                rho[head] = 1.0 / sy;
                head = (head + 1) % memory;
                stored = Math.min(stored + 1, memory);
            }
            double previous = fx;
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            if ((previous - fx) <= ftol * Math.max(Math.max(Math.abs(previous), Math.abs(fx)), 1.0)) {
                return new Result(x, fx, iter + 1, true);
            }
        }
        return new Result(x, fx, maxIter, maxAbs(g) <= gtol);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
