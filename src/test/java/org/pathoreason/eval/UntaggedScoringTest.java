package org.pathoreason.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.data.Task;
import org.pathoreason.text.extract.Extraction;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.CaptionTokenizer;
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;

/**
 * Predictions without an {@code <answer>} tag (what most systems write): open answers are scored on their whole
 * text with the reasoning removed and reproduce pycocoevalcap's numbers with the default options; closed answers
 * are strict extraction misses; both are counted.
 */
class UntaggedScoringTest {

    static final Path VECTORS = TestResources.fixture("vectors/caption-metrics.json");

    // Raw outputs as other systems write them: bare, after a think block, after a think closed without opening
    // (the prompt opened it), after observe and think blocks.
    static final List<String> WRAPPINGS = List.of("%s", "<think>The glands look crowded.</think>\n%s",
            "The glands look crowded.</think> %s", "<observe>crowded glands</observe><think>so</think>%s");

    private static Sample sample(String id, Task task, String subset, String answer, List<String> options) {
        return Sample.builder(id).question("What is seen?").options(options).answer(answer).answerText(answer)
                .task(task).subset(subset).build();
    }

    @Test
    void untaggedOpenAnswersGivePycocoevalcapNumbersWithDefaultOptions() throws IOException {
        JsonNode cases = Json.MAPPER.readTree(VECTORS.toFile()).get("cases");
        List<Sample> samples = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        List<String> used = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode refs = e.getValue().get("references").get("0");
            String hyp = e.getValue().get("hypotheses").get("0").get(0).asText();
            String ref = refs.get(0).asText();
            // A sample has one reference, and the default tokenisation must leave the text as pycocoevalcap saw it.
            if (refs.size() != 1 || !CaptionTokenizer.PTB.apply(hyp).equals(hyp)
                    || !CaptionTokenizer.PTB.apply(ref).equals(ref)) {
                continue;
            }
            String id = "c" + used.size();
            samples.add(sample(id, Task.OPEN, e.getKey(), ref, List.of()));
            predictions.add(new Prediction(id, String.format(WRAPPINGS.get(used.size() % WRAPPINGS.size()), hyp),
                    null));
            used.add(e.getKey());
        }
        assertThat(used).hasSizeGreaterThanOrEqualTo(3);

        ScoreResult result = new Scorer(ScoreOptions.DEFAULTS).score(samples, predictions);
        ScoreReport report = result.report();
        for (String name : used) {
            JsonNode c = cases.get(name);
            MetricSet m = report.subsets().get(name);
            Double[] bleu = {m.bleu1(), m.bleu2(), m.bleu3(), m.bleu4()};
            for (int k = 0; k < 4; k++) {
                assertThat(bleu[k]).as("%s BLEU-%d", name, k + 1)
                        .isCloseTo(c.get("corpus_bleu_1_4").get(k).asDouble(), within(1e-6));
            }
            assertThat(m.rougeL()).as("%s ROUGE-L", name).isCloseTo(c.get("rouge_l_mean").asDouble(), within(1e-6));
            assertThat(m.noAnswerTag()).isEqualTo(1);
        }
        assertThat(result.items()).allSatisfy(it -> {
            assertThat(it.extraction().status()).isEqualTo(Extraction.Status.UNTAGGED);
            assertThat(it.isMiss()).isFalse();
        });
        assertThat(report.overall().noAnswerTag()).isEqualTo(used.size());
        assertThat(report.overall().extractionMisses()).isZero();
        JsonNode json = Json.MAPPER.valueToTree(report);
        assertThat(json.get("no_answer_tag").asInt()).isEqualTo(used.size());
        assertThat(ScoreTable.format(report)).contains("no <answer> tag: " + used.size() + " of " + used.size()
                + " predictions (" + used.size() + " open scored on their whole text");
    }

    @Test
    void untaggedClosedAnswersAreCountedStrictMissesAndBrokenTagsStayMisses() {
        List<String> dx = List.of("Acute inflammation", "Chronic inflammation");
        List<Sample> samples = List.of(sample("m1", Task.MCQ, "dx", "B", dx),
                sample("y1", Task.YESNO, "inv", "yes", List.of()),
                sample("o1", Task.OPEN, "open", "ductal carcinoma", List.of()),
                sample("o2", Task.OPEN, "open", "ductal carcinoma", List.of()),
                sample("m2", Task.MCQ, "dx", "A", dx));
        List<Prediction> preds = List.of(new Prediction("m1", "The answer is B", null),
                new Prediction("y1", "<think>invasion seen</think> yes", null),
                new Prediction("o1", "<think>ducts</think><answer>ductal carcinoma", null),
                new Prediction("o2", "ductal carcinoma", null),
                new Prediction("m2", "<answer>A</answer>", null));

        ScoreReport strict = new Scorer(ScoreOptions.DEFAULTS).score(samples, preds).report();
        // m1 and y1 have no tag: misses; o1's tag is cut short (not "no tag"): a strict miss too, scored empty
        assertThat(strict.overall().noAnswerTag()).isEqualTo(3);
        assertThat(strict.overall().extractionMisses()).isEqualTo(3);
        assertThat(strict.overall().correct()).isEqualTo(1);
        assertThat(strict.tasks().get("open").noAnswerTag()).isEqualTo(1);
        assertThat(strict.tasks().get("open").exactMatch()).isEqualTo(0.5);
        String table = ScoreTable.format(strict);
        assertThat(table).contains("no <answer> tag: 3 of 5 predictions (1 open scored on their whole text "
                + "(reasoning removed), 2 closed counted as extraction misses)");

        ScoreReport lenient = new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.LENIENT))
                .score(samples, preds).report();
        assertThat(lenient.overall().noAnswerTag()).isEqualTo(3);
        assertThat(lenient.overall().correct()).isEqualTo(3);
        assertThat(lenient.overall().extractionMisses()).isZero();
        assertThat(ScoreTable.format(lenient)).contains("2 closed read from their whole text (lenient)");
    }

    @Test
    void everyPredictionTaggedLeavesNoNote() {
        List<Sample> samples = List.of(sample("o", Task.OPEN, "open", "negative", List.of()));
        ScoreReport r = new Scorer(ScoreOptions.DEFAULTS)
                .score(samples, List.of(new Prediction("o", "<answer>negative</answer>", null))).report();
        assertThat(r.overall().noAnswerTag()).isZero();
        assertThat(ScoreTable.noAnswerTagNote(r)).isNull();
        assertThat(Json.MAPPER.<JsonNode>valueToTree(r).get("no_answer_tag").asInt()).isZero();
    }
}
