package org.pathoreason.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.util.TestResources;

class ModelRegistryTest {

    @TempDir
    Path dir;

    @Test
    void knowsTheVlmAndClipFamilies() {
        assertThat(ModelRegistry.modelTypes()).contains("qwen2_5_vl", "clip", "open_clip");
    }

    @Test
    void anOpenClipFolderOpensAsAClipModel() throws Exception {
        Engines.start();
        Path openclip = TestResources.path("org/pathoreason/model/clip/openclip");
        assertThat(ModelRegistry.modelType(openclip)).isEqualTo("open_clip");
        try (NDManagerHolder h = new NDManagerHolder();
             ClipModel m = ModelRegistry.load(openclip, ClipModel.class, h.manager)) {
            assertThat(m).isNotNull();
        }
    }

    @Test
    void anUnknownModelTypeNamesTheKnownOnes() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        assertThat(ModelRegistry.modelType(dir)).isEqualTo("llama");
        assertThatThrownBy(() -> ModelRegistry.load(dir, null)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unknown model_type 'llama'").hasMessageContaining("qwen2_5_vl");
    }

    private static final class NDManagerHolder implements AutoCloseable {
        final ai.djl.ndarray.NDManager manager = Engines.newManager();

        @Override
        public void close() {
            manager.close();
        }
    }
}
