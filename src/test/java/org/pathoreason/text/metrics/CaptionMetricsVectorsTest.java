package org.pathoreason.text.metrics;

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
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;

/** Reproduces every case of fixtures/vectors/caption-metrics.json (pycocoevalcap's numbers) to 1e-6. */
class CaptionMetricsVectorsTest {

    static final Path VECTORS = TestResources.fixture("vectors/caption-metrics.json");

    @Test
    void reproducesEveryPycocoevalcapCase() throws IOException {
        JsonNode cases = Json.MAPPER.readTree(VECTORS.toFile()).get("cases");
        assertThat(cases.size()).isGreaterThanOrEqualTo(5);
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = cases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode c = e.getValue();
            List<String> hyps = new ArrayList<>();
            List<List<String>> refs = new ArrayList<>();
            for (Iterator<String> ids = c.get("hypotheses").fieldNames(); ids.hasNext(); ) {
                String id = ids.next();
                hyps.add(c.get("hypotheses").get(id).get(0).asText());
                List<String> r = new ArrayList<>();
                c.get("references").get(id).forEach(n -> r.add(n.asText()));
                refs.add(r);
            }
            Bleu.Result bleu = Bleu.compute(hyps, refs);
            for (int k = 0; k < 4; k++) {
                assertThat(bleu.corpus()[k]).as("%s corpus BLEU-%d", name, k + 1)
                        .isCloseTo(c.get("corpus_bleu_1_4").get(k).asDouble(), within(1e-6));
                for (int i = 0; i < hyps.size(); i++) {
                    assertThat(bleu.perItem()[i][k]).as("%s item %d BLEU-%d", name, i, k + 1)
                            .isCloseTo(c.get("per_item_bleu_1_4").get(i).get(k).asDouble(), within(1e-6));
                }
            }
            double[] rouge = RougeL.scores(hyps, refs);
            for (int i = 0; i < hyps.size(); i++) {
                assertThat(rouge[i]).as("%s item %d ROUGE-L", name, i)
                        .isCloseTo(c.get("rouge_l_per_item").get(i).asDouble(), within(1e-6));
            }
            assertThat(RougeL.mean(rouge)).as("%s mean ROUGE-L", name)
                    .isCloseTo(c.get("rouge_l_mean").asDouble(), within(1e-6));
            checked++;
        }
        assertThat(checked).isEqualTo(cases.size());
    }

    @Test
    void tinyValuesAreReproducedRelativelyToo() {
        // 1e-6 absolute would pass 0 for these; check the smoothing constants themselves, relatively.
        double[] noOverlap = Bleu.sentence("positive", List.of("negative"));
        assertThat(noOverlap[0]).isCloseTo(9.99999998000001e-16, within(1e-24));
        assertThat(noOverlap[3]).isCloseTo(5.62341324487423e-09, within(1e-17));
        double[] hyp2 = Bleu.sentence("It is to insure the troops forever hearing the activity guidebook that party direct",
                List.of("It is a guide to action that ensures that the military will forever heed Party commands",
                        "It is the guiding principle which guarantees the military forces always being under the "
                                + "command of the Party",
                        "It is the practical guide for the army always to heed the directions of the party"));
        assertThat(hyp2[2]).isCloseTo(1.3362992215454092e-06, within(1e-15));
        assertThat(hyp2[3]).isCloseTo(3.703131190558332e-09, within(1e-17));
    }

    @Test
    void corpusBleuPoolsCountsAcrossItemsUnlikeTheMeanOfItems() {
        List<String> hyps = List.of("the cells are atypical", "negative");
        List<List<String>> refs = List.of(List.of("the cells are atypical"), List.of("positive"));
        Bleu.Result r = Bleu.compute(hyps, refs);
        // 4 of 5 unigrams match over the corpus; brevity: 5 test words against 5 reference words.
        assertThat(r.corpus()[0]).isCloseTo(4.0 / 5.0, within(1e-8));
        assertThat(r.perItem()[0][0]).isCloseTo(1.0, within(1e-8));
        assertThat(r.perItem()[1][0]).isCloseTo(0.0, within(1e-8));
    }

    @Test
    void closestReferenceLengthBreaksTiesTowardsTheShorter() {
        // Hypothesis of 3 words, references of 2 and 4 words: pycocoevalcap picks 2, so no brevity penalty.
        double[] s = Bleu.sentence("a b c", List.of("a b", "a b c d"));
        assertThat(s[0]).isCloseTo(1.0, within(1e-8));
        // With only the 4-word reference, the brevity penalty exp(1 - 4/3) applies.
        double[] t = Bleu.sentence("a b c", List.of("a b c d"));
        assertThat(t[0]).isCloseTo(Math.exp(1 - 4.0 / 3.0), within(1e-8));
    }

    @Test
    void rougeUsesMaxPrecisionAndMaxRecallFromDifferentReferences() {
        // ref1 gives recall 1 (lcs 2 of 2), ref2 gives precision 1 (lcs 3 of candidate's 3).
        double score = RougeL.score("a b c", List.of("a b", "a b c d e f"));
        double p = 1.0;
        double r = 1.0;
        assertThat(score).isCloseTo((1 + 1.44) * p * r / (r + 1.44 * p), within(1e-12));
        assertThat(RougeL.score("x y", List.of("a b"))).isZero();
    }

    @Test
    void rougeSplitsOnSingleSpacesLikePython() {
        // "a  b" is ['a', '', 'b'] in Python: the empty token counts in the length.
        double precision = 2.0 / 3.0;
        double recall = 1.0;
        double expected = (1 + 1.44) * precision * recall / (recall + 1.44 * precision);
        assertThat(RougeL.score("a  b", List.of("a b"))).isCloseTo(expected, within(1e-12));
    }
}
