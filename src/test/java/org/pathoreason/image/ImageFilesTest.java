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
    void compositesTransparencyOverWhiteAsPillow() throws IOException {
        BufferedImage ours = ImageFiles.read(ReferenceFiles.reference("alpha-grid-rgba.png"));
        BufferedImage pillow = ImageFiles.read(ReferenceFiles.reference("alpha-grid-over-white.png"));
        assertThat(ours.getRGB(0, 0, 256, 256, null, 0, 256)).containsExactly(pillow.getRGB(0, 0, 256, 256, null, 0,
                256));
        // fully transparent is white, opaque keeps its colour
        assertThat(ours.getRGB(10, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThat(ours.getRGB(10, 255) & 0xFFFFFF).isEqualTo((10 << 16) | (245 << 8) | 70);
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

    @Test
    void overWhiteMatchesPillowArithmeticAtTheEdges() {
        assertThat(ImageFiles.overWhite(0x00123456)).isEqualTo(0xFFFFFF);
        assertThat(ImageFiles.overWhite(0xFF123456)).isEqualTo(0x123456);
        // black at alpha 128 over white: coef1 = 128*128, coef2 = 127*128, rounded division by 255 gives 127
        assertThat(ImageFiles.overWhite(0x80000000)).isEqualTo(0x7F7F7F);
    }
}
