package org.pathoreason.data.pdf;

import java.util.Locale;

/**
 * Settings of figure-caption extraction; {@link #defaults()} suits journal articles and textbooks.
 *
 * @param minSidePoints images drawn smaller than this on either side (in points, 1/72 inch) are left out
 * @param minSidePixels images with fewer pixels than this on either side are left out
 * @param decorationShare an image drawn at the same place on at least this share of the pages (and on 3 pages
 *     or more) is a page decoration (logo, header, footer) and left out
 * @param duplicateBits figures whose perceptual hashes differ in at most this many of 64 bits are duplicates;
 *     only the first is kept (-1 keeps duplicates)
 * @param maxCaptionGap largest distance between a figure and its caption, as a share of the page height
 * @param groupGap images at most this far apart (share of the page height) with no prose between are one figure
 * @param vectorFigures also take figures drawn as vector graphics (a caption with no image above or below it
 *     but drawings), rendered from the page
 * @param maxDpi the highest resolution crops are rendered at; a raster figure is rendered at its own resolution
 *     up to this
 * @param onBadFile what to do with a file that cannot be read (encrypted, damaged)
 */
public record PdfOptions(double minSidePoints, int minSidePixels, double decorationShare, int duplicateBits,
                         double maxCaptionGap, double groupGap, boolean vectorFigures, int maxDpi,
                         OnBadFile onBadFile) {

    /** What happens to a PDF that cannot be read. */
    public enum OnBadFile {
        /** Stop with an error naming the file; nothing is written. */
        STOP,
        /** Leave it out, say why in the counts, and go on. */
        SKIP;

        public static OnBadFile parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("on-bad-file must be stop or skip, got '" + s + "'");
            }
        }
    }

    public PdfOptions {
        check(minSidePoints >= 0, "minSidePoints must be >= 0, got %s", minSidePoints);
        check(minSidePixels >= 0, "minSidePixels must be >= 0, got %s", minSidePixels);
        check(decorationShare > 0 && decorationShare <= 1, "decorationShare must be in (0, 1], got %s", decorationShare);
        check(duplicateBits >= -1 && duplicateBits <= 64, "duplicateBits must be in [-1, 64], got %s", duplicateBits);
        check(maxCaptionGap > 0 && maxCaptionGap <= 1, "maxCaptionGap must be in (0, 1], got %s", maxCaptionGap);
        check(groupGap >= 0 && groupGap <= 1, "groupGap must be in [0, 1], got %s", groupGap);
        check(maxDpi >= 72 && maxDpi <= 1200, "maxDpi must be in [72, 1200], got %s", maxDpi);
        check(onBadFile != null, "onBadFile is required%s", "");
    }

    /**
     * 40 pt and 32 px minimum sides, decorations on 30% of pages, duplicates within 4 bits, captions within 15%
     * and panels within 4% of the page height, raster figures only, crops up to 300 dpi, stop on a bad file.
     */
    public static PdfOptions defaults() {
        return new PdfOptions(40, 32, 0.3, 4, 0.15, 0.04, false, 300, OnBadFile.STOP);
    }

    public PdfOptions withVectorFigures(boolean on) {
        return new PdfOptions(minSidePoints, minSidePixels, decorationShare, duplicateBits, maxCaptionGap, groupGap,
                on, maxDpi, onBadFile);
    }

    public PdfOptions withOnBadFile(OnBadFile o) {
        return new PdfOptions(minSidePoints, minSidePixels, decorationShare, duplicateBits, maxCaptionGap, groupGap,
                vectorFigures, maxDpi, o);
    }

    public PdfOptions withMaxDpi(int dpi) {
        return new PdfOptions(minSidePoints, minSidePixels, decorationShare, duplicateBits, maxCaptionGap, groupGap,
                vectorFigures, dpi, onBadFile);
    }

    public PdfOptions withMinSidePoints(double pts) {
        return new PdfOptions(pts, minSidePixels, decorationShare, duplicateBits, maxCaptionGap, groupGap,
                vectorFigures, maxDpi, onBadFile);
    }

    private static void check(boolean ok, String template, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, value));
        }
    }
}
