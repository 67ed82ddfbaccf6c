package org.pathoreason.wsi;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A slide-level classifier on feature bags: gated attention-based multiple-instance learning (Ilse, Tomczak and
 * Welling, 2018; CLAM's single-branch attention). Each patch feature {@code x} scores {@code w . (tanh(Vx) *
 * sigmoid(Ux))}; softmax over the bag gives the attention; the attention-weighted mean of the features goes through
 * a linear classifier. Trained with cross-entropy and Adam, in plain Java: bags are small (hundreds to thousands of
 * patches, D of a few hundred), and the gradients are written out below.
 */
public final class AttentionMil {

    /**
     * @param hidden attention width
     * @param epochs passes over the training bags
     * @param learningRate Adam's step size
     * @param weightDecay L2 penalty (decoupled, as AdamW)
     */
    public record Options(int hidden, int epochs, double learningRate, double weightDecay, long seed) {
        public Options {
            if (hidden <= 0 || epochs <= 0 || learningRate <= 0 || weightDecay < 0) {
                throw new IllegalArgumentException("attention MIL options must be positive (hidden " + hidden
                        + ", epochs " + epochs + ", lr " + learningRate + ", weight decay " + weightDecay + ")");
            }
        }

        /** CLAM-like: 128 attention units, 2e-4 learning rate, 1e-5 weight decay. */
        public static Options defaults() {
            return new Options(128, 40, 2e-4, 1e-5, 0);
        }
    }

    /** Progress of training, once an epoch. */
    public interface Listener {
        void epoch(int epoch, double meanLoss, double trainAccuracy);
    }

    /** A bag's class probabilities and each patch's attention. */
    public record Prediction(int label, double[] probabilities, double[] attention) {
    }

    private final int d;
    private final int h;
    private final int classes;
    // parameters, flat, with Adam moments of the same shape
    final double[] v;
    final double[] bv;
    final double[] u;
    final double[] bu;
    final double[] w;
    final double[] wc;
    final double[] bc;

    private AttentionMil(int d, int h, int classes, long seed) {
        this.d = d;
        this.h = h;
        this.classes = classes;
        Random r = new Random(seed);
        v = xavier(h, d, r);
        u = xavier(h, d, r);
        w = xavier(1, h, r);
        wc = xavier(classes, d, r);
        bv = new double[h];
        bu = new double[h];
        bc = new double[classes];
    }

    private static double[] xavier(int out, int in, Random r) {
        double a = Math.sqrt(6.0 / (in + out));
        double[] p = new double[out * in];
        for (int i = 0; i < p.length; i++) {
            p[i] = (r.nextDouble() * 2 - 1) * a;
        }
        return p;
    }

    public int classes() {
        return classes;
    }

    public int dimension() {
        return d;
    }

    /** Trains on bags with labels {@code 0..classes-1}. */
    public static AttentionMil train(List<float[][]> bags, int[] labels, int classes, Options o, Listener listener) {
        if (bags.isEmpty() || bags.size() != labels.length) {
            throw new IllegalArgumentException(bags.size() + " bags for " + labels.length + " labels");
        }
        int d = bags.get(0)[0].length;
        for (int i = 0; i < bags.size(); i++) {
            if (bags.get(i).length == 0 || bags.get(i)[0].length != d) {
                throw new IllegalArgumentException("bag " + i + " is empty or its features are not " + d + " long");
            }
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of bag " + i + " is outside 0.."
                        + (classes - 1));
            }
        }
        AttentionMil m = new AttentionMil(d, o.hidden(), classes, o.seed());
        Adam adam = new Adam(m.parameters(), o.learningRate(), o.weightDecay());
        Random order = new Random(o.seed() + 1);
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < bags.size(); i++) {
            idx.add(i);
        }
        for (int e = 1; e <= o.epochs(); e++) {
            java.util.Collections.shuffle(idx, order);
            double loss = 0;
            int right = 0;
            for (int i : idx) {
                double[][] grads = m.zeroGrads();
                Prediction p = m.forwardBackward(bags.get(i), labels[i], grads);
                loss += -Math.log(Math.max(1e-12, p.probabilities()[labels[i]]));
                right += p.label() == labels[i] ? 1 : 0;
                adam.step(grads);
            }
            if (listener != null) {
                listener.epoch(e, loss / bags.size(), (double) right / bags.size());
            }
        }
        return m;
    }

    /** Writes the weights as JSON (atomically). */
    public void save(java.nio.file.Path file, List<String> classNames) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", "gated-attention-mil");
        m.put("dimension", d);
        m.put("hidden", h);
        m.put("classes", classNames);
        m.put("V", v);
        m.put("bV", bv);
        m.put("U", u);
        m.put("bU", bu);
        m.put("w", w);
        m.put("Wc", wc);
        m.put("bc", bc);
        try {
            org.pathoreason.util.AtomicFiles.writeString(file, org.pathoreason.util.Json.MAPPER.writeValueAsString(m));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A model {@link #save}d before, with its class names. */
    public record Saved(AttentionMil model, List<String> classNames) {
    }

    public static Saved load(java.nio.file.Path file) {
        try {
            com.fasterxml.jackson.databind.JsonNode j = org.pathoreason.util.Json.MAPPER.readTree(file.toFile());
            if (j == null || !"gated-attention-mil".equals(j.path("type").asText())) {
                throw new SlideException(file + ": not an attention-MIL model (no \"type\": \"gated-attention-mil\")");
            }
            List<String> names = new ArrayList<>();
            j.get("classes").forEach(n -> names.add(n.asText()));
            AttentionMil m = new AttentionMil(j.get("dimension").asInt(), j.get("hidden").asInt(), names.size(), 0);
            String[] keys = {"V", "bV", "U", "bU", "w", "Wc", "bc"};
            double[][] params = m.parameters();
            for (int i = 0; i < keys.length; i++) {
                com.fasterxml.jackson.databind.JsonNode a = j.get(keys[i]);
                if (a == null || a.size() != params[i].length) {
                    throw new SlideException(file + ": field " + keys[i] + " has " + (a == null ? 0 : a.size())
                            + " values, expected " + params[i].length);
                }
                for (int k = 0; k < params[i].length; k++) {
                    params[i][k] = a.get(k).asDouble();
                }
            }
            return new Saved(m, List.copyOf(names));
        } catch (java.io.IOException e) {
            throw new SlideException("cannot read attention-MIL model " + file + ": " + e.getMessage(), e);
        }
    }

    public Prediction predict(float[][] bag) {
        if (bag.length == 0 || bag[0].length != d) {
            throw new SlideException("a bag of " + bag.length + " patches with " + (bag.length == 0 ? 0
                    : bag[0].length) + " features does not fit this model (" + d + " features)");
        }
        return forwardBackward(bag, -1, null);
    }

    double[][] parameters() {
        return new double[][] {v, bv, u, bu, w, wc, bc};
    }

    double[][] zeroGrads() {
        double[][] p = parameters();
        double[][] g = new double[p.length][];
        for (int i = 0; i < p.length; i++) {
            g[i] = new double[p[i].length];
        }
        return g;
    }

    /** Cross-entropy of a bag against {@code label}; its gradients are added to {@code grads} when given. */
    double loss(float[][] bag, int label, double[][] grads) {
        Prediction p = forwardBackward(bag, label, grads);
        return -Math.log(Math.max(1e-300, p.probabilities()[label]));
    }

    /** Forward pass; with {@code grads} and a label, also the backward pass of the cross-entropy. */
    private Prediction forwardBackward(float[][] bag, int label, double[][] grads) {
        int n = bag.length;
        double[][] av = new double[n][h];
        double[][] au = new double[n][h];
        double[] s = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float[] x = bag[i];
            for (int k = 0; k < h; k++) {
                double pv = bv[k];
                double pu = bu[k];
                int row = k * d;
                for (int j = 0; j < d; j++) {
                    pv += v[row + j] * x[j];
                    pu += u[row + j] * x[j];
                }
                av[i][k] = Math.tanh(pv);
                au[i][k] = 1 / (1 + Math.exp(-pu));
                s[i] += w[k] * av[i][k] * au[i][k];
            }
            max = Math.max(max, s[i]);
        }
        double[] a = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            a[i] = Math.exp(s[i] - max);
            sum += a[i];
        }
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            a[i] /= sum;
            for (int j = 0; j < d; j++) {
                z[j] += a[i] * bag[i][j];
            }
        }
        double[] logits = new double[classes];
        double lmax = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            logits[c] = bc[c];
            for (int j = 0; j < d; j++) {
                logits[c] += wc[c * d + j] * z[j];
            }
            lmax = Math.max(lmax, logits[c]);
        }
        double[] p = new double[classes];
        double psum = 0;
        int best = 0;
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(logits[c] - lmax);
            psum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= psum;
            if (p[c] > p[best]) {
                best = c;
            }
        }
        if (grads != null && label >= 0) {
            double[] gV = grads[0];
            double[] gBv = grads[1];
            double[] gU = grads[2];
            double[] gBu = grads[3];
            double[] gW = grads[4];
            double[] gWc = grads[5];
            double[] gBc = grads[6];
            double[] dz = new double[d];
            for (int c = 0; c < classes; c++) {
                double dl = p[c] - (c == label ? 1 : 0);
                gBc[c] += dl;
                for (int j = 0; j < d; j++) {
                    gWc[c * d + j] += dl * z[j];
                    dz[j] += dl * wc[c * d + j];
                }
            }
            // through the attention-weighted mean and the softmax over the bag
            double[] da = new double[n];
            double mean = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    da[i] += dz[j] * bag[i][j];
                }
                mean += a[i] * da[i];
            }
            for (int i = 0; i < n; i++) {
                double ds = a[i] * (da[i] - mean);
                float[] x = bag[i];
                for (int k = 0; k < h; k++) {
                    double g = av[i][k] * au[i][k];
                    gW[k] += ds * g;
                    double dg = ds * w[k];
                    double dpv = dg * au[i][k] * (1 - av[i][k] * av[i][k]);
                    double dpu = dg * av[i][k] * au[i][k] * (1 - au[i][k]);
                    gBv[k] += dpv;
                    gBu[k] += dpu;
                    int row = k * d;
                    for (int j = 0; j < d; j++) {
                        gV[row + j] += dpv * x[j];
                        gU[row + j] += dpu * x[j];
                    }
                }
            }
        }
        return new Prediction(best, p, a);
    }

    /** Adam with decoupled weight decay over flat parameter arrays. */
    private static final class Adam {
        private final double[][] params;
        private final double[][] m;
        private final double[][] s;
        private final double lr;
        private final double decay;
        private int t;

        Adam(double[][] params, double lr, double decay) {
            this.params = params;
            this.lr = lr;
            this.decay = decay;
            m = new double[params.length][];
            s = new double[params.length][];
            for (int i = 0; i < params.length; i++) {
                m[i] = new double[params[i].length];
                s[i] = new double[params[i].length];
            }
        }

        void step(double[][] grads) {
            t++;
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int i = 0; i < params.length; i++) {
                double[] p = params[i];
                double[] g = grads[i];
                for (int j = 0; j < p.length; j++) {
                    m[i][j] = 0.9 * m[i][j] + 0.1 * g[j];
                    s[i][j] = 0.999 * s[i][j] + 0.001 * g[j] * g[j];
                    p[j] -= lr * (m[i][j] / c1 / (Math.sqrt(s[i][j] / c2) + 1e-8) + decay * p[j]);
                }
            }
        }
    }
}
