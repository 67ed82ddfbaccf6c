package org.pathoreason.serve;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import org.pathoreason.image.ImageFiles;
import org.pathoreason.image.ImageReadException;
import org.pathoreason.image.ImageTooLargeException;

/**
 * Reads the images of a request: base64 {@code data:} URLs of PNG, JPEG or TIFF, or {@code file:} URLs of files
 * under the media folder the server was started with. Nothing is fetched from the network. An image's size is read
 * from its header and checked against the pixel limit before its pixels are decoded (a small file that would
 * decode to a huge image is refused).
 */
final class ImageInputs {

    private static final Set<String> TYPES = Set.of("image/png", "image/jpeg", "image/jpg", "image/tiff");

    private final long maxPixels;
    private final Path mediaDir;

    ImageInputs(ServeOptions options) {
        this.maxPixels = options.maxImagePixels();
        this.mediaDir = options.mediaDir() == null ? null : options.mediaDir().toAbsolutePath().normalize();
    }

    BufferedImage read(ChatRequest.ImagePart part) {
        String url = part.url().strip();
        String lower = url.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith("data:")) {
                return ImageFiles.read(dataUrl(url, part.param()), part.param(), maxPixels);
            }
            if (lower.startsWith("file:")) {
                return ImageFiles.read(mediaFile(url, part.param()), maxPixels);
            }
        } catch (ImageTooLargeException e) {
            throw ApiException.unprocessable(part.param(), "image_too_large", e.getMessage());
        } catch (ImageReadException e) {
            throw ApiException.badRequest(part.param(), e.getMessage());
        }
        if (lower.startsWith("http:") || lower.startsWith("https:")) {
            throw ApiException.badRequest(part.param(), "remote image URLs are not fetched (this server works "
                    + "offline); send the image as a base64 data: URL");
        }
        throw ApiException.badRequest(part.param(), "unsupported image URL; send a base64 data: URL "
                + "(data:image/png;base64,...)");
    }

    private static byte[] dataUrl(String url, String param) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw ApiException.badRequest(param, "malformed data: URL (no comma)");
        }
        String meta = url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (!meta.endsWith(";base64")) {
            throw ApiException.badRequest(param, "data: URLs of images must be base64 encoded (';base64,')");
        }
        String type = meta.substring(0, meta.length() - ";base64".length());
        int semi = type.indexOf(';');
        if (semi >= 0) {
            type = type.substring(0, semi);
        }
        if (!TYPES.contains(type)) {
            throw ApiException.badRequest(param, "image type '" + type + "' is not supported; use image/png, "
                    + "image/jpeg or image/tiff");
        }
        try {
            return Base64.getMimeDecoder().decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(param, "the data: URL is not valid base64: " + e.getMessage());
        }
    }

    /** A file URL's path inside the media folder; anything that leaves it (.., links) is refused. */
    private Path mediaFile(String url, String param) {
        if (mediaDir == null) {
            throw ApiException.badRequest(param, "local files are not served; start the server with --media-dir "
                    + "DIR to allow file: URLs under DIR, or send the image as a data: URL");
        }
        String raw = url.substring("file:".length());
        while (raw.startsWith("//")) {
            raw = raw.substring(1);
        }
        String decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        Path p = Path.of(decoded);
        Path file = (p.isAbsolute() ? p : mediaDir.resolve(p)).normalize();
        try {
            Path real = file.toRealPath();
            Path root = mediaDir.toRealPath();
            if (!real.startsWith(root) || !Files.isRegularFile(real)) {
                throw ApiException.badRequest(param, "file " + decoded + " is not a file inside the media folder");
            }
            return real;
        } catch (IOException e) {
            throw ApiException.badRequest(param, "file " + decoded + " is not a file inside the media folder");
        }
    }
}
