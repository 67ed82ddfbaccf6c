package org.pathoreason.data.pdf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A caption block found on a page.
 *
 * @param kind what it captions
 * @param label the number as printed ({@code 3}, {@code S1}, {@code 3-2}, {@code 3A})
 * @param heading the label as printed, e.g. {@code Figure 3}, {@code Fig. 3A}
 * @param text the caption without its heading, lines joined, ligatures and hyphenation undone
 * @param box where the block is
 * @param fontSize the first line's font size
 * @param panels per-panel captions when the caption names panels ({@code (A) ... (B) ...}): panel letter to
 *     the shared part followed by that panel's part; empty otherwise
 */
public record Caption(Kind kind, String label, String heading, String text, Box box, double fontSize,
                      Map<String, String> panels) {

    /** What a caption belongs to. Only figure captions make pairs; the others claim the images they caption. */
    public enum Kind { FIGURE, TABLE, SCHEME }

    public Caption {
        panels = Collections.unmodifiableMap(new LinkedHashMap<>(panels));
    }

    /** The panel letters in order. */
    public List<String> panelLetters() {
        return List.copyOf(panels.keySet());
    }
}
