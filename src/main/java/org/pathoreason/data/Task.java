package org.pathoreason.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What kind of question a sample asks; written as its {@link #id()} in canonical JSONL. */
public enum Task {
    /** Multiple choice: {@code options} hold the choices, {@code answer} the letter. */
    MCQ("mcq"),
    /** A yes/no question: {@code answer} is {@code yes} or {@code no}. */
    YESNO("yesno"),
    /** A free-text question: {@code answer} is the reference text. */
    OPEN("open"),
    /** A caption for pretraining and contrastive training: {@code caption} is the text. */
    CAPTION("caption");

    private final String id;

    Task(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /**
     * The task of an id, case-insensitive.
     *
     * @throws DataException naming the value and the accepted ones
     */
    @JsonCreator
    public static Task parse(String id) {
        if (id == null) {
            return null;
        }
        String key = id.trim().toLowerCase(Locale.ROOT);
        for (Task t : values()) {
            if (t.id.equals(key)) {
                return t;
            }
        }
        throw new DataException("unknown task '" + id + "'; expected mcq, yesno, open or caption");
    }

    @Override
    public String toString() {
        return id;
    }
}
