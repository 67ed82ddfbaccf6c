package org.pathoreason.text.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;

class AnswerExtractorTest {

    static final Path VECTORS = TestResources.fixture("vectors/mcq-extraction.json");
    static final List<String> OPTIONS = List.of("Bi-lobed nuclei with eosinophilic granules", "Macronucleoli",
            "Cytoplasmic vacuolation", "Multi-lobed nuclei");

    @Test
    void reproducesPathmmuVectors() throws IOException {
        JsonNode root = Json.MAPPER.readTree(VECTORS.toFile());
        List<String> options = new ArrayList<>();
        for (JsonNode o : root.get("options")) {
            // the vectors give PathMMU's "A) text" form; samples hold the text alone
            options.add(o.asText().substring(3));
        }
        assertThat(options).isEqualTo(OPTIONS);
        AnswerExtractor pathmmu = AnswerExtractor.create(ExtractionMode.PATHMMU, false);
        int n = 0;
        for (JsonNode c : root.get("cases")) {
            String response = c.get("response").asText();
            Extraction e = pathmmu.choice(response, options);
            boolean fallback = c.get("pathmmu_random_fallback").asBoolean();
            if (fallback) {
                assertThat(e.status()).as(response).isEqualTo(Extraction.Status.MISS);
                assertThat(c.get("pathmmu_letter").isNull()).isTrue();
            } else {
                assertThat(e.status()).as(response).isEqualTo(Extraction.Status.FOUND);
                assertThat(e.value()).as(response).isEqualTo(c.get("pathmmu_letter").asText());
            }
            n++;
        }
        assertThat(n).isEqualTo(root.get("cases").size()).isGreaterThanOrEqualTo(8);
    }

    /** Letters and random draws printed by PathMMU's parser run in CPython after random.seed(42), in this order. */
    @Test
    void randomFallbackDrawsThePathmmuSequence() {
        List<String> five = new ArrayList<>(OPTIONS);
        five.add("Spindle cells (fascicles) and mitoses");
        AnswerExtractor x = AnswerExtractor.create(ExtractionMode.PATHMMU, true);
        assertThat(x.choice("<think>granules</think><answer>A</answer>", OPTIONS)).isEqualTo(Extraction.random("A"));
        assertThat(x.choice("Answer: D) Multi-lobed nuclei", OPTIONS)).isEqualTo(Extraction.random("A"));
        assertThat(x.choice("**D**", OPTIONS)).isEqualTo(Extraction.random("C"));
        assertThat(x.choice("C", OPTIONS)).isEqualTo(Extraction.found("C"));
        assertThat(x.choice("none of these", OPTIONS)).isEqualTo(Extraction.random("B"));
        assertThat(x.choice("I think (B) or maybe (C), final (B)", OPTIONS)).isEqualTo(Extraction.found("B"));
        assertThat(x.choice("x y z A. B, C. nothing", five)).isEqualTo(Extraction.random("B"));
        // PathMMU cuts option texts at their first ')': "Spindle cells (fascicles" is what it looks for.
        assertThat(x.choice("It shows spindle cells (fascicles) with many mitoses present", five))
                .isEqualTo(Extraction.found("E"));
        assertThat(x.choice("The image shows Spindle cells and cytoplasmic vacuolation clearly here", five))
                .isEqualTo(Extraction.found("C"));
        assertThat(x.choice("(E)", five)).isEqualTo(Extraction.found("E"));
        assertThat(x.choice("???", five)).isEqualTo(Extraction.random("B"));
        assertThat(x.choice("The answer is E.", five)).isEqualTo(Extraction.found("E"));
        assertThat(x.choice("???", five).isMiss()).isTrue();
    }

    @Test
    void strictAcceptsOnlyOneLetterWithOrWithoutItsText() {
        AnswerExtractor s = AnswerExtractor.create(ExtractionMode.STRICT, true);
        for (String ok : List.of("B", "B.", "(B)", "B)", "B) Macronucleoli", "B. macronucleoli.", " B: Macronucleoli ",
                "(B) Macronucleoli")) {
            assertThat(s.choice("<think>prominent nucleoli</think><answer>" + ok + "</answer>", OPTIONS))
                    .as(ok).isEqualTo(Extraction.found("B"));
        }
        for (String bad : List.of("b", "Macronucleoli", "B) Multi-lobed nuclei", "The answer is B", "B or C", "E",
                "**B**", "", "BC")) {
            assertThat(s.choice("<think>x</think><answer>" + bad + "</answer>", OPTIONS)).as(bad)
                    .isEqualTo(Extraction.miss());
        }
        assertThat(s.choice("B", OPTIONS)).isEqualTo(Extraction.miss());
        assertThat(s.choice("<answer>B", OPTIONS)).isEqualTo(Extraction.miss());
        assertThat(s.choice("reasoning</think>B</answer>", OPTIONS)).isEqualTo(Extraction.miss());
        // tags are read by ReasoningTags, as the rewards read them: any case, content across lines
        assertThat(s.choice("<Answer>\nB\n</Answer>", OPTIONS)).isEqualTo(Extraction.found("B"));
        // only the first answer block counts
        assertThat(s.choice("<answer>C</answer><answer>B</answer>", OPTIONS)).isEqualTo(Extraction.found("C"));
    }

    @Test
    void lenientStripsTagsThenAppliesForgivingPathmmuRules() {
        AnswerExtractor l = AnswerExtractor.create(ExtractionMode.LENIENT, true);
        assertThat(l.choice("<think>granules suggest eosinophils</think><answer>A</answer>", OPTIONS))
                .isEqualTo(Extraction.found("A"));
        assertThat(l.choice("Answer: D) Multi-lobed nuclei", OPTIONS)).isEqualTo(Extraction.found("D"));
        assertThat(l.choice("**D**", OPTIONS)).isEqualTo(Extraction.found("D"));
        assertThat(l.choice("<answer>macronucleoli</answer>", OPTIONS)).isEqualTo(Extraction.found("B"));
        assertThat(l.choice("<think>Not C: the nuclei are multi-lobed.</think><answer>D", OPTIONS))
                .isEqualTo(Extraction.found("D"));
        assertThat(l.choice("<answer>cytoplasmic vacuolation, not macronucleoli</answer>", OPTIONS))
                .isEqualTo(Extraction.found("B"));
        assertThat(l.choice("<answer>I am not sure</answer>", OPTIONS)).isEqualTo(Extraction.miss());
    }

    @Test
    void yesNoAndText() {
        AnswerExtractor s = AnswerExtractor.create(ExtractionMode.STRICT, false);
        AnswerExtractor l = AnswerExtractor.create(ExtractionMode.LENIENT, false);
        assertThat(s.yesNo("<think>no atypia?</think><answer>Yes.</answer>")).isEqualTo(Extraction.found("yes"));
        assertThat(s.yesNo("<answer>Yes, invasion is present</answer>")).isEqualTo(Extraction.miss());
        assertThat(l.yesNo("<answer>Yes, invasion is present</answer>")).isEqualTo(Extraction.found("yes"));
        assertThat(l.yesNo("There is no invasion, so the answer is no")).isEqualTo(Extraction.found("no"));
        assertThat(l.yesNo("<answer>unclear</answer>")).isEqualTo(Extraction.miss());
        assertThat(l.yesNo("nothing known")).isEqualTo(Extraction.miss());
        assertThat(s.text("<think>a</think><answer> invasive lobular carcinoma </answer>"))
                .isEqualTo(Extraction.found("invasive lobular carcinoma"));
        assertThat(s.text("invasive lobular carcinoma")).isEqualTo(Extraction.miss());
        assertThat(l.text("<think>a</think>invasive lobular carcinoma"))
                .isEqualTo(Extraction.found("invasive lobular carcinoma"));
    }

    @Test
    void rawAnswerDropsReasoningAndTagsAndKeepsTheRest() {
        assertThat(AnswerExtractor.rawAnswer("Invasive ductal carcinoma.")).isEqualTo("Invasive ductal carcinoma.");
        assertThat(AnswerExtractor.rawAnswer("<think>crowded glands</think>\n<observe>mitoses</observe> IDC"))
                .isEqualTo("IDC");
        // the prompt opened <think>: everything up to its closing tag is reasoning
        assertThat(AnswerExtractor.rawAnswer("crowded glands, mitoses</THINK>\n IDC")).isEqualTo("IDC");
        // all reasoning, no answer text: the whole text without markers rather than nothing
        assertThat(AnswerExtractor.rawAnswer("<think>only reasoning</think>")).isEqualTo("only reasoning");
        assertThat(AnswerExtractor.hasAnswerTag("IDC</Answer>")).isTrue();
        assertThat(AnswerExtractor.hasAnswerTag("<think>a</think> IDC")).isFalse();
        assertThat(AnswerExtractor.hasAnswerTag(null)).isFalse();
        // strict text extraction itself stays strict (rewards rely on it): no tag is a miss
        assertThat(AnswerExtractor.create(ExtractionMode.STRICT, false).text("IDC")).isEqualTo(Extraction.miss());
    }
}
