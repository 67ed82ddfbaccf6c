package org.pathoreason.reward.judge;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Images as {@code data:} URLs for chat-completions requests. PNG, JPEG, GIF and WebP files are sent as they are;
 * anything ImageIO can read (TIFF, BMP, ...) is re-encoded as PNG, since chat APIs accept only the former.
 */
final class ImageDataUrls {

    private ImageDataUrls() {
    }

    static String of(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String mime = name.endsWith(".png") ? "image/png"
                : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg"
                : name.endsWith(".gif") ? "image/gif"
                : name.endsWith(".webp") ? "image/webp" : null;
        byte[] bytes;
        if (mime != null) {
            bytes = Files.readAllBytes(file);
        } else {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException("no image reader for " + file);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            bytes = out.toByteArray();
            mime = "image/png";
        }
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
