package org.pathoreason.text.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * PathMMU's official reading of free text ({@link PathMmuChoiceParser}) on the raw completion: R1 tags are not
 * stripped, exactly as PathMMU does not strip them. When nothing matches, PathMMU draws
 * {@code random.choice(letters)} from Python's generator seeded once with 42 when its module loads; with
 * {@code randomFallback} on, this extractor draws the same sequence (one draw per miss, in the order completions
 * are given), else it reports a miss.
 */
public final class PathMmuExtractor implements AnswerExtractor {

    /** The seed PathMMU's {@code eval_utils.py} sets at import. */
    public static final long PATHMMU_SEED = 42;

    private final PythonRandom random;

    public PathMmuExtractor(boolean randomFallback) {
        this.random = randomFallback ? new PythonRandom(PATHMMU_SEED) : null;
    }

    @Override
    public ExtractionMode mode() {
        return ExtractionMode.PATHMMU;
    }

    @Override
    public Extraction choice(String completion, List<String> options) {
        List<String> letters = letters(options.size());
        List<String> texts = new ArrayList<>(options.size());
        for (String o : options) {
            texts.add(PathMmuChoiceParser.optionText(o));
        }
        Optional<String> letter = PathMmuChoiceParser.parse(completion, letters, texts);
        if (letter.isPresent()) {
            return Extraction.found(letter.get());
        }
        return random == null ? Extraction.miss() : Extraction.random(random.choice(letters));
    }

    @Override
    public Extraction yesNo(String completion) {
        return YesNo.lastWord(completion);
    }

    @Override
    public Extraction text(String completion) {
        return Extraction.found(AnswerTags.lenientAnswer(completion));
    }

    /** The option letters A, B, ... for {@code n} options (at most 26). */
    static List<String> letters(int n) {
        if (n > 26) {
            throw new IllegalArgumentException("at most 26 options can be lettered, not " + n);
        }
        List<String> letters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            letters.add(String.valueOf((char) ('A' + i)));
        }
        return letters;
    }
}
