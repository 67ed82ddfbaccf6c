package org.pathoreason.text.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.pathoreason.text.metrics.PythonStrings;

/**
 * PathMMU's official multiple-choice parser ({@code get_multi_choice_prediction} in its
 * {@code eval/utils/eval_utils.py}, itself MMMU's), reproduced step for step:
 * <ol>
 *   <li>strip the characters {@code , . ! ? ; : '} from both ends, one character kind after another;</li>
 *   <li>pad with one space on each side;</li>
 *   <li>candidates are the letters X with {@code (X)} in the text; if none, those with {@code " X "};
 *       if still none and the text has more than 5 whitespace-separated words, the options whose text occurs in it
 *       (case-insensitive);</li>
 *   <li>with several candidates, the one whose last occurrence starts latest wins (the first listed on a tie).</li>
 * </ol>
 * No candidate means PathMMU falls back to a random letter; that choice is the caller's (see
 * {@link PathMmuExtractor}). Letters are matched case-sensitively, as in PathMMU.
 */
public final class PathMmuChoiceParser {

    private static final String END_PUNCTUATION = ",.!?;:'";

    private PathMmuChoiceParser() {
    }

    /**
     * The option text PathMMU compares against: its prompt builder keeps {@code option.split(')')[1].strip()} of
     * an option written {@code "A) text"}, so a text with its own ')' is cut there. For an option given without its
     * letter prefix (as in a canonical sample's options) that is the part before its first ')'.
     */
    public static String optionText(String optionWithoutLetter) {
        return PythonStrings.strip(PythonStrings.split(optionWithoutLetter, ")").get(0));
    }

    /**
     * The parsed letter, or empty when PathMMU would fall back to a random choice.
     *
     * @param response the model's raw text
     * @param letters the choice letters in order ({@code A, B, ...})
     * @param texts the option texts PathMMU matches, same order as {@code letters}
     */
    public static Optional<String> parse(String response, List<String> letters, List<String> texts) {
        if (letters.size() != texts.size()) {
            throw new IllegalArgumentException("letters and option texts differ in length");
        }
        String r = response;
        for (int i = 0; i < END_PUNCTUATION.length(); i++) {
            r = PythonStrings.strip(r, END_PUNCTUATION.substring(i, i + 1));
        }
        r = " " + r + " ";

        List<Integer> candidates = new ArrayList<>();
        boolean bracketed = false;
        for (int i = 0; i < letters.size(); i++) {
            if (r.contains("(" + letters.get(i) + ")")) {
                candidates.add(i);
                bracketed = true;
            }
        }
        if (candidates.isEmpty()) {
            for (int i = 0; i < letters.size(); i++) {
                if (r.contains(" " + letters.get(i) + " ")) {
                    candidates.add(i);
                }
            }
        }
        boolean byText = false;
        String lower = r.toLowerCase(Locale.ROOT);
        if (candidates.isEmpty() && PythonStrings.split(r).size() > 5) {
            for (int i = 0; i < texts.size(); i++) {
                if (lower.contains(texts.get(i).toLowerCase(Locale.ROOT))) {
                    candidates.add(i);
                    byText = true;
                }
            }
        }
        return latest(candidates, r, lower, letters, texts, byText, bracketed);
    }

    /**
     * The option whose text occurs latest in {@code response} (case-insensitive), whatever the response's length:
     * PathMMU's third rule without its more-than-5-words condition.
     */
    public static Optional<String> lastTextMatch(String response, List<String> letters, List<String> texts) {
        String lower = response.toLowerCase(Locale.ROOT);
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            if (!texts.get(i).isBlank() && lower.contains(texts.get(i).toLowerCase(Locale.ROOT))) {
                candidates.add(i);
            }
        }
        return latest(candidates, response, lower, letters, texts, true, false);
    }

    private static Optional<String> latest(List<Integer> candidates, String r, String lower, List<String> letters,
            List<String> texts, boolean byText, boolean bracketed) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        int best = candidates.get(0);
        int bestStart = Integer.MIN_VALUE;
        for (int c : candidates) {
            int start;
            if (byText) {
                start = lower.lastIndexOf(texts.get(c).toLowerCase(Locale.ROOT));
            } else if (bracketed) {
                start = r.lastIndexOf("(" + letters.get(c) + ")");
            } else {
                start = r.lastIndexOf(" " + letters.get(c) + " ");
            }
            if (start > bestStart) {
                best = c;
                bestStart = start;
            }
        }
        return Optional.of(letters.get(best));
    }
}
