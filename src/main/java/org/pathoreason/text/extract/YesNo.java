package org.pathoreason.text.extract;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads yes/no answers: the word whose last whole-word occurrence comes latest wins, as PathMMU does for letters. */
final class YesNo {

    private static final Pattern WORD = Pattern.compile("\\b(yes|no)\\b",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CHARACTER_CLASS);

    private YesNo() {
    }

    static Extraction lastWord(String text) {
        Matcher m = WORD.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1).toLowerCase(Locale.ROOT);
        }
        return last == null ? Extraction.miss() : Extraction.found(last);
    }

    /** The whole text, lower-cased and without end punctuation, is exactly yes or no. */
    static Extraction exact(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replaceAll("[.!,;:]+$", "").strip();
        return t.equals("yes") || t.equals("no") ? Extraction.found(t) : Extraction.miss();
    }
}
