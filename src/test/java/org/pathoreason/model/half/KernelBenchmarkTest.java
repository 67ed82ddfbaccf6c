package org.pathoreason.model.half;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsWriter;

/** The decode pass of {@code bench kernels --model} reads exactly the language model's matrices. */
class KernelBenchmarkTest {

    @Test
    void theDecodePassReadsTheLanguageModelsMatricesOnly(@TempDir Path dir) throws Exception {
        HalfKernels k = HalfKernels.create(HalfKernels.Choice.AUTO, 1);
        Path tied = dir.resolve("tied.safetensors");
        new SafetensorsWriter().put("visual.blocks.0.attn.qkv.weight", DType.BF16, new long[] {6, 4}, new float[24])
                .put("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {8, 4}, new float[32])
                .put("model.embed_tokens.weight", DType.BF16, new long[] {10, 4}, new float[40])
                .put("model.norm.weight", DType.F32, new long[] {4}, new float[4]).write(tied);
        KernelBenchmark.ModelPass p = KernelBenchmark.languageModelPass(tied, k, 3);
        assertThat(p.matrices()).isEqualTo(2);
        assertThat(p.weightBytes()).isEqualTo((32 + 40) * 2);
        assertThat(p.msPerToken()).isPositive();

        Path untied = dir.resolve("untied.safetensors");
        new SafetensorsWriter().put("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {8, 4}, new float[32])
                .put("model.embed_tokens.weight", DType.BF16, new long[] {10, 4}, new float[40])
                .put("lm_head.weight", DType.F16, new long[] {10, 4}, new float[40]).write(untied);
        assertThat(KernelBenchmark.languageModelPass(untied, k, 2).matrices()).isEqualTo(2);
    }
}
