package org.pathoreason.knowledge;

import java.util.Locale;

/** Text normalisation shared by name look-up and the entity matcher. */
final class Names {

    private Names() {
    }

    static boolean isLowerSnake(String s) {
        if (s.isEmpty() || s.charAt(0) == '_' || s.charAt(s.length() - 1) == '_') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Turns a label such as {@code gene/protein} or {@code off-label use} into {@code gene_protein}, {@code off_label_use}. */
    static String toLowerSnake(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean pendingSep = false;
        for (int i = 0; i < s.length(); i++) {
            char c = Character.toLowerCase(s.charAt(i));
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (pendingSep && b.length() > 0) {
                    b.append('_');
                }
                pendingSep = false;
                b.append(c);
            } else {
                pendingSep = true;
            }
        }
        return b.toString();
    }

    /**
     * The folded form used to compare names: lower case, hyphens and runs of white space become one space,
     * trimmed. One input char maps to at most one output char, so the matcher can keep offsets.
     */
    static String fold(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = foldChar(s.charAt(i));
            if (c == ' ' && (b.length() == 0 || b.charAt(b.length() - 1) == ' ')) {
                continue;
            }
            b.append(c);
        }
        int end = b.length();
        while (end > 0 && b.charAt(end - 1) == ' ') {
            end--;
        }
        b.setLength(end);
        return b.toString();
    }

    static char foldChar(char c) {
        if (Character.isWhitespace(c) || c == '\u00a0' || isHyphen(c)) {
            return ' ';
        }
        return Character.toLowerCase(c);
    }

    static boolean isHyphen(char c) {
        return c == '-' || c == '\u2010' || c == '\u2011' || c == '\u2012' || c == '\u2013';
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
