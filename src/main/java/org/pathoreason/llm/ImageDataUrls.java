package org.pathoreason.llm;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Images as {@code data:} URLs for chat-completions requests. PNG, JPEG, GIF and WebP files are sent as they are;
 * anything ImageIO can read (TIFF, BMP, ...) is re-encoded as PNG, since chat APIs accept only the former.
 */
public final class ImageDataUrls {

    private ImageDataUrls() {
    }

    /** The file as a data URL. */
    public static String of(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String mime = name.endsWith(".png") ? "image/png"
                : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg"
                : name.endsWith(".gif") ? "image/gif"
                : name.endsWith(".webp") ? "image/webp" : null;
        if (mime != null) {
            return url(mime, Files.readAllBytes(file));
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException("no image reader for " + file);
        }
        return of(img);
    }

    /** An image in memory, encoded as PNG. */
    public static String of(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalArgumentException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an image as PNG", e); // in memory: does not happen
        }
        return url("image/png", out.toByteArray());
    }

    private static String url(String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
