package org.pathoreason.reward;

import org.pathoreason.data.Task;

import java.util.List;
import java.util.Map;
import org.pathoreason.data.Sample;

/** Small hand-made samples for reward tests. */
public final class TestSamples {

    private TestSamples() {
    }

    /** A 4-option question whose right answer is B, chronic inflammation. */
    public static Sample mcq() {
        return new Sample("t-mcq", List.of(), "What is the most likely diagnosis?",
                List.of("Acute inflammation", "Chronic inflammation", "Granulomatous inflammation",
                        "Squamous cell carcinoma"),
                "B", "Chronic inflammation", null, null, List.of("plasma cell", "lymphocyte"), Task.MCQ,
                "diagnosis", Map.of());
    }

    public static Sample withImages(Sample s, List<String> images) {
        return new Sample(s.id(), images, s.question(), s.options(), s.answer(), s.answerText(), s.reasoning(),
                s.caption(), s.entities(), s.task(), s.subset(), s.meta());
    }

    public static Sample withId(Sample s, String id) {
        return new Sample(id, s.images(), s.question(), s.options(), s.answer(), s.answerText(), s.reasoning(),
                s.caption(), s.entities(), s.task(), s.subset(), s.meta());
    }

    public static Sample withEntities(Sample s, List<String> entities) {
        return new Sample(s.id(), s.images(), s.question(), s.options(), s.answer(), s.answerText(), s.reasoning(),
                s.caption(), entities, s.task(), s.subset(), s.meta());
    }

    public static Sample yesNo(String answer) {
        return new Sample("t-yn", List.of(), "Is there necrosis?", List.of(), answer, answer, null, null, List.of(),
                Task.YESNO, "yesno", Map.of());
    }

    public static Sample open(String answer) {
        return new Sample("t-open", List.of(), "Describe the lesion.", List.of(), answer, answer, null, null,
                List.of(), Task.OPEN, "open", Map.of());
    }
}
