package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pathoreason.text.ReasoningTags.Tag.ANSWER;
import static org.pathoreason.text.ReasoningTags.Tag.OBSERVE;
import static org.pathoreason.text.ReasoningTags.Tag.THINK;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.pathoreason.text.ReasoningTags.Parsed;
import org.pathoreason.util.Json;

class ReasoningTagsTest {

    private static Parsed p(String s) {
        return ReasoningTags.parse(s);
    }

    /** R1-V's format check and first-answer regex, as Python computes them. */
    @Test
    void agreesWithPythonR1Regexes() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/text/r1-tag-vectors.json")) {
            cases = Json.MAPPER.readTree(in).get("cases");
        }
        assertThat(cases.size()).isGreaterThanOrEqualTo(20);
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            Parsed parsed = p(text);
            assertThat(parsed.r1Format()).as("r1 format of %s", text).isEqualTo(c.get("r1_format").asBoolean());
            if (!c.get("first_answer").isNull()) {
                assertThat(parsed.answer()).as("answer of %s", text).isEqualTo(c.get("first_answer").asText());
            }
        }
    }

    @Test
    void wellFormedThinkAnswer() {
        Parsed r = p("<think> Plasma cells have clock-face chromatin. </think>\n<answer> B </answer>");
        assertThat(r.think()).isEqualTo("Plasma cells have clock-face chromatin.");
        assertThat(r.answer()).isEqualTo("B");
        assertThat(r.observe()).isNull();
        assertThat(r.missing()).containsExactly(OBSERVE);
        assertThat(r.repeated()).isEmpty();
        assertThat(r.unclosed()).isEmpty();
        assertThat(r.unopened()).isEmpty();
        assertThat(r.r1Format()).isTrue();
        assertThat(r.wellFormed()).isTrue();
        assertThat(r.wellFormedWithObserve()).isFalse();
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void observeThinkAnswer() {
        Parsed r = p("<observe>Glands back to back.</observe>\n<think>Invasion.</think>\n<answer>Adenocarcinoma</answer>\n");
        assertThat(r.observe()).isEqualTo("Glands back to back.");
        assertThat(r.think()).isEqualTo("Invasion.");
        assertThat(r.answer()).isEqualTo("Adenocarcinoma");
        assertThat(r.missing()).isEmpty();
        assertThat(r.wellFormed()).isTrue();
        assertThat(r.wellFormedWithObserve()).isTrue();
        assertThat(r.r1Format()).isFalse(); // R1-V's pattern has no <observe>
        assertThat(r.get(OBSERVE)).isEqualTo(r.observe());
    }

    @Test
    void missingTags() {
        Parsed none = p("The answer is B.");
        assertThat(none.answer()).isNull();
        assertThat(none.think()).isNull();
        assertThat(none.answerText()).isEmpty();
        assertThat(none.missing()).containsExactlyInAnyOrder(OBSERVE, THINK, ANSWER);
        assertThat(none.problems()).containsExactly("missing <think>", "missing <answer>");
        assertThat(none.wellFormed()).isFalse();

        Parsed onlyAnswer = p("<answer>C</answer>");
        assertThat(onlyAnswer.answer()).isEqualTo("C");
        assertThat(onlyAnswer.missing()).contains(THINK);
        assertThat(onlyAnswer.wellFormed()).isFalse();
        assertThat(onlyAnswer.r1Format()).isFalse();
    }

    @Test
    void truncatedCompletionLeavesTheAnswerUnclosed() {
        Parsed r = p("<think>Reasoning done.</think><answer>B");
        assertThat(r.answer()).isEqualTo("B");
        assertThat(r.unclosed()).containsExactly(ANSWER);
        assertThat(r.problems()).containsExactly("unclosed <answer>");
        assertThat(r.wellFormed()).isFalse();
        assertThat(r.r1Format()).isFalse();

        Parsed midThink = p("<think>still reasoning about the gl");
        assertThat(midThink.think()).isEqualTo("still reasoning about the gl");
        assertThat(midThink.unclosed()).containsExactly(THINK);
        assertThat(midThink.answer()).isNull();
    }

    @Test
    void unclosedSpanStopsAtTheNextTag() {
        Parsed r = p("<think>why it is B <answer>B</answer>");
        assertThat(r.think()).isEqualTo("why it is B");
        assertThat(r.answer()).isEqualTo("B");
        assertThat(r.unclosed()).containsExactly(THINK);
    }

    @Test
    void closingTagWithoutOpening() {
        // As when the prompt already opened <think> (R1-style templates).
        Parsed r = p("Glands infiltrate the stroma.</think>\n<answer>A</answer>");
        assertThat(r.think()).isEqualTo("Glands infiltrate the stroma.");
        assertThat(r.unopened()).containsExactly(THINK);
        assertThat(r.problems()).containsExactly("</think> without <think>");
        assertThat(r.answer()).isEqualTo("A");
        assertThat(r.wellFormed()).isFalse();

        Parsed afterObserve = p("<observe>o</observe> reasoning </think><answer>A</answer>");
        assertThat(afterObserve.think()).isEqualTo("reasoning");
    }

    @Test
    void repeatedTagsTakeTheFirstSpan() {
        Parsed r = p("<think>a</think><answer>B</answer><think>b</think><answer>C</answer>");
        assertThat(r.answer()).isEqualTo("B");
        assertThat(r.think()).isEqualTo("a");
        assertThat(r.repeated()).containsExactlyInAnyOrder(THINK, ANSWER);
        assertThat(r.problems()).containsExactly("repeated <think>", "repeated <answer>");
        assertThat(r.wellFormed()).isFalse();

        Parsed nested = p("<answer>A <answer>B</answer>");
        assertThat(nested.answer()).isEqualTo("A <answer>B"); // the first match, exactly as the regex gives it
        assertThat(nested.repeated()).containsExactly(ANSWER);

        Parsed extraClose = p("<think>a</think></think><answer>B</answer>");
        assertThat(extraClose.repeated()).containsExactly(THINK);
        assertThat(extraClose.think()).isEqualTo("a");
    }

    @Test
    void caseAndWhitespace() {
        Parsed r = p("  \n<THINK>\n  upper case tags \n</Think>\t<Answer>\u00a0 b \u00a0</ANSWER>  \n");
        assertThat(r.think()).isEqualTo("upper case tags");
        assertThat(r.answer()).isEqualTo("b"); // stripped like Python's str.strip(), no-break spaces too
        assertThat(r.wellFormed()).isFalse(); // strict form wants lower-case tags
        assertThat(r.r1Format()).isFalse();

        Parsed lower = p("  \n<think>x</think>\n\n<answer>y</answer>\n  ");
        assertThat(lower.wellFormed()).isTrue();
        assertThat(lower.r1Format()).isFalse(); // R1-V's fullmatch allows no surrounding whitespace
    }

    @Test
    void strictFormRejectsTextOutsideTheSpansAndWrongOrder() {
        assertThat(p("Sure! <think>x</think><answer>y</answer>").wellFormed()).isFalse();
        assertThat(p("<think>x</think> so <answer>y</answer>").wellFormed()).isFalse();
        assertThat(p("<think>x</think><answer>y</answer> done").wellFormed()).isFalse();
        assertThat(p("<answer>y</answer><think>x</think>").wellFormed()).isFalse();
        assertThat(p("<think>x</think><observe>o</observe><answer>y</answer>").wellFormed()).isFalse();
        assertThat(p("<think></think><answer></answer>").wellFormed()).isTrue();
        assertThat(p("<think></think><answer></answer>").answer()).isEmpty();
    }

    @Test
    void emptyAndNullInput() {
        assertThat(p("").missing()).hasSize(3);
        assertThat(p(null).answer()).isNull();
        assertThat(p(null).r1Format()).isFalse();
    }

    @Test
    void multilineContent() {
        Parsed r = p("<think>\nStep 1: glands.\nStep 2: invasion.\n</think>\n<answer>\nAdenocarcinoma\n</answer>");
        assertThat(r.think()).isEqualTo("Step 1: glands.\nStep 2: invasion.");
        assertThat(r.answer()).isEqualTo("Adenocarcinoma");
        assertThat(r.r1Format()).isTrue();
        assertThat(r.wellFormed()).isTrue();
    }
}
