package org.pathoreason.data.synth;

import org.pathoreason.data.Task;


/** The kinds of question the world asks, with the canonical task and subset names they carry. */
public enum QuestionKind {
    /** Four-option multiple choice: the most likely diagnosis. */
    DIAGNOSIS_MCQ(Task.MCQ, "diagnosis"),
    /** Four-option multiple choice: which visible feature indicates a named diagnosis. */
    FEATURE_MCQ(Task.MCQ, "feature"),
    /** Yes or no: does the image show a named finding. */
    FINDING_YESNO(Task.YESNO, "finding"),
    /** Open: describe the findings and give the diagnosis. */
    DESCRIBE_OPEN(Task.OPEN, "describe"),
    /** A caption for pretraining and contrastive training. */
    CAPTION(Task.CAPTION, "caption");

    private final Task task;
    private final String subset;

    QuestionKind(Task task, String subset) {
        this.task = task;
        this.subset = subset;
    }

    public Task task() {
        return task;
    }

    public String subset() {
        return subset;
    }
}
