package org.pathoreason.model.lora;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.TensorInfo;
import org.pathoreason.model.qwen2vl.Qwen2VLParameters;

/** Adapters for tests: random A and B (both non-zero) on every weight of a checkpoint that a config targets. */
public final class LoraFixtures {

    private LoraFixtures() {
    }

    /** A random adapter on the language model's linear layers of {@code checkpoint} (values normal(0, std)). */
    public static LoraAdapter random(Path checkpoint, LoraConfig config, double std, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, LoraAdapter.Module> modules = new TreeMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(checkpoint)) {
            for (String name : new java.util.TreeSet<>(r.names())) {
                String parameter = Qwen2VLParameters.canonicalName(name);
                if (!parameter.startsWith("model.layers.") || !parameter.endsWith(".weight")) {
                    continue;
                }
                String path = ModuleLayout.CLASSIC.modulePath(parameter);
                TensorInfo t = r.info(name);
                if (t.shape().length != 2 || !config.targets(path)) {
                    continue;
                }
                int rank = config.rank(path);
                int out = (int) t.shape()[0];
                int in = (int) t.shape()[1];
                modules.put(parameter, new LoraAdapter.Module(path, parameter, rank, in, out,
                        normal(rng, rank * in, std), normal(rng, out * rank, std), DType.F32));
            }
        }
        return LoraAdapter.of(config, ModuleLayout.NESTED, modules);
    }

    private static float[] normal(SplittableRandom rng, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        return v;
    }
}
