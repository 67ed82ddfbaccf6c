package org.pathoreason.data.synth;

import org.pathoreason.data.Sample;

/** The kinds of question the world asks, with the canonical task and subset names they carry. */
public enum QuestionKind {
    /** Four-option multiple choice: the most likely diagnosis. */
    DIAGNOSIS_MCQ(Sample.MCQ, "diagnosis"),
    /** Four-option multiple choice: which visible feature indicates a named diagnosis. */
    FEATURE_MCQ(Sample.MCQ, "feature"),
    /** Yes or no: does the image show a named finding. */
    FINDING_YESNO(Sample.YESNO, "finding"),
    /** Open: describe the findings and give the diagnosis. */
    DESCRIBE_OPEN(Sample.OPEN, "describe"),
    /** A caption for pretraining and contrastive training. */
    CAPTION(Sample.CAPTION, "caption");

    private final String task;
    private final String subset;

    QuestionKind(String task, String subset) {
        this.task = task;
        this.subset = subset;
    }

    public String task() {
        return task;
    }

    public String subset() {
        return subset;
    }
}
