package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasoningSplitterTest {

    static String[] whole(String text) {
        ReasoningSplitter s = new ReasoningSplitter();
        ReasoningSplitter.Delta a = s.feed(text);
        ReasoningSplitter.Delta b = s.finish();
        return new String[] {a.reasoning() + b.reasoning(), a.content() + b.content()};
    }

    static String[] byChar(String text) {
        ReasoningSplitter s = new ReasoningSplitter();
        StringBuilder r = new StringBuilder();
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            ReasoningSplitter.Delta d = s.feed(text.substring(i, i + 1));
            r.append(d.reasoning());
            c.append(d.content());
        }
        ReasoningSplitter.Delta d = s.finish();
        return new String[] {r.append(d.reasoning()).toString(), c.append(d.content()).toString()};
    }

    @Test
    void observeAndThinkAreReasoningTheAnswerIsContent() {
        String text = "<observe> Sheets of plasma cells.</observe>\n<think>\nSo chronic.</think>\n<answer> B</answer>";
        assertThat(whole(text)).containsExactly("Sheets of plasma cells.\n\nSo chronic.", "B");
        assertThat(byChar(text)).containsExactly(whole(text));
        assertThat(whole("<THINK>x</Think><Answer>y</ANSWER>")).containsExactly("x", "y");
    }

    @Test
    void textWithoutTagsIsAllContentAsItComes() {
        String json = "{\"integrity_score\": 0.9, \"knowledge_score\": 0.8}";
        assertThat(whole(json)).containsExactly("", json);
        assertThat(whole("\n\na < b and c<d")).containsExactly("", "\n\na < b and c<d");
        assertThat(byChar("\n\na < b and c<d")).containsExactly("", "\n\na < b and c<d");
        // an unfinished tag at the end is text
        assertThat(whole("the end <thi")).containsExactly("", "the end <thi");
        // a truncated reasoning keeps what it had
        assertThat(byChar("<think>half a tho")).containsExactly("half a tho", "");
    }

    @Test
    void wordsAfterTheReasoningKeepTheirSpaces() {
        assertThat(byChar("<think>r</think> The answer is B.")).containsExactly("r", "The answer is B.");
    }
}
