package org.pathoreason.eval;

import org.pathoreason.data.Task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.pathoreason.data.Sample;
import org.pathoreason.text.extract.AnswerExtractor;
import org.pathoreason.text.extract.Extraction;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.extract.PathMmuChoiceParser;
import org.pathoreason.text.metrics.TokenF1;

/**
 * Scores predictions against samples, matched by id. Samples are visited in their file order, which fixes the
 * sequence of PathMMU's random fallback draws (one per miss, from one generator seeded once per scoring run, as
 * PathMMU's module-level {@code random.seed(42)} does within one run).
 *
 * <ul>
 *   <li>{@code mcq}: the extracted letter must equal the gold letter. With {@code pathmmu} extraction, PathMMU's
 *       own judgement applies: right when the chosen option's text equals the gold option's text ignoring case
 *       (PathMMU compares texts, cut at ')' as its prompt builder cuts them), or when the whole response equals
 *       the gold option text.</li>
 *   <li>{@code yesno}: the extracted yes/no must equal the gold answer (lower-cased, end punctuation dropped).</li>
 *   <li>{@code open}, {@code caption}: the extracted text is compared with the answer (or caption) by BLEU,
 *       ROUGE-L, token F1 and exact match. A prediction with no {@code <answer>} tag at all (what most systems
 *       write) is scored on its whole text with the reasoning removed ({@link AnswerExtractor#rawAnswer}), in
 *       every extraction mode; a tag that is there but broken ({@code <answer>} never closed) is a strict miss.</li>
 * </ul>
 * Closed questions without a tag are extraction misses under {@code strict}. Every report counts the predictions
 * without a tag ({@link MetricSet#noAnswerTag()}), so a zero is never silent.
 */
public final class Scorer {

    private static final int EXAMPLE_IDS = 10;

    private final ScoreOptions options;

    public Scorer(ScoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public ScoreResult score(List<Sample> samples, List<Prediction> predictions) {
        Map<String, Prediction> byId = new HashMap<>();
        for (Prediction p : predictions) {
            if (byId.put(p.id(), p) != null) {
                throw new IllegalArgumentException("two predictions for id '" + p.id() + "'");
            }
        }
        AnswerExtractor extractor = AnswerExtractor.create(options.extraction(), options.randomFallback());
        List<ScoredItem> items = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, Boolean> known = new HashMap<>();
        for (Sample s : samples) {
            known.put(s.id(), Boolean.TRUE);
            Prediction p = byId.get(s.id());
            if (p == null) {
                missing.add(s.id());
                continue;
            }
            items.add(scoreOne(extractor, s, p));
        }
        List<String> unknown = new ArrayList<>();
        for (Prediction p : predictions) {
            if (!known.containsKey(p.id())) {
                unknown.add(p.id());
            }
        }
        ScoreReport.Unmatched unmatched = new ScoreReport.Unmatched(missing.size(), unknown.size(),
                missing.subList(0, Math.min(EXAMPLE_IDS, missing.size())),
                unknown.subList(0, Math.min(EXAMPLE_IDS, unknown.size())));
        ConfusionMatrix confusion = options.has(Metric.CONFUSION) ? confusion(items) : null;
        ScoreReport report = new ScoreReport(MetricSet.of(items, options), options.extraction().id(),
                options.randomFallback() && options.extraction() == ExtractionMode.PATHMMU,
                options.captionTokenizer().name().toLowerCase(Locale.ROOT),
                groups(items, ScoredItem::subsetKey), groups(items, it -> it.sample().task() == null ? null : it.sample().task().id()),
                groups(items, ScoredItem::questionTypeKey), confusion == null || confusion.isEmpty() ? null : confusion,
                unmatched.any() ? unmatched : null);
        return new ScoreResult(report, items);
    }

    /** Scores one prediction (with a fresh extractor: no PathMMU draw sequence across calls). */
    public ScoredItem scoreOne(Sample sample, Prediction prediction) {
        return scoreOne(AnswerExtractor.create(options.extraction(), options.randomFallback()), sample, prediction);
    }

    private ScoredItem scoreOne(AnswerExtractor extractor, Sample s, Prediction p) {
        String text = p.prediction();
        Task task = s.task() == null ? Task.OPEN : s.task();
        switch (task) {
            case MCQ -> {
                Extraction e = extractor.choice(text, s.options());
                boolean right = s.answer().equals(e.value());
                if (options.extraction() == ExtractionMode.PATHMMU) {
                    String gold = PathMmuChoiceParser.optionText(s.options().get(Sample.letterIndex(s.answer())));
                    if (text.equals(gold)) {
                        e = Extraction.found(s.answer());
                        right = true;
                    } else if (e.value() != null) {
                        int idx = Sample.letterIndex(e.value());
                        right = PathMmuChoiceParser.optionText(s.options().get(idx)).toLowerCase(Locale.ROOT)
                                .equals(gold.toLowerCase(Locale.ROOT));
                    }
                }
                return new ScoredItem(s, p, e, right, null, null);
            }
            case YESNO -> {
                Extraction e = extractor.yesNo(text);
                String gold = s.answer().strip().toLowerCase(Locale.ROOT).replaceAll("[.!]+$", "");
                return new ScoredItem(s, p, e, gold.equals(e.value()), null, null);
            }
            default -> {
                Extraction e = extractor.text(text);
                if (e.value() == null && !AnswerExtractor.hasAnswerTag(text)) {
                    // Raw output from a system that writes no tags: score its whole text, as benchmarks do.
                    e = Extraction.untagged(AnswerExtractor.rawAnswer(text));
                }
                String reference = Task.CAPTION.equals(task) ? s.caption() : s.answer();
                if (reference == null) {
                    throw new IllegalArgumentException("sample '" + s.id() + "' (" + task + ") has no reference text");
                }
                String hyp = e.value() == null ? "" : e.value();
                return new ScoredItem(s, p, e, null, reference, TokenF1.f1(hyp, reference));
            }
        }
    }

    private Map<String, MetricSet> groups(List<ScoredItem> items, Function<ScoredItem, String> key) {
        Map<String, List<ScoredItem>> grouped = new TreeMap<>();
        for (ScoredItem it : items) {
            String k = key.apply(it);
            if (k != null) {
                grouped.computeIfAbsent(k, x -> new ArrayList<>()).add(it);
            }
        }
        Map<String, MetricSet> out = new LinkedHashMap<>();
        grouped.forEach((k, v) -> out.put(k, MetricSet.of(v, options)));
        return out;
    }

    private ConfusionMatrix confusion(List<ScoredItem> items) {
        ConfusionMatrix m = new ConfusionMatrix();
        for (ScoredItem it : items) {
            Sample s = it.sample();
            if (!Task.MCQ.equals(s.task()) || !isConfusionGroup(s)) {
                continue;
            }
            String gold = s.options().get(Sample.letterIndex(s.answer()));
            String v = it.extraction().value();
            String pred = it.isMiss() || v == null ? null : s.options().get(Sample.letterIndex(v));
            m.add(gold, pred);
        }
        return m;
    }

    private boolean isConfusionGroup(Sample s) {
        Object qt = s.meta().get("question_type");
        return (s.subset() != null && options.confusionGroups().matcher(s.subset()).find())
                || (qt != null && options.confusionGroups().matcher(qt.toString()).find());
    }
}
