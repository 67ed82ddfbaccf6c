package org.pathoreason.data.pdf;

/**
 * A raster image drawn on a page: where the content stream put it (its transformation matrix applied to the unit
 * square) and what it is.
 *
 * @param page 1-based page number
 * @param box where it is drawn
 * @param pixelWidth the image's own width in pixels
 * @param pixelHeight the image's own height in pixels
 * @param objectKey the image XObject's object number in the file ({@code 12 0}), or null for an inline image;
 *     the same key on many pages is the same image drawn again (a logo)
 * @param hash a 64-bit perceptual hash of the image ({@link PerceptualHash})
 */
public record PlacedImage(int page, Box box, int pixelWidth, int pixelHeight, String objectKey, long hash) {

    /** Pixels per point along the wider side: how finely the image is printed. */
    public double pixelsPerPoint() {
        return box.width() >= box.height() ? pixelWidth / Math.max(1e-6, box.width())
                : pixelHeight / Math.max(1e-6, box.height());
    }
}
