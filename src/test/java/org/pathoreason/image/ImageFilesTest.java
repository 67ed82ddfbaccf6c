package org.pathoreason.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    @TempDir
    Path dir;

    static String rgbSha256(BufferedImage rgb) throws NoSuchAlgorithmException {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        byte[] bytes = new byte[w * h * 3];
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            bytes[3 * i] = (byte) (px[i] >>> 16);
            bytes[3 * i + 1] = (byte) (px[i] >>> 8);
            bytes[3 * i + 2] = (byte) px[i];
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void decodesEverySharedTileExactlyAsPillowDoes() throws Exception {
        // PNG RGB, PNG RGBA and a PackBits TIFF; digests of Pillow's decoded RGB bytes
        JsonNode digests = ReferenceFiles.manifest().get("decoded_rgb_sha256");
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = digests.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            BufferedImage img = ImageFiles.read(ReferenceFiles.tile(e.getKey()));
            assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            assertThat(rgbSha256(img)).as(e.getKey()).isEqualTo(e.getValue().asText());
            checked++;
        }
        assertThat(checked).isEqualTo(7);
        BufferedImage tif = ImageFiles.read(ReferenceFiles.tile("crc-adi-224.tif"));
        assertThat(tif.getWidth()).isEqualTo(224);
        assertThat(tif.getHeight()).isEqualTo(224);
    }

    @Test
    void dropsAlphaKeepingTheStoredColourAsTransformers() throws IOException {
        // every (value, alpha) pair, alpha 0 to 255 down the rows; transformers 5's convert_to_rgb is Pillow's
        // convert("RGB"), which keeps R, G, B as stored whatever the alpha
        Path png = ReferenceFiles.reference("alpha-grid-rgba.png");
        BufferedImage stored = ImageIO.read(png.toFile());
        assertThat(stored.getColorModel().hasAlpha()).isTrue();
        BufferedImage ours = ImageFiles.read(png);
        assertThat(ours.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4];
        int partial = 0;
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                stored.getRaster().getPixel(x, y, px);
                assertThat(px[3]).isEqualTo(y);
                partial += px[3] > 0 && px[3] < 255 ? 1 : 0;
                assertThat(ours.getRGB(x, y) & 0xFFFFFF).as("(%d, %d)", x, y)
                        .isEqualTo((px[0] << 16) | (px[1] << 8) | px[2]);
            }
        }
        assertThat(partial).isEqualTo(256 * 254);
        // fully transparent keeps its colour (no white), half transparent is not blended
        assertThat(ours.getRGB(10, 0) & 0xFFFFFF).isEqualTo((10 << 16) | (245 << 8) | 70);
        assertThat(ours.getRGB(10, 128) & 0xFFFFFF).isEqualTo((10 << 16) | (245 << 8) | 70);
        assertThat(ours.getRGB(10, 255) & 0xFFFFFF).isEqualTo((10 << 16) | (245 << 8) | 70);
    }

    @Test
    void alphaDoesNotReachThePixelValues() {
        BufferedImage rgba = new BufferedImage(56, 56, BufferedImage.TYPE_INT_ARGB);
        BufferedImage opaque = new BufferedImage(56, 56, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                int rgb = ((x * 4) << 16) | ((y * 4) << 8) | ((x + y) % 256);
                rgba.setRGB(x, y, (((x * 37 + y * 11) % 256) << 24) | rgb);
                opaque.setRGB(x, y, 0xFF000000 | rgb);
            }
        }
        QwenImageProcessor processor = new QwenImageProcessor();
        assertThat(processor.process(rgba).patches()).containsExactly(processor.process(opaque).patches());
    }

    @Test
    void readsJpegAndGreyImages() throws IOException {
        BufferedImage src = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                src.setRGB(x, y, 0x806040);
            }
        }
        Path jpg = dir.resolve("flat.jpg");
        ImageIO.write(src, "jpg", jpg.toFile());
        BufferedImage back = ImageFiles.read(jpg);
        assertThat(back.getWidth()).isEqualTo(40);
        int p = back.getRGB(20, 15);
        assertThat(Math.abs(((p >> 16) & 0xFF) - 0x80)).isLessThanOrEqualTo(3);
        assertThat(Math.abs(((p >> 8) & 0xFF) - 0x60)).isLessThanOrEqualTo(3);

        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 4, 0, 100);
        Path png = dir.resolve("grey.png");
        ImageIO.write(grey, "png", png.toFile());
        // grey values are replicated as they are (Java's own conversion would apply a gamma curve)
        assertThat(ImageFiles.read(png).getRGB(3, 4) & 0xFFFFFF).isEqualTo(0x646464);
    }

    @Test
    void namesUnreadableFiles() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        assertThatThrownBy(() -> ImageFiles.read(text)).isInstanceOf(ImageReadException.class)
                .hasMessageContaining(text.toString()).hasMessageContaining("unsupported or unrecognised");
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> ImageFiles.read(missing)).hasMessageContaining(missing.toString())
                .hasMessageContaining("no such image file");
        byte[] tile = Files.readAllBytes(ReferenceFiles.tile("histolab-kidney-ihc-level0-310-500-360-530.png"));
        Path cut = dir.resolve("cut.png");
        Files.write(cut, java.util.Arrays.copyOf(tile, tile.length / 2));
        assertThatThrownBy(() -> ImageFiles.read(cut)).isInstanceOf(ImageReadException.class)
                .hasMessageContaining(cut.toString()).hasMessageContaining("cannot decode");
    }

    /** A PNG with only a header claiming the given size (its pixel data is absent). */
    private static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    @Test
    void refusesHugeImagesBeforeDecodingThem() throws IOException {
        Path huge = Files.write(dir.resolve("huge.png"), pngHeaderOnly(100_000, 90_000));
        assertThat(ImageFiles.dimensions(huge)).isEqualTo(new ImageFiles.Dimensions(100_000, 90_000));
        assertThatThrownBy(() -> ImageFiles.read(huge)).isInstanceOf(ImageReadException.class)
                .hasMessageContaining(huge.toString()).hasMessageContaining("100000 x 90000")
                .hasMessageContaining("over the limit");
        Path tile = ReferenceFiles.tile("tiatoolbox-he-1000-crop-100-200-331-290.png"); // 231 x 90 = 20790 pixels
        assertThatThrownBy(() -> ImageFiles.read(tile, 20_789)).hasMessageContaining("231 x 90")
                .hasMessageContaining("20789");
        assertThat(ImageFiles.read(tile, 20_790).getWidth()).isEqualTo(231);
    }
}
