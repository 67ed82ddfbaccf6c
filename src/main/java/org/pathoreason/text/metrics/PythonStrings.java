package org.pathoreason.text.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python {@code str} operations that the peer scorers (pycocoevalcap, PathMMU, SQuAD) rely on, with
 * Python's exact semantics, so that tokenisation and stripping match theirs character for character.
 */
public final class PythonStrings {

    private PythonStrings() {
    }

    /** Python's {@code str.isspace()} for one character (Unicode whitespace, including no-break spaces). */
    public static boolean isSpace(char c) {
        // Java's isWhitespace leaves out the no-break spaces and NEL, which Python counts as whitespace.
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code s.split()}: runs of whitespace separate tokens; no empty tokens. */
    public static List<String> split(String s) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                tokens.add(s.substring(start, i));
            }
        }
        return tokens;
    }

    /** Python's {@code s.split(sep)} for a literal separator: keeps empty pieces, at both ends too. */
    public static List<String> split(String s, String sep) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** Python's {@code s.strip(chars)}: removes any of {@code chars} from both ends. */
    public static String strip(String s, String chars) {
        int start = 0;
        int end = s.length();
        while (start < end && chars.indexOf(s.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && chars.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Python's {@code s.strip()}: removes whitespace from both ends. */
    public static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }
}
