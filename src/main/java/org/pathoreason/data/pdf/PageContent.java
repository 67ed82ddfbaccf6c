package org.pathoreason.data.pdf;

import java.util.List;

/**
 * What one page holds, as read from its content stream.
 *
 * @param page 1-based page number
 * @param width visible page width in points
 * @param height visible page height in points
 * @param images the raster images drawn, in drawing order
 * @param lines the text lines, in reading order of the content stream
 * @param drawings boxes of filled or stroked vector paths (for vector figures), in drawing order
 */
public record PageContent(int page, double width, double height, List<PlacedImage> images, List<TextLine> lines,
                          List<Box> drawings) {

    public PageContent {
        images = List.copyOf(images);
        lines = List.copyOf(lines);
        drawings = List.copyOf(drawings);
    }

    public boolean hasText() {
        for (TextLine l : lines) {
            if (!l.text().isBlank()) {
                return true;
            }
        }
        return false;
    }
}
