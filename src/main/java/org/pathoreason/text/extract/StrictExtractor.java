package org.pathoreason.text.extract;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PathVLM-R1's reading: only the first {@code <answer>...</answer>} counts, and for a multiple-choice question it
 * must name exactly one option letter (upper case), optionally bracketed or followed by {@code . ) :}, optionally
 * followed by that option's own text: {@code B}, {@code B.}, {@code (B)}, {@code B) Chronic inflammation}.
 * Anything else (no tag, a letter outside the options, another option's text, prose) is a miss.
 */
final class StrictExtractor implements AnswerExtractor {

    private static final Pattern LETTER_FORM = Pattern.compile(
            "(?:\\(([A-Z])\\)|([A-Z])(?:[.):]|(?=\\s)|$))\\s*(.*)", Pattern.DOTALL);

    @Override
    public ExtractionMode mode() {
        return ExtractionMode.STRICT;
    }

    @Override
    public Extraction choice(String completion, List<String> options) {
        Optional<String> answer = AnswerTags.answer(completion);
        if (answer.isEmpty()) {
            return Extraction.miss();
        }
        Matcher m = LETTER_FORM.matcher(answer.get());
        if (!m.matches()) {
            return Extraction.miss();
        }
        String letter = m.group(1) != null ? m.group(1) : m.group(2);
        int index = letter.charAt(0) - 'A';
        if (index < 0 || index >= options.size()) {
            return Extraction.miss();
        }
        String rest = m.group(3);
        if (!rest.isBlank() && !sameText(rest, options.get(index))) {
            return Extraction.miss();
        }
        return Extraction.found(letter);
    }

    @Override
    public Extraction yesNo(String completion) {
        return AnswerTags.answer(completion).map(YesNo::exact).orElse(Extraction.miss());
    }

    @Override
    public Extraction text(String completion) {
        return AnswerTags.answer(completion).map(Extraction::found).orElse(Extraction.miss());
    }

    /** Equal up to case, surrounding space, runs of whitespace and a final full stop. */
    private static boolean sameText(String given, String option) {
        return canonical(given).equals(canonical(option));
    }

    private static String canonical(String s) {
        return s.strip().replaceAll("\\s+", " ").replaceAll("\\.$", "").toLowerCase(Locale.ROOT);
    }
}
