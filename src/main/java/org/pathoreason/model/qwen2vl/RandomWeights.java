package org.pathoreason.model.qwen2vl;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ParameterGroup;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsWriter;

/**
 * The weights of a randomly initialised Qwen2.5-VL, as transformers initialises one: weights normal(0,
 * initializer_range), biases zero, norms one; each parameter from its own split of the seed's generator, in
 * {@link Qwen2VLParameters#specs} order, so the same seed gives the same weights on every machine. Used by
 * {@link Qwen2VLModel#random} and to write a random checkpoint of any size tensor by tensor ({@link #writer}).
 */
public final class RandomWeights {

    private RandomWeights() {
    }

    /** One generator per parameter, split from the seed in spec order. */
    static SplittableRandom[] generators(List<Qwen2VLParameters.Spec> specs, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] out = new SplittableRandom[specs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = root.split();
        }
        return out;
    }

    /** The standard deviation of a normal-initialised parameter: its tower's {@code initializer_range}. */
    static double std(Qwen2VLConfig config, Qwen2VLParameters.Spec s) {
        return s.group() == ParameterGroup.LANGUAGE ? config.text().initializerRange()
                : config.vision().initializerRange();
    }

    /** The values of one parameter from its generator (normal ones drawn in order, as {@link Qwen2VLModel#random}). */
    static float[] values(Qwen2VLConfig config, Qwen2VLParameters.Spec s, SplittableRandom rng) {
        long count = s.shape().size();
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelException("parameter " + s.name() + " is too large for random initialisation");
        }
        float[] values = new float[(int) count];
        stream(config, s, rng).next(values, values.length);
        return values;
    }

    /** The same values as {@link #values}, a chunk at a time. */
    static SafetensorsWriter.FloatStream stream(Qwen2VLConfig config, Qwen2VLParameters.Spec s,
                                                SplittableRandom rng) {
        double std = std(config, s);
        return switch (s.init()) {
            case NORMAL -> (chunk, n) -> {
                for (int i = 0; i < n; i++) {
                    chunk[i] = (float) (rng.nextGaussian() * std);
                }
            };
            case ONE -> (chunk, n) -> Arrays.fill(chunk, 0, n, 1f);
            case ZERO -> (chunk, n) -> Arrays.fill(chunk, 0, n, 0f);
        };
    }

    /**
     * A writer of the random weights stored as {@code dtype}: each tensor is drawn while the file is written and
     * written a chunk at a time, so even a 7B model's embedding needs only a few MB of heap.
     */
    public static SafetensorsWriter writer(Qwen2VLConfig config, long seed, DType dtype) {
        List<Qwen2VLParameters.Spec> specs = Qwen2VLParameters.specs(config);
        SafetensorsWriter w = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        for (int i = 0; i < specs.size(); i++) {
            Qwen2VLParameters.Spec s = specs.get(i);
            int index = i;
            // the generators are split again for each tensor (cheap) so that a second write gives the same values
            w.putStream(s.name(), dtype, s.shape().getShape(),
                    () -> stream(config, s, generators(specs, seed)[index]));
        }
        return w;
    }
}
