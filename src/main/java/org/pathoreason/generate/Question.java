package org.pathoreason.generate;

import org.pathoreason.data.Task;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.pathoreason.data.Sample;

/**
 * A question about one or more images, as a user asks it: free text, or multiple choice when options are given.
 *
 * @param images the image files, in the order the model sees them
 * @param text the question
 * @param options answer options without letters (empty for a free question)
 */
public record Question(List<Path> images, String text, List<String> options) {

    public Question {
        images = List.copyOf(Objects.requireNonNull(images, "images"));
        Objects.requireNonNull(text, "text");
        options = options == null ? List.of() : List.copyOf(options);
    }

    /** A free question about one image. */
    public static Question about(Path image, String text) {
        return new Question(List.of(image), text, List.of());
    }

    /** The same question with answer options (multiple choice). */
    public Question withOptions(List<String> newOptions) {
        return new Question(images, text, newOptions);
    }

    /** The canonical sample the prompt encoder reads. */
    public Sample toSample(String id) {
        return Sample.builder(id).images(images.stream().map(p -> p.toAbsolutePath().toString()).toList())
                .question(text).options(options).task(options.isEmpty() ? Task.OPEN : Task.MCQ).build();
    }
}
