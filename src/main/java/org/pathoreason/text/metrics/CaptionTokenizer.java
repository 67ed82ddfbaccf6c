package org.pathoreason.text.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How free text is turned into the space-separated tokens that {@link Bleu} and {@link RougeL} score.
 * pycocoevalcap's metrics themselves only split on whitespace; its COCO pipeline first runs Stanford CoreNLP's
 * PTB tokenizer (lower-cased) and drops punctuation tokens. That tokenizer is Java code from CoreNLP that we do
 * not ship, so {@link #PTB} is a close approximation of it, not a byte-for-byte copy.
 */
public enum CaptionTokenizer {
    /** Text as given: scores equal pycocoevalcap run on the raw strings (what the shared vectors test). */
    NONE,
    /** Lower-cased, whitespace kept: for pre-tokenised text that differs only in case. */
    LOWER,
    /**
     * Approximates the PTB tokenisation of the COCO caption pipeline: lower-case; split off punctuation, clitics
     * ({@code n't}, {@code 's}, ...) and {@code %}; keep numbers such as {@code 3.5} and words with inner hyphens
     * or slashes ({@code her2/neu}, {@code non-neoplastic}) whole; drop the punctuation tokens pycocoevalcap drops.
     */
    PTB;

    // pycocoevalcap's PTBTokenizer drops these tokens; brackets and quotes are in it through their PTB forms.
    private static final Set<String> DROPPED = Set.of("''", "'", "``", "`", "\"", "(", ")", "[", "]", "{", "}",
            ".", "?", "!", ",", ":", "-", "--", "...", ";");
    private static final Pattern CLITIC_NT = Pattern.compile("(\\p{L})n't\\b");
    private static final Pattern CLITIC = Pattern.compile("(\\p{L})'(s|re|ve|ll|d|m)\\b");
    private static final Pattern TOKEN = Pattern.compile(
            "\\d+(?:[.,/:]\\d+)*\\+*"
                    + "|n't|'(?:s|re|ve|ll|d|m)\\b"
                    + "|[\\p{L}\\p{N}]+(?:[-/+_&][\\p{L}\\p{N}]+)*\\+*"
                    + "|\\.\\.\\.|--"
                    + "|\\S");

    /** Tokens joined by single spaces. */
    public String apply(String text) {
        return switch (this) {
            case NONE -> text;
            case LOWER -> text.toLowerCase(Locale.ROOT);
            case PTB -> String.join(" ", ptbTokens(text));
        };
    }

    /** Parses a name such as {@code ptb} or {@code none}. */
    public static CaptionTokenizer parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown caption tokenizer '" + name + "' (expected none, lower, ptb)");
        }
    }

    private static List<String> ptbTokens(String text) {
        String s = text.toLowerCase(Locale.ROOT);
        s = CLITIC_NT.matcher(s).replaceAll("$1 n't");
        s = CLITIC.matcher(s).replaceAll("$1 '$2");
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            String t = m.group();
            if (!DROPPED.contains(t)) {
                tokens.add(t);
            }
        }
        return tokens;
    }
}
