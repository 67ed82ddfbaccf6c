package org.pathoreason.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PilBicubicTest {

    @Test
    void kernelIsPillowsCubicWithAMinusHalf() {
        assertThat(PilBicubic.kernel(0)).isEqualTo(1.0);
        assertThat(PilBicubic.kernel(1)).isEqualTo(0.0);
        assertThat(PilBicubic.kernel(2)).isEqualTo(0.0);
        assertThat(PilBicubic.kernel(0.5)).isEqualTo(0.5625);
        assertThat(PilBicubic.kernel(-0.5)).isEqualTo(0.5625);
        assertThat(PilBicubic.kernel(1.5)).isEqualTo(-0.0625);
    }

    @Test
    void shrinkingWidensTheFilter() {
        // halving: support 4 input pixels each side, 9 taps at most; enlarging keeps 5
        assertThat(PilBicubic.coefficients(100, 50).ksize()).isEqualTo(9);
        assertThat(PilBicubic.coefficients(50, 100).ksize()).isEqualTo(5);
        // fixed-point weights of every output pixel sum to 1.0 within rounding
        PilBicubic.Coefficients c = PilBicubic.coefficients(224, 112);
        for (int xx = 0; xx < 112; xx++) {
            int sum = 0;
            for (int k = 0; k < c.ksize(); k++) {
                sum += c.weights()[xx * c.ksize() + k];
            }
            assertThat(Math.abs(sum - (1 << 22))).isLessThanOrEqualTo(c.ksize());
        }
    }

    @Test
    void reproducesPillowResizeExactlyOnRealTiles() throws IOException {
        JsonNode manifest = ReferenceFiles.manifest();
        int cases = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode c = e.getValue();
            if (!c.has("resized_height")) {
                continue;
            }
            BufferedImage input = ImageFiles.read(ReferenceFiles.tile(c.get("input").asText()));
            if (c.get("crop").isArray()) {
                JsonNode box = c.get("crop");
                int x0 = box.get(0).asInt();
                int y0 = box.get(1).asInt();
                input = input.getSubimage(x0, y0, box.get(2).asInt() - x0, box.get(3).asInt() - y0);
            }
            QwenImageProcessor p = new QwenImageProcessor(PreprocessorConfig.defaults()
                    .withPixelBounds(c.get("min_pixels").asLong(), c.get("max_pixels").asLong()));
            BufferedImage ours = p.resize(input);
            BufferedImage pillow = ImageFiles.read(ReferenceFiles.reference(e.getKey() + ".png"));
            assertThat(ours.getHeight()).as(e.getKey()).isEqualTo(c.get("resized_height").asInt());
            assertThat(ours.getWidth()).as(e.getKey()).isEqualTo(c.get("resized_width").asInt());
            int w = ours.getWidth();
            int h = ours.getHeight();
            int[] a = ours.getRGB(0, 0, w, h, null, 0, w);
            int[] b = pillow.getRGB(0, 0, w, h, null, 0, w);
            int differing = 0;
            int maxDiff = 0;
            for (int i = 0; i < a.length; i++) {
                for (int s = 0; s < 24; s += 8) {
                    int d = Math.abs(((a[i] >> s) & 0xFF) - ((b[i] >> s) & 0xFF));
                    maxDiff = Math.max(maxDiff, d);
                    differing += d == 0 ? 0 : 1;
                }
            }
            assertThat(differing).as("%s: %d channel values differ from Pillow (max difference %d)", e.getKey(),
                    differing, maxDiff).isZero();
            cases++;
        }
        assertThat(cases).isEqualTo(5);
    }

    @Test
    void sameSizeIsACopy() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0x123456);
        BufferedImage same = PilBicubic.resize(img, 3, 2);
        assertThat(same).isNotSameAs(img);
        assertThat(same.getRGB(1, 1) & 0xFFFFFF).isEqualTo(0x123456);
    }
}
