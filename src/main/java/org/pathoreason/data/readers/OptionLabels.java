package org.pathoreason.data.readers;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits option strings written with their letter ({@code "A) text"}, {@code "(B) text"}, {@code "C. text"}). */
final class OptionLabels {

    private static final Pattern LABELLED = Pattern.compile(
            "\\s*(?:\\(([A-Z])\\)|([A-Z])\\s*[).:])\\s*(.*)", Pattern.DOTALL);
    private static final Pattern BARE_LETTER = Pattern.compile("\\s*\\(?([A-Z])\\)?[.)]?\\s*");

    /** An option's letter and its text. */
    record Labelled(String letter, String text) {
    }

    private OptionLabels() {
    }

    /** The letter and text of {@code "A) text"}; empty when the string carries no letter label. */
    static Optional<Labelled> parse(String s) {
        Matcher m = LABELLED.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        String letter = m.group(1) != null ? m.group(1) : m.group(2);
        return Optional.of(new Labelled(letter, m.group(3).strip()));
    }

    /** The letter of a bare answer such as {@code "B"}, {@code "(B)"} or {@code "B."}; empty otherwise. */
    static Optional<String> bareLetter(String s) {
        Matcher m = BARE_LETTER.matcher(s);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
