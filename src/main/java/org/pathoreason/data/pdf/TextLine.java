package org.pathoreason.data.pdf;

/**
 * A line of text on a page (one column's line: runs far apart on one baseline are separate lines).
 *
 * @param text the characters, words separated by single spaces
 * @param box where the glyphs are
 * @param fontSize the first glyph's size in points
 * @param firstWordBold whether the first word is set in a bold face (caption labels often are)
 * @param lastWordBold whether the last word is (a bold caption title ends where plain text starts)
 */
public record TextLine(String text, Box box, double fontSize, boolean firstWordBold, boolean lastWordBold) {

    public double baseline() {
        return box.y1();
    }
}
