package org.pathoreason.pipeline;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;

class ConciseReasoningTest {

    private static final String DIAGNOSIS = "The findings to explain are epithelioid histiocytes, caseous necrosis, "
            + "multinucleated giant cells and dense collagenous fibrosis. In the knowledge graph, caseating "
            + "granulomatous inflammation requires both epithelioid histiocytes and caseous necrosis, and they are "
            + "present; epithelioid histiocytes and caseous necrosis suggest caseating granulomatous inflammation. "
            + "Multinucleated giant cells and dense collagenous fibrosis are optional findings of caseating "
            + "granulomatous inflammation. So caseating granulomatous inflammation, a form of inflammation, explains "
            + "every visible finding. B. Abscess is less likely: its required finding, neutrophils with multilobed "
            + "nuclei, is not seen. C. Coagulative necrosis is less likely: its required finding, ghost cell "
            + "outlines, is not seen. D. Non-necrotising granulomatous inflammation is less likely: caseous necrosis "
            + "is present but is not a feature of non-necrotising granulomatous inflammation. Therefore the answer "
            + "is A. Caseating granulomatous inflammation.";

    private static final String FEATURE = "The question asks which feature indicates acute inflammation. Of the "
            + "options, only neutrophils with multilobed nuclei is seen in this image, and in the knowledge graph it "
            + "is a required finding of acute inflammation that suggests acute inflammation. A. Karyorrhectic "
            + "nuclear debris is not seen here and is not a feature of acute inflammation; it points to abscess. "
            + "C. Plasma cells with eccentric nuclei is not seen here and is not a feature of acute inflammation; it "
            + "points to chronic inflammation. Therefore the answer is B. Neutrophils with multilobed nuclei.";

    private static final String YES_NO = "The question asks whether the image shows eosinophils with bilobed "
            + "nuclei. Among the visible findings (small round lymphocytes and dense collagenous fibrosis) there is "
            + "no eosinophils with bilobed nuclei. Eosinophils with bilobed nuclei would point to eosinophil-rich "
            + "inflammation, which is not the picture here. So the answer is no.";

    @Test
    void diagnosisKeepsFindingsRelationVerdictsAndConclusionTextFirst() {
        assertThat(ConciseReasoning.shorten(DIAGNOSIS)).isEqualTo("The findings to explain are epithelioid "
                + "histiocytes, caseous necrosis, multinucleated giant cells and dense collagenous fibrosis. In the "
                + "knowledge graph, caseating granulomatous inflammation requires both epithelioid histiocytes and "
                + "caseous necrosis. Abscess (B) is less likely. Coagulative necrosis (C) is less likely. "
                + "Non-necrotising granulomatous inflammation (D) is less likely. Therefore the answer is "
                + "Caseating granulomatous inflammation (A).");
    }

    @Test
    void featureKeepsTheKnowledgeSentenceAndShortVerdicts() {
        assertThat(ConciseReasoning.shorten(FEATURE)).isEqualTo("The question asks which feature indicates acute "
                + "inflammation. Of the options, only neutrophils with multilobed nuclei is seen in this image, and "
                + "in the knowledge graph it is a required finding of acute inflammation that suggests acute "
                + "inflammation. Karyorrhectic nuclear debris (A) is not seen here. Plasma cells with eccentric "
                + "nuclei (C) is not seen here. Therefore the answer is Neutrophils with multilobed nuclei (B).");
    }

    @Test
    void yesNoKeepsTheEvidence() {
        assertThat(ConciseReasoning.shorten(YES_NO)).isEqualTo("The question asks whether the image shows "
                + "eosinophils with bilobed nuclei. Among the visible findings (small round lymphocytes and dense "
                + "collagenous fibrosis) there is no eosinophils with bilobed nuclei. So the answer is no.");
    }

    /** The world's newer wording: verdicts after a colon, the graph cited in a second clause. */
    @Test
    void featureInTheColonWording() {
        String think = "The question asks which feature indicates benign squamous epithelium. Of the options, the "
                + "only finding seen in this image is intercellular bridges; in the knowledge graph it is a required "
                + "finding of benign squamous epithelium that suggests benign squamous epithelium. A. Keratin pearls: "
                + "not seen here and not a finding of benign squamous epithelium (it points to squamous cell "
                + "carcinoma). C. Sheets of large atypical lymphoid cells: not seen here and not a finding of benign "
                + "squamous epithelium (it points to diffuse large B-cell lymphoma). Therefore the answer is "
                + "D. Intercellular bridges.";
        assertThat(ConciseReasoning.shorten(think)).isEqualTo("The question asks which feature indicates benign "
                + "squamous epithelium. Of the options, the only finding seen in this image is intercellular bridges;"
                + " in the knowledge graph it is a required finding of benign squamous epithelium that suggests "
                + "benign squamous epithelium. Keratin pearls (A) is not seen here. Sheets of large atypical "
                + "lymphoid cells (C) is not seen here. Therefore the answer is Intercellular bridges (D).");
    }

    @Test
    void textOnlyNamingDropsTheLetters() {
        assertThat(ConciseReasoning.shorten(DIAGNOSIS, ConciseReasoning.OptionNaming.TEXT_ONLY)).endsWith(
                "caseous necrosis. Abscess is less likely. Coagulative necrosis is less likely. Non-necrotising "
                + "granulomatous inflammation is less likely. Therefore the answer is Caseating granulomatous "
                + "inflammation.");
    }

    @Test
    void conclusionsAreNamedTextFirst() {
        assertThat(ConciseReasoning.textFirst("Therefore the answer is C. Fibrous scar.",
                ConciseReasoning.OptionNaming.TEXT_FIRST)).isEqualTo("Therefore the answer is Fibrous scar (C).");
        assertThat(ConciseReasoning.textFirst("So the answer is no.", ConciseReasoning.OptionNaming.TEXT_FIRST))
                .isEqualTo("So the answer is no.");
    }

    @Test
    void unknownReasoningKeepsFirstAndLastSentence() {
        assertThat(ConciseReasoning.shorten("One. Two is long. Three is longer still. Four.")).isEqualTo(
                "One. Two is long. Four.");
        assertThat(ConciseReasoning.shorten("Only one sentence.")).isEqualTo("Only one sentence.");
        assertThat(ConciseReasoning.shorten(null)).isNull();
    }

    @Test
    void applyChangesOnlyTheThink() {
        Sample s = new Sample("x", List.of("a.png"), "What is the most likely diagnosis?", List.of("A1", "B1"),
                "A", "A1", new Sample.Reasoning("obs", DIAGNOSIS), null, List.of("e"), Task.MCQ, "diagnosis",
                Map.of());
        Sample c = ConciseReasoning.apply(s, ConciseReasoning.OptionNaming.TEXT_FIRST);
        assertThat(c.reasoning().observe()).isEqualTo("obs");
        assertThat(c.reasoning().think()).isEqualTo(ConciseReasoning.shorten(DIAGNOSIS)).hasSizeLessThan(
                DIAGNOSIS.length() / 2 + 60);
        assertThat(c).usingRecursiveComparison().ignoringFields("reasoning").isEqualTo(s);
    }
}
