package org.pathoreason.data.pdf;

import java.awt.image.BufferedImage;

/**
 * A second opinion on a figure-caption pair, e.g. a vision-language model ({@link VisionFigureChecker}): keep it
 * or not, optionally with a tighter box and a cleaned caption.
 */
public interface FigureChecker {

    /**
     * The verdict on one pair.
     *
     * @param keep whether the crop shows a figure the caption describes
     * @param box the part of the crop that is the figure, as fractions of its width and height
     *     {@code [x0, y0, x1, y1]}, or null to keep the crop as it is
     * @param caption a corrected caption, or null to keep the extracted one
     * @param note why, in a few words (for the report)
     */
    record Verdict(boolean keep, double[] box, String caption, String note) {
    }

    /** Judges a pair; {@code heading} is the label as printed ({@code Figure 3}). */
    Verdict check(BufferedImage crop, String heading, String caption);

    /** What the checker is (model and endpoint), recorded with the output and part of its resume key. */
    String describe();
}
