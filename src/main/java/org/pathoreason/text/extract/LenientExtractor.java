package org.pathoreason.text.extract;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A forgiving reading for models that do not follow the format exactly: take the {@code <answer>} content (or the
 * text outside reasoning blocks), drop Markdown emphasis, then apply PathMMU's rules with three relaxations: a
 * letter followed by {@code ) . : ,} counts as a standalone letter ({@code "Answer: D) text"}), the full option
 * text is matched (no cut at ')') whatever the answer's length, and an answer equal to an option's text wins.
 * Nothing matching is a miss; there is no random fallback.
 */
final class LenientExtractor implements AnswerExtractor {

    private static final Pattern EMPHASIS = Pattern.compile("[*`]+|(?<!\\w)_+|_+(?!\\w)");
    private static final Pattern LETTER_PUNCTUATION = Pattern.compile("(?<=\\b[A-Z])[).:,]");

    @Override
    public ExtractionMode mode() {
        return ExtractionMode.LENIENT;
    }

    @Override
    public Extraction choice(String completion, List<String> options) {
        String answer = clean(completion);
        List<String> letters = PathMmuExtractor.letters(options.size());
        for (int i = 0; i < options.size(); i++) {
            if (answer.strip().replaceAll("\\.$", "").equalsIgnoreCase(options.get(i).strip())) {
                return Extraction.found(letters.get(i));
            }
        }
        String spaced = LETTER_PUNCTUATION.matcher(answer).replaceAll(" ");
        Optional<String> letter = PathMmuChoiceParser.parse(spaced, letters, options);
        if (letter.isEmpty()) {
            letter = PathMmuChoiceParser.lastTextMatch(answer, letters, options);
        }
        return letter.map(Extraction::found).orElse(Extraction.miss());
    }

    @Override
    public Extraction yesNo(String completion) {
        return YesNo.lastWord(clean(completion));
    }

    @Override
    public Extraction text(String completion) {
        return Extraction.found(clean(completion));
    }

    private static String clean(String completion) {
        return EMPHASIS.matcher(AnswerTags.lenientAnswer(completion)).replaceAll("").strip();
    }
}
