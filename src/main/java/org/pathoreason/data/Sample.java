package org.pathoreason.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One canonical sample: an image question (or caption) with its gold answer, reasoning target and entities.
 * This is the record every reader produces and every trainer and evaluator consumes (see DESIGN.md, Formats).
 *
 * @param id stable identifier (e.g. {@code synth-000123}, {@code PubMed/test/12})
 * @param images image paths, relative to the JSONL file's folder or absolute
 * @param question the question text (empty for caption-only samples)
 * @param options answer options without letters; empty unless {@code task} is {@code mcq}
 * @param answer the letter for {@code mcq}, free text otherwise
 * @param answerText the text of the right option for {@code mcq}, else the answer again or null
 * @param reasoning the reasoning target ({@code observe} and {@code think}), may be null
 * @param caption a caption for pretraining and contrastive training, may be null
 * @param entities gold knowledge-graph entities, canonical names
 * @param task the kind of question (null when a reader cannot tell: rewards then infer it from the options)
 * @param subset grouping for per-subset metrics (question type, benchmark subset)
 * @param meta anything else a reader wants to keep
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Sample(
        String id,
        List<String> images,
        String question,
        List<String> options,
        String answer,
        @JsonProperty("answer_text") String answerText,
        Reasoning reasoning,
        String caption,
        List<String> entities,
        Task task,
        String subset,
        Map<String, Object> meta) {


    public Sample {
        Objects.requireNonNull(id, "id");
        images = images == null ? List.of() : List.copyOf(images);
        options = options == null ? List.of() : List.copyOf(options);
        entities = entities == null ? List.of() : List.copyOf(entities);
        // Insertion order kept (Map.copyOf's order varies between JVM runs), so written JSONL is byte-stable.
        meta = meta == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        question = question == null ? "" : question;
    }

    /** A sample built field by field: {@code Sample.builder("id").task(Task.MCQ).question(...).build()}. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A builder holding this sample's fields, to change several at once. */
    public Builder toBuilder() {
        Builder b = new Builder(id);
        b.images = images;
        b.question = question;
        b.options = options;
        b.answer = answer;
        b.answerText = answerText;
        b.reasoning = reasoning;
        b.caption = caption;
        b.entities = entities;
        b.task = task;
        b.subset = subset;
        b.meta = meta;
        return b;
    }

    /** Fields of a {@link Sample}; unset ones are empty or null as in canonical JSONL. */
    public static final class Builder {
        private final String id;
        private List<String> images;
        private String question;
        private List<String> options;
        private String answer;
        private String answerText;
        private Reasoning reasoning;
        private String caption;
        private List<String> entities;
        private Task task;
        private String subset;
        private Map<String, Object> meta;

        private Builder(String id) {
            this.id = Objects.requireNonNull(id, "id");
        }

        public Builder images(List<String> v) {
            images = v;
            return this;
        }

        public Builder question(String v) {
            question = v;
            return this;
        }

        public Builder options(List<String> v) {
            options = v;
            return this;
        }

        public Builder answer(String v) {
            answer = v;
            return this;
        }

        public Builder answerText(String v) {
            answerText = v;
            return this;
        }

        public Builder reasoning(Reasoning v) {
            reasoning = v;
            return this;
        }

        public Builder caption(String v) {
            caption = v;
            return this;
        }

        public Builder entities(List<String> v) {
            entities = v;
            return this;
        }

        public Builder task(Task v) {
            task = v;
            return this;
        }

        public Builder subset(String v) {
            subset = v;
            return this;
        }

        public Builder meta(Map<String, Object> v) {
            meta = v;
            return this;
        }

        public Sample build() {
            return new Sample(id, images, question, options, answer, answerText, reasoning, caption, entities, task,
                    subset, meta);
        }
    }

    public Sample withImages(List<String> newImages) {
        return new Sample(id, newImages, question, options, answer, answerText, reasoning, caption, entities, task,
                subset, meta);
    }

    public Sample withQuestion(String newQuestion) {
        return new Sample(id, images, newQuestion, options, answer, answerText, reasoning, caption, entities, task,
                subset, meta);
    }

    public Sample withOptions(List<String> newOptions) {
        return new Sample(id, images, question, newOptions, answer, answerText, reasoning, caption, entities, task,
                subset, meta);
    }

    public Sample withAnswer(String newAnswer) {
        return new Sample(id, images, question, options, newAnswer, answerText, reasoning, caption, entities, task,
                subset, meta);
    }

    public Sample withReasoning(Reasoning newReasoning) {
        return new Sample(id, images, question, options, answer, answerText, newReasoning, caption, entities, task,
                subset, meta);
    }

    public Sample withMeta(Map<String, Object> newMeta) {
        return new Sample(id, images, question, options, answer, answerText, reasoning, caption, entities, task,
                subset, newMeta);
    }

    /** The reasoning target: what is seen, then how it leads to the answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reasoning(String observe, String think) {
    }

    /** Option letter for a 0-based index: 0 -> A. */
    public static String letter(int index) {
        if (index < 0 || index >= 26) {
            throw new IllegalArgumentException("option index out of range: " + index);
        }
        return String.valueOf((char) ('A' + index));
    }

    /** 0-based index of an option letter, or -1 when it is not a single letter A-Z. */
    public static int letterIndex(String letter) {
        if (letter == null || letter.length() != 1) {
            return -1;
        }
        char c = Character.toUpperCase(letter.charAt(0));
        return c >= 'A' && c <= 'Z' ? c - 'A' : -1;
    }
}
