package org.pathoreason.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.text.extract.AnswerExtractor;
import org.pathoreason.text.metrics.Bleu;
import org.pathoreason.text.metrics.RougeL;
import org.pathoreason.text.metrics.TokenF1;

/**
 * The figures for one group of scored items (all of them, a subset, a task or a question type). Rates are
 * fractions in [0, 1]; a figure that does not apply (no closed questions, no open answers, no token counts, or not
 * asked for) is null and left out of JSON.
 *
 * @param n items scored
 * @param nClosed multiple-choice and yes/no items (the accuracy denominator)
 * @param correct right answers among them
 * @param accuracy correct / nClosed
 * @param extractionMisses items whose answer could not be read (wrong by default; with PathMMU's random fallback
 *     a miss still counts here, whatever the random letter)
 * @param noAnswerTag predictions with no {@code <answer>} tag at all: open answers among them are scored on their
 *     whole text, closed ones are read as the extraction mode reads untagged text (a miss under {@code strict})
 * @param nOpen open answers and captions (scored by text overlap)
 * @param bleu1 corpus BLEU-1 of open answers (pycocoevalcap)
 * @param rougeL mean ROUGE-L of open answers (pycocoevalcap)
 * @param tokenF1 mean SQuAD token F1 of open answers
 * @param exactMatch share of open answers equal to the reference after SQuAD normalisation
 * @param meanOutputTokens mean generated tokens over the items whose prediction reports them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"n", "accuracy", "extraction_misses", "no_answer_tag", "n_closed", "correct", "n_open",
    "bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l", "token_f1", "exact_match", "mean_output_tokens"})
public record MetricSet(
        int n,
        @JsonProperty("n_closed") int nClosed,
        Integer correct,
        Double accuracy,
        @JsonProperty("extraction_misses") Integer extractionMisses,
        @JsonProperty("no_answer_tag") int noAnswerTag,
        @JsonProperty("n_open") int nOpen,
        @JsonProperty("bleu_1") Double bleu1,
        @JsonProperty("bleu_2") Double bleu2,
        @JsonProperty("bleu_3") Double bleu3,
        @JsonProperty("bleu_4") Double bleu4,
        @JsonProperty("rouge_l") Double rougeL,
        @JsonProperty("token_f1") Double tokenF1,
        @JsonProperty("exact_match") Double exactMatch,
        @JsonProperty("mean_output_tokens") Double meanOutputTokens) {

    /** Computes the figures of a group. */
    public static MetricSet of(List<ScoredItem> items, ScoreOptions options) {
        int closed = 0;
        int correct = 0;
        int misses = 0;
        int untagged = 0;
        long tokenSum = 0;
        int withTokens = 0;
        List<String> hyps = new ArrayList<>();
        List<List<String>> refs = new ArrayList<>();
        double f1Sum = 0;
        int exact = 0;
        for (ScoredItem it : items) {
            if (it.isMiss()) {
                misses++;
            }
            if (!AnswerExtractor.hasAnswerTag(it.prediction().prediction())) {
                untagged++;
            }
            if (it.isClosed()) {
                closed++;
                if (it.correct()) {
                    correct++;
                }
            } else {
                String hyp = it.extraction().value() == null ? "" : it.extraction().value();
                hyps.add(options.captionTokenizer().apply(hyp));
                refs.add(List.of(options.captionTokenizer().apply(it.reference())));
                f1Sum += it.tokenF1();
                if (TokenF1.exactMatch(hyp, it.reference())) {
                    exact++;
                }
            }
            Integer t = it.prediction().outputTokens();
            if (t != null) {
                tokenSum += t;
                withTokens++;
            }
        }
        int open = hyps.size();
        boolean acc = options.has(Metric.ACC);
        Double[] bleu = new Double[Bleu.MAX_N];
        if (open > 0 && options.has(Metric.BLEU)) {
            double[] corpus = Bleu.compute(hyps, refs).corpus();
            for (int k = 0; k < Bleu.MAX_N; k++) {
                bleu[k] = corpus[k];
            }
        }
        Double rouge = open > 0 && options.has(Metric.ROUGE_L) ? RougeL.mean(RougeL.scores(hyps, refs)) : null;
        Double f1 = open > 0 && options.has(Metric.F1) ? f1Sum / open : null;
        Double em = open > 0 && options.has(Metric.EM) ? exact / (double) open : null;
        Double tokens = withTokens > 0 && options.has(Metric.TOKENS) ? tokenSum / (double) withTokens : null;
        return new MetricSet(items.size(), closed, acc && closed > 0 ? correct : null,
                acc && closed > 0 ? correct / (double) closed : null, acc ? misses : null, untagged, open,
                bleu[0], bleu[1], bleu[2], bleu[3], rouge, f1, em, tokens);
    }
}
