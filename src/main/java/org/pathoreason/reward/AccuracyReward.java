package org.pathoreason.reward;

import org.pathoreason.data.Task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.pathoreason.data.Sample;
import org.pathoreason.text.extract.AnswerExtractor;
import org.pathoreason.text.extract.Extraction;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.CaptionTokenizer;
import org.pathoreason.text.metrics.RougeL;
import org.pathoreason.text.metrics.TokenF1;

/**
 * Whether (or how well) the completion answers the question, by the sample's task.
 *
 * <ul>
 *   <li>{@code mcq}: 1 when the extracted option letter is the gold letter, else 0. With
 *       {@link ExtractionMode#STRICT} this is PathVLM-R1's rule: the first {@code <answer>} block must name exactly
 *       one option letter, with or without that option's text ({@code B}, {@code (B)}, {@code B. Chronic
 *       inflammation}); anything else scores 0. {@link ExtractionMode#LENIENT} also reads untagged or chatty answers
 *       and answers given as the option text.
 *   <li>{@code yesno}: 1 when the extracted yes/no equals the gold one (strict: the {@code <answer>} content is
 *       exactly yes or no, up to case and end punctuation; lenient: the last whole word yes/no wins).
 *   <li>{@code open} and {@code caption}: a graded score in [0, 1] of the answer text against the gold answer
 *       (the caption for caption samples without an answer): SQuAD token F1, pycocoevalcap ROUGE-L over
 *       PTB-style tokens, or the cosine similarity of MiniLM sentence embeddings ({@link OpenMetric}).
 * </ul>
 * Parts: {@code accuracy} and {@code answer_found} (0 when no answer could be read: format failures show up here).
 * The extraction and metrics are the evaluation's own ({@code text.extract}, {@code text.metrics}), so the reward
 * agrees with the reported accuracy.
 */
public final class AccuracyReward implements Reward {

    /** How free-text answers are scored against the gold answer. */
    public enum OpenMetric {
        /** SQuAD token F1 after SQuAD normalisation. */
        TOKEN_F1,
        /** pycocoevalcap ROUGE-L (beta 1.2) over lower-cased PTB-style tokens. */
        ROUGE_L,
        /** Cosine similarity of sentence embeddings ({@link TextEmbedder}, by default {@link MiniLmEmbedder}), floored at 0. */
        EMBEDDING
    }

    private final ExtractionMode mode;
    private final OpenMetric openMetric;
    private final AnswerExtractor extractor;
    private final TextEmbedder embedder;

    /** With {@link OpenMetric#EMBEDDING} the embedder is {@link MiniLmEmbedder}. */
    public AccuracyReward(ExtractionMode mode, OpenMetric openMetric) {
        this(mode, openMetric, openMetric == OpenMetric.EMBEDDING ? new MiniLmEmbedder() : null);
    }

    /** @param embedder used by {@link OpenMetric#EMBEDDING}; may be null for the other metrics */
    public AccuracyReward(ExtractionMode mode, OpenMetric openMetric, TextEmbedder embedder) {
        if (mode == ExtractionMode.PATHMMU) {
            // PathMMU's reading can guess at random; a reward must be a deterministic function of the completion.
            throw new IllegalArgumentException("use STRICT or LENIENT extraction for a reward, not PATHMMU");
        }
        this.mode = Objects.requireNonNull(mode, "mode");
        this.openMetric = Objects.requireNonNull(openMetric, "openMetric");
        this.extractor = AnswerExtractor.create(mode, false);
        if (openMetric == OpenMetric.EMBEDDING && embedder == null) {
            throw new IllegalArgumentException("the EMBEDDING metric needs a TextEmbedder");
        }
        this.embedder = embedder;
    }

    /** PathVLM-R1's strict rule, token F1 for open questions. */
    public static AccuracyReward strict() {
        return new AccuracyReward(ExtractionMode.STRICT, OpenMetric.TOKEN_F1);
    }

    /** The forgiving reading, token F1 for open questions. */
    public static AccuracyReward lenient() {
        return new AccuracyReward(ExtractionMode.LENIENT, OpenMetric.TOKEN_F1);
    }

    public ExtractionMode mode() {
        return mode;
    }

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public RewardResult score(RewardInput input) {
        Sample s = input.sample();
        Task task = s.task() == null ? inferTask(s) : s.task();
        double value;
        boolean found;
        switch (task) {
            case MCQ -> {
                Extraction e = extractor.choice(input.completion(), s.options());
                found = !e.isMiss();
                value = found && e.value().equals(goldLetter(s)) ? 1 : 0;
            }
            case YESNO -> {
                Extraction e = extractor.yesNo(input.completion());
                found = !e.isMiss();
                value = found && e.value().equals(goldYesNo(s)) ? 1 : 0;
            }
            case OPEN, CAPTION -> {
                Extraction e = extractor.text(input.completion());
                found = !e.isMiss() && !e.value().isBlank();
                value = found ? openScore(e.value(), goldText(s)) : 0;
            }
            default -> throw new IllegalArgumentException("sample " + s.id() + ": unknown task '" + task
                    + "' (expected mcq, yesno, open or caption)");
        }
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("accuracy", value);
        parts.put("answer_found", found ? 1.0 : 0.0);
        return new RewardResult(value, parts);
    }

    /** The open-answer score of a prediction against a gold text. */
    public double openScore(String prediction, String gold) {
        return switch (openMetric) {
            case TOKEN_F1 -> TokenF1.f1(prediction, gold);
            case ROUGE_L -> {
                String p = CaptionTokenizer.PTB.apply(prediction);
                String g = CaptionTokenizer.PTB.apply(gold);
                yield p.isBlank() || g.isBlank() ? 0 : RougeL.score(p, List.of(g));
            }
            case EMBEDDING -> Math.max(0, Math.min(1, embedder.similarity(prediction, gold)));
        };
    }

    /** The gold option letter: the answer when it is a letter within the options, else the option it names. */
    static String goldLetter(Sample s) {
        String a = s.answer() == null ? "" : s.answer().strip();
        int index = Sample.letterIndex(a);
        if (index >= 0 && index < s.options().size()) {
            return a.toUpperCase(Locale.ROOT);
        }
        for (int i = 0; i < s.options().size(); i++) {
            if (s.options().get(i).strip().equalsIgnoreCase(a)) {
                return Sample.letter(i);
            }
        }
        throw new IllegalArgumentException("sample " + s.id() + ": mcq answer '" + a + "' is neither an option letter"
                + " (A-" + (s.options().isEmpty() ? "?" : Sample.letter(s.options().size() - 1)) + ") nor an option's"
                + " text");
    }

    static String goldYesNo(Sample s) {
        String a = s.answer() == null ? "" : s.answer().strip().toLowerCase(Locale.ROOT).replaceAll("[.!,;:]+$", "");
        if (a.startsWith("yes")) {
            return "yes";
        }
        if (a.startsWith("no")) {
            return "no";
        }
        throw new IllegalArgumentException("sample " + s.id() + ": yesno answer '" + s.answer()
                + "' does not start with yes or no");
    }

    private static String goldText(Sample s) {
        if (s.answer() != null && !s.answer().isBlank()) {
            return s.answer();
        }
        if (s.caption() != null && !s.caption().isBlank()) {
            return s.caption();
        }
        throw new IllegalArgumentException("sample " + s.id() + ": no gold answer or caption to score against");
    }

    private static Task inferTask(Sample s) {
        return s.options().isEmpty() ? Task.OPEN : Task.MCQ;
    }
}
