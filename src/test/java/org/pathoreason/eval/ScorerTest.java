package org.pathoreason.eval;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.Bleu;
import org.pathoreason.text.metrics.CaptionTokenizer;
import org.pathoreason.text.metrics.RougeL;
import org.pathoreason.util.Json;

class ScorerTest {

    static final List<String> DX = List.of("Acute inflammation", "Chronic inflammation",
            "Granulomatous inflammation", "Squamous cell carcinoma");

    static Sample mcq(String id, String subset, String answer) {
        return new Sample(id, List.of("img/" + id + ".png"), "What is the most likely diagnosis?", DX, answer,
                DX.get(Sample.letterIndex(answer)), null, null, null, Task.MCQ, subset, Map.of());
    }

    static Sample yesno(String id, String answer) {
        return new Sample(id, List.of(), "Is there invasion?", List.of(), answer, answer, null, null, null,
                Task.YESNO, "invasion", Map.of("question_type", "invasion"));
    }

    static Sample open(String id, String answer) {
        return new Sample(id, List.of(), "What is the histological type?", List.of(), answer, answer, null, null,
                null, Task.OPEN, "open", Map.of());
    }

    static final List<Sample> SAMPLES = List.of(
            mcq("d1", "diagnosis", "B"), mcq("d2", "diagnosis", "D"), mcq("d3", "diagnosis", "A"),
            mcq("d4", "diagnosis", "B"), yesno("y1", "yes"), yesno("y2", "No"),
            open("o1", "Infiltrating ductal carcinoma"), open("o2", "Negative"), mcq("lost", "diagnosis", "C"));

    static final List<Prediction> PREDICTIONS = List.of(
            new Prediction("d1", "<think>plasma cells</think><answer>B</answer>", 12),
            new Prediction("d2", "<think>keratin pearls</think><answer>D) Squamous cell carcinoma</answer>", 20),
            new Prediction("d3", "<think>neutrophils</think><answer>The answer is A</answer>", 30),
            new Prediction("d4", "<think>granulomas</think><answer>C</answer>", 10),
            new Prediction("y1", "<answer>Yes.</answer>", 4),
            new Prediction("y2", "<answer>yes</answer>", null),
            new Prediction("o1", "<think>ducts</think><answer>infiltrating ductal carcinoma</answer>", 8),
            new Prediction("o2", "<answer>positive</answer>", 6),
            new Prediction("ghost", "<answer>A</answer>", 1));

    @Test
    void strictScoringGivesAccuracyMissesTextScoresAndUnmatchedIds() {
        ScoreResult r = new Scorer(ScoreOptions.DEFAULTS).score(SAMPLES, PREDICTIONS);
        ScoreReport rep = r.report();
        MetricSet all = rep.overall();
        assertThat(all.n()).isEqualTo(8);
        assertThat(all.nClosed()).isEqualTo(6);
        // right: d1, d2, y1 ; wrong: d3 (miss), d4, y2
        assertThat(all.correct()).isEqualTo(3);
        assertThat(all.accuracy()).isCloseTo(0.5, within(1e-12));
        assertThat(all.extractionMisses()).isEqualTo(1);
        assertThat(all.meanOutputTokens()).isCloseTo((12 + 20 + 30 + 10 + 4 + 8 + 6) / 7.0, within(1e-12));
        // open answers are scored by pycocoevalcap after PTB-style tokenisation
        List<String> hyps = List.of("infiltrating ductal carcinoma", "positive");
        List<List<String>> refs = List.of(List.of("infiltrating ductal carcinoma"), List.of("negative"));
        double[] bleu = Bleu.compute(hyps, refs).corpus();
        assertThat(all.bleu1()).isEqualTo(bleu[0]);
        assertThat(all.bleu4()).isEqualTo(bleu[3]);
        assertThat(all.rougeL()).isEqualTo(RougeL.mean(RougeL.scores(hyps, refs)));
        assertThat(all.tokenF1()).isCloseTo(0.5, within(1e-12));
        assertThat(all.exactMatch()).isCloseTo(0.5, within(1e-12));

        assertThat(rep.subsets().get("diagnosis").accuracy()).isCloseTo(0.5, within(1e-12));
        assertThat(rep.subsets().get("invasion").accuracy()).isCloseTo(0.5, within(1e-12));
        assertThat(rep.subsets().get("open").accuracy()).isNull();
        assertThat(rep.tasks()).containsOnlyKeys("mcq", "yesno", "open");
        assertThat(rep.questionTypes()).containsOnlyKeys("invasion");
        assertThat(rep.unmatched().samplesWithoutPrediction()).isEqualTo(1);
        assertThat(rep.unmatched().missingIds()).containsExactly("lost");
        assertThat(rep.unmatched().unknownIds()).containsExactly("ghost");

        ConfusionMatrix cm = rep.confusion();
        assertThat(cm.total()).isEqualTo(4);
        assertThat(cm.count("Granulomatous inflammation", "Granulomatous inflammation")).isZero();
        assertThat(cm.count("Chronic inflammation", "Granulomatous inflammation")).isEqualTo(1);
        assertThat(cm.count("Acute inflammation", ConfusionMatrix.NO_ANSWER)).isEqualTo(1);
        assertThat(cm.labels()).last().isEqualTo(ConfusionMatrix.NO_ANSWER);
        // recall: acute 0, chronic 1/2, squamous 1 -> mean 0.5
        assertThat(cm.balancedAccuracy()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void jsonHasTheAgreedTopLevelKeys() {
        ScoreReport rep = new Scorer(ScoreOptions.DEFAULTS).score(SAMPLES, PREDICTIONS).report();
        JsonNode json = Json.MAPPER.valueToTree(rep);
        assertThat(json.get("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(json.get("extraction_misses").asInt()).isEqualTo(1);
        assertThat(json.get("n").asInt()).isEqualTo(8);
        for (String k : List.of("bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l", "mean_output_tokens", "token_f1")) {
            assertThat(json.has(k)).as(k).isTrue();
        }
        assertThat(json.get("subsets").get("diagnosis").get("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(json.get("subsets").get("diagnosis").has("bleu_1")).isFalse();
        assertThat(json.get("extraction").asText()).isEqualTo("strict");
        assertThat(json.get("confusion").get("counts").size()).isEqualTo(json.get("confusion").get("labels").size());
        assertThat(json.get("unmatched").get("missing_ids").get(0).asText()).isEqualTo("lost");
    }

    @Test
    void metricSelectionLeavesOtherFiguresOut() {
        ScoreReport rep = new Scorer(ScoreOptions.DEFAULTS.withMetrics(Metric.parseList("acc"))).score(SAMPLES,
                PREDICTIONS).report();
        JsonNode json = Json.MAPPER.valueToTree(rep);
        assertThat(json.has("accuracy")).isTrue();
        assertThat(json.has("bleu_1")).isFalse();
        assertThat(json.has("mean_output_tokens")).isFalse();
        assertThat(json.has("confusion")).isFalse();
    }

    @Test
    void lenientReadsWhatStrictMisses() {
        ScoreReport rep = new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.LENIENT))
                .score(SAMPLES, PREDICTIONS).report();
        assertThat(rep.overall().correct()).isEqualTo(4);
        assertThat(rep.overall().extractionMisses()).isZero();
    }

    @Test
    void pathmmuJudgesByOptionTextAndExactResponse() {
        List<String> opts = List.of("Coagulative", "Caseous (cheese-like)", "Caseous (granulomatous)", "Fat");
        Sample s = new Sample("p1", List.of(), "Which necrosis?", opts, "B", opts.get(1), null, null, null,
                Task.MCQ, "PubMed", Map.of());
        Scorer pathmmu = new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.PATHMMU));
        // PathMMU cuts both texts at ')' to "Caseous (cheese-like" and "Caseous (granulomatous": still different
        assertThat(pathmmu.scoreOne(s, new Prediction("p1", "(C)", null)).correct()).isFalse();
        assertThat(pathmmu.scoreOne(s, new Prediction("p1", "(B)", null)).correct()).isTrue();
        // a response equal to the gold text counts even though no letter can be parsed from it
        ScoredItem exact = pathmmu.scoreOne(s, new Prediction("p1", "Caseous (cheese-like", null));
        assertThat(exact.correct()).isTrue();
        assertThat(exact.isMiss()).isFalse();
        List<String> dup = List.of("Fat necrosis", "fat necrosis", "Coagulative");
        Sample d = new Sample("p2", List.of(), "q", dup, "A", dup.get(0), null, null, null, Task.MCQ, "x", Map.of());
        assertThat(pathmmu.scoreOne(d, new Prediction("p2", "B", null)).correct()).isTrue();
        assertThat(new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.LENIENT))
                .scoreOne(d, new Prediction("p2", "B", null)).correct()).isFalse();
    }

    @Test
    void pathmmuRandomFallbackDrawsInSampleOrder() {
        List<Sample> samples = List.of(mcq("a", "x", "A"), mcq("b", "x", "A"), mcq("c", "x", "C"));
        List<Prediction> preds = List.of(new Prediction("c", "no idea", null), new Prediction("a", "hmm", null),
                new Prediction("b", "???", null));
        ScoreResult r = new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.PATHMMU)
                .withRandomFallback(true)).score(samples, preds);
        // CPython: random.seed(42); choice(ABCD) x3 -> A, A, C
        assertThat(r.items()).extracting(it -> it.extraction().value()).containsExactly("A", "A", "C");
        assertThat(r.report().overall().correct()).isEqualTo(3);
        assertThat(r.report().overall().extractionMisses()).isEqualTo(3);
        assertThat(r.report().randomFallback()).isTrue();
        ScoreResult off = new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.PATHMMU)).score(samples, preds);
        assertThat(off.report().overall().correct()).isZero();
    }

    @Test
    void captionTokenizerChoiceChangesTextScores() {
        List<Sample> s = List.of(open("o", "Infiltrating Ductal Carcinoma."));
        List<Prediction> p = List.of(new Prediction("o", "<answer>infiltrating ductal carcinoma</answer>", null));
        double ptb = new Scorer(ScoreOptions.DEFAULTS).score(s, p).report().overall().rougeL();
        double raw = new Scorer(ScoreOptions.DEFAULTS.withCaptionTokenizer(CaptionTokenizer.NONE)).score(s, p)
                .report().overall().rougeL();
        assertThat(ptb).isEqualTo(1.0);
        assertThat(raw).isZero();
    }

    @Test
    void classificationAndRetrievalMetrics() {
        assertThat(ClassificationMetrics.balancedAccuracy(new int[] {0, 0, 0, 0, 1, 2}, new int[] {0, 0, 0, 0, 0, 2}))
                .isCloseTo((1.0 + 0.0 + 1.0) / 3, within(1e-12));
        assertThat(ClassificationMetrics.accuracy(new int[] {0, 1}, new int[] {0, 0})).isEqualTo(0.5);
        double[][] sim = {
            {0.9, 0.1, 0.3},
            {0.8, 0.7, 0.2},
            {0.1, 0.2, 0.3},
        };
        // image->text: img0 top1 t0 yes; img1 best t0 -> t1 is rank 2; img2 t2 top1
        // text->image: t0 best img0; t1 column (.1,.7,.2) best img1; t2 column (.3,.2,.3) ties count as found
        assertThat(ClassificationMetrics.recallAtK(sim, 1)).containsExactly(2.0 / 3, 1.0);
        // the two directions differ: img0 finds t0, img1 does not find t1; no text finds its image
        assertThat(ClassificationMetrics.recallAtK(new double[][] {{0.9, 0.8}, {0.95, 0.1}}, 1))
                .containsExactly(0.5, 0.0);
        assertThat(ClassificationMetrics.recallAtK(sim, 2)[0]).isEqualTo(1.0);
        // two captions for image 1 (best of them .7, beaten by .8), none for image 2 (left out)
        assertThat(ClassificationMetrics.imageToTextRecall(sim, new int[] {0, 1, 1}, 1)).isEqualTo(0.5);
        assertThat(ClassificationMetrics.imageToTextRecall(sim, new int[] {0, 1, 1}, 2)).isEqualTo(1.0);
    }
}
