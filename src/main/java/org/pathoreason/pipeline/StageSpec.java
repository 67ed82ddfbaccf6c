package org.pathoreason.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One stage of a pipeline: a model made from its parent stage's model by training on one data split, then
 * evaluated on the test split.
 *
 * @param name the stage's name: its folder under the pipeline's output and its row in {@code results.json}
 * @param kind what the stage does
 * @param parent the stage whose final model this one starts from; null for {@link StageKind#INIT}
 * @param data the training data: a split of the world ({@code pretrain}, {@code sft}, {@code rl}) or a file the
 *     workspace derives from one; null for {@link StageKind#INIT}
 * @param overrides the trainer's {@code key=value} config overrides (as {@code --set} takes them), applied over
 *     the trainer's defaults
 * @param description one line for the progress output and the report
 */
public record StageSpec(String name, StageKind kind, String parent, String data, List<String> overrides,
        String description) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public StageSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("stage name must be lower-case letters, digits and '_', got '" + name
                    + "'");
        }
        if ((kind == StageKind.INIT) != (parent == null)) {
            throw new IllegalArgumentException("stage " + name + ": an init stage has no parent, every other stage "
                    + "has one");
        }
        if ((kind == StageKind.INIT) != (data == null)) {
            throw new IllegalArgumentException("stage " + name + ": an init stage has no data, every other stage "
                    + "has some");
        }
        overrides = overrides == null ? List.of() : List.copyOf(overrides);
        description = description == null ? "" : description;
    }
}
