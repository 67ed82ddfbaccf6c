package org.pathoreason.wsi;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.pathoreason.util.Json;

/** The slides under src/test/resources/wsi (see NOTICE.md there) and OpenSlide's reference reads of them. */
final class TestSlides {

    static final String CMU = "CMU-1-Small-Region.svs";
    static final String SMALL = "openslide-small.svs";
    static final String BOXES = "openslide-boxes.tiff";
    static final String JP2K_YCBCR = "jp2k-ycbcr.svs";
    static final String JP2K_RGB = "jp2k-rgb.svs";
    static final List<String> ALL = List.of(CMU, SMALL, BOXES, JP2K_YCBCR, JP2K_RGB);

    private TestSlides() {
    }

    static Path path(String name) {
        try {
            return Path.of(TestSlides.class.getResource("/wsi/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource wsi/" + name, e);
        }
    }

    /** tools/openslide_reference.py's output: what OpenSlide 3.4.1 reads from each slide. */
    static JsonNode reference() {
        try {
            return Json.MAPPER.readTree(path("openslide-reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] argb(String base64) {
        ByteBuffer b = ByteBuffer.wrap(java.util.Base64.getDecoder().decode(base64));
        int[] px = new int[b.remaining() / 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = b.getInt();
        }
        return px;
    }

    /**
     * Largest difference in any channel between two ARGB pixel arrays of the same size, compared premultiplied (as
     * OpenSlide's pixels are), so that the colour of a nearly transparent pixel does not count.
     */
    static int maxChannelDifference(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new AssertionError("sizes differ: " + a.length + " vs " + b.length);
        }
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int s = 0; s < 32; s += 8) {
                max = Math.max(max, Math.abs(premultiplied(a[i], s) - premultiplied(b[i], s)));
            }
        }
        return max;
    }

    private static int premultiplied(int p, int shift) {
        int alpha = p >>> 24;
        int c = (p >>> shift) & 0xFF;
        return shift == 24 ? c : (c * alpha + 127) / 255;
    }

    static int maxChannelDifference(BufferedImage a, BufferedImage b) {
        return maxChannelDifference(Images.pixels(a), Images.pixels(b));
    }
}
