package org.pathoreason.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;
import org.pathoreason.util.PathoReasonException;

class QwenImageProcessorTest {

    @TempDir
    Path dir;

    private static QwenImageProcessor.Size size(int h, int w) {
        return new QwenImageProcessor.Size(h, w);
    }

    @Test
    void smartResizeOnHandComputedCases() {
        // typical sizes are already multiples of 28 and within bounds
        assertThat(QwenImageProcessor.smartResize(224, 224)).isEqualTo(size(224, 224));
        assertThat(QwenImageProcessor.smartResize(112, 112)).isEqualTo(size(112, 112));
        // tiny 10x10: round(10/28) = 0 -> below 56*56, beta = sqrt(3136/100) = 5.6, ceil(10*5.6/28) = 2 -> 56
        assertThat(QwenImageProcessor.smartResize(10, 10)).isEqualTo(size(56, 56));
        // Python rounds halves to even: 42/28 = 1.5 -> 2 (56); 70/28 = 2.5 -> 2 (56)
        assertThat(QwenImageProcessor.smartResize(42, 42)).isEqualTo(size(56, 56));
        assertThat(QwenImageProcessor.smartResize(70, 70)).isEqualTo(size(56, 56));
        // very wide 28x5000 (ratio 178.6): round(5000/28) = round(178.57) = 179 -> 5012; 28*5012 is within bounds
        assertThat(QwenImageProcessor.smartResize(28, 5000)).isEqualTo(size(28, 5012));
        // very large 8000x6000: beta = sqrt(48e6/1003520) = 6.9160; floor(8000/6.916/28) = 41 -> 1148,
        // floor(6000/6.916/28) = 30 -> 840
        assertThat(QwenImageProcessor.smartResize(8000, 6000)).isEqualTo(size(1148, 840));
        // 1000x1000: 1008^2 > max, beta = sqrt(1e6/1003520) = 0.99825, floor(1000/0.99825/28) = 35 -> 980
        assertThat(QwenImageProcessor.smartResize(1000, 1000)).isEqualTo(size(980, 980));
        // 50x30: 56*28 = 1568 < 3136, beta = sqrt(3136/1500) = 1.4459: ceil(2.58) = 3 -> 84, ceil(1.549) = 2 -> 56
        assertThat(QwenImageProcessor.smartResize(50, 30)).isEqualTo(size(84, 56));
        // 1x200 (ratio exactly 200 is allowed): beta = sqrt(3136/200) = 3.96: ceil(0.141) = 1 -> 28,
        // ceil(28.28) = 29 -> 812
        assertThat(QwenImageProcessor.smartResize(1, 200)).isEqualTo(size(28, 812));
        // downscaling never goes below one factor per side: 100000x500 -> 14140 x 56
        assertThat(QwenImageProcessor.smartResize(100000, 500)).isEqualTo(size(14140, 56));
    }

    @Test
    void smartResizeAgreesWithCPythonOnEveryListedCase() throws IOException {
        JsonNode cases = ReferenceFiles.manifest().get("smart_resize");
        assertThat(cases.size()).isGreaterThanOrEqualTo(16);
        for (JsonNode c : cases) {
            assertThat(QwenImageProcessor.smartResize(c.get(0).asInt(), c.get(1).asInt()))
                    .as("smart_resize(%s, %s)", c.get(0), c.get(1))
                    .isEqualTo(size(c.get(2).asInt(), c.get(3).asInt()));
        }
    }

    @Test
    void smartResizeRefusesExtremeAspectRatios() {
        assertThatThrownBy(() -> QwenImageProcessor.smartResize(28, 5700))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute aspect ratio must be smaller than 200");
        assertThatThrownBy(() -> QwenImageProcessor.smartResize(1, 201)).hasMessageContaining("aspect ratio");
        assertThatThrownBy(() -> QwenImageProcessor.smartResize(0, 20)).hasMessageContaining("positive");
    }

    @Test
    void patchesAreOrderedAsTheReferenceOrdersThem() {
        // a 56 x 84 frame whose value encodes (channel, y, x): grid 4 x 6 patches, 2 x 3 merge windows
        int h = 56;
        int w = 84;
        float[] chw = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    chw[(c * h + y) * w + x] = c * 1_000_000 + y * 1000 + x;
                }
            }
        }
        ProcessedImage p = new QwenImageProcessor().patchify(chw, h, w);
        assertThat(p.gridThw()).containsExactly(1, 4, 6);
        assertThat(p.numPatches()).isEqualTo(24);
        assertThat(p.patchDim()).isEqualTo(1176);
        assertThat(p.numMergedTokens()).isEqualTo(6);
        float[] v = p.patches();
        // hand-derived spots: row 1 is the right neighbour of row 0 inside the first merge window (x0 = 14);
        // row 2 is the patch below row 0 (y0 = 14); row 4 starts the second window (x0 = 28); row 12 starts the
        // second window row (y0 = 28)
        assertThat(v[0]).isEqualTo(0);
        assertThat(v[1176]).isEqualTo(14);
        assertThat(v[2 * 1176]).isEqualTo(14_000);
        assertThat(v[4 * 1176]).isEqualTo(28);
        assertThat(v[12 * 1176]).isEqualTo(28_000);
        // inside a row: channel blocks of 392, temporal copies of 196, then 14 x 14 pixels
        assertThat(v[5 * 1176 + 392 + 196 + 3 * 14 + 5]).isEqualTo(1_000_000 + 3 * 1000 + 42 + 5);
        // every value, by index arithmetic: row = ((bh * 3 + bw) * 2 + mh) * 2 + mw, col = (c * 2 + t) * 196 + py * 14 + px
        for (int i = 0; i < v.length; i++) {
            int row = i / 1176;
            int col = i % 1176;
            int c = col / 392;
            int py = (col % 196) / 14;
            int px = col % 14;
            int mw = row % 2;
            int mh = (row / 2) % 2;
            int bw = (row / 4) % 3;
            int bh = row / 12;
            int y = (bh * 2 + mh) * 14 + py;
            int x = (bw * 2 + mw) * 14 + px;
            assertThat(v[i]).as("index %d", i).isEqualTo(c * 1_000_000 + y * 1000 + x);
        }
    }

    @Test
    void fullPipelineMatchesTheReferencePixelValuesBitForBit() throws IOException {
        JsonNode c = ReferenceFiles.manifest().get("kidney-ihc-default");
        ProcessedImage p = new QwenImageProcessor().process(ReferenceFiles.tile(c.get("input").asText()));
        assertThat(p.gridThw()).containsExactly(1, 6, 4);
        ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(
                ReferenceFiles.reference("kidney-ihc-default.pixel_values.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = p.patches();
        assertThat(v.length * 4).isEqualTo(expected.capacity());
        int differing = 0;
        for (int i = 0; i < v.length; i++) {
            if (Float.floatToIntBits(v[i]) != Float.floatToIntBits(expected.getFloat(i * 4))) {
                differing++;
            }
        }
        assertThat(differing).as("values differing from the reference pixel_values").isZero();
        assertThat(p.numMergedTokens()).isEqualTo(6);
    }

    @Test
    void patchifyRefusesSizesThatAreNotMultiplesOf28() {
        assertThatThrownBy(() -> new QwenImageProcessor().patchify(new float[3 * 30 * 28], 30, 28))
                .hasMessageContaining("multiple of patch_size * merge_size = 28");
    }

    @Test
    void preprocessorConfigRoundTripsAndReadsHuggingFaceFiles() throws IOException {
        PreprocessorConfig custom = PreprocessorConfig.defaults().withPixelBounds(3136, 12845056);
        Path file = dir.resolve("preprocessor_config.json");
        custom.write(file);
        assertThat(PreprocessorConfig.read(file)).isEqualTo(custom);
        JsonNode written = Json.MAPPER.readTree(file.toFile());
        assertThat(written.get("image_processor_type").asText()).isEqualTo("Qwen2VLImageProcessor");
        assertThat(written.get("max_pixels").asLong()).isEqualTo(12845056);
        assertThat(written.get("size").get("longest_edge").asLong()).isEqualTo(12845056);

        // the file published with Qwen2.5-VL-7B-Instruct
        Files.writeString(file, """
                {"min_pixels": 3136, "max_pixels": 12845056, "patch_size": 14, "temporal_patch_size": 2,
                 "merge_size": 2, "image_mean": [0.48145466, 0.4578275, 0.40821073],
                 "image_std": [0.26862954, 0.26130258, 0.27577711],
                 "image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen2_5_VLProcessor"}""");
        PreprocessorConfig published = PreprocessorConfig.read(file);
        assertThat(published.maxPixels()).isEqualTo(12845056);
        assertThat(published.factor()).isEqualTo(28);
        assertThat(published.imageStd()).containsExactly(PreprocessorConfig.CLIP_STD);
        // newer files put the bounds under size
        Files.writeString(file, "{\"size\": {\"shortest_edge\": 100, \"longest_edge\": 2000000}}");
        assertThat(PreprocessorConfig.read(file).minPixels()).isEqualTo(100);
        assertThat(PreprocessorConfig.read(file).maxPixels()).isEqualTo(2000000);
        // explicit min/max win over size, as in transformers
        Files.writeString(file, "{\"size\": {\"shortest_edge\": 100, \"longest_edge\": 2000000}, \"max_pixels\": 5000}");
        assertThat(PreprocessorConfig.read(file).maxPixels()).isEqualTo(5000);
    }

    @Test
    void preprocessorConfigErrorsNameFileAndField() throws IOException {
        Path file = dir.resolve("preprocessor_config.json");
        Files.writeString(file, "{\"patch_size\": \"14\"}");
        // the project's own (unchecked) error, not an IOException: found by fuzzing
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).isInstanceOf(PathoReasonException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'patch_size'");
        // zero bytes first make Jackson read UTF-32, which these bytes are not: bad content, named as such
        Files.write(file, new byte[] {1, 0, 0, 0, 0, 0, 0, 4, '[', '0', ']'});
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).isInstanceOf(PathoReasonException.class)
                .hasMessageContaining("not valid JSON text");
        Files.writeString(file, "{\"image_mean\": [0.5, 0.5]}");
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).hasMessageContaining("'image_mean'");
        Files.writeString(file, "{\"min_pixels\": 5000, \"max_pixels\": 100}");
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).hasMessageContaining("min_pixels <= max_pixels");
        Files.writeString(file, "{\"resample\": 2}");
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).hasMessageContaining("resample");
        Files.writeString(file, "{\"image_processor_type\": \"CLIPImageProcessor\"}");
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).hasMessageContaining("CLIPImageProcessor");
        Files.writeString(file, "{\"size\": {\"shortest_edge\": 100}}");
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).hasMessageContaining("longest_edge");
        Files.writeString(file, "{nope");
        assertThatThrownBy(() -> PreprocessorConfig.read(file)).hasMessageContaining("not valid JSON");
    }
}
