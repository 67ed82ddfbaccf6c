package org.pathoreason.knowledge;

import java.util.Map;

/**
 * A typed, directed edge of the knowledge graph: {@code head -[type]-> tail}.
 *
 * @param head id of the source entity
 * @param type the relation, lower_snake_case (see the constants)
 * @param tail id of the target entity
 * @param attributes extra facts about the edge, e.g. {@code required=true} on {@code has_finding}; immutable,
 *     keys in sorted order, never null
 */
public record Relation(String head, String type, String tail, Map<String, String> attributes) {

    /** diagnosis -[has_finding]-> finding; attribute {@code required} says whether it must be present. */
    public static final String HAS_FINDING = "has_finding";
    /** finding -[suggests]-> diagnosis. */
    public static final String SUGGESTS = "suggests";
    /** diagnosis -[differential_of]-> diagnosis sharing findings with it. */
    public static final String DIFFERENTIAL_OF = "differential_of";
    /** entity -[located_in]-> tissue or organ. */
    public static final String LOCATED_IN = "located_in";
    /** subclass -[is_a]-> class. */
    public static final String IS_A = "is_a";

    /** Attribute key marking a finding a diagnosis cannot lack. */
    public static final String REQUIRED = "required";

    public Relation {
        head = Entity.requireText(head, "relation head");
        type = Entity.requireText(type, "relation type");
        tail = Entity.requireText(tail, "relation tail");
        if (!Names.isLowerSnake(type)) {
            throw new IllegalArgumentException("relation type '" + type + "' must be lower_snake_case (e.g. has_finding)");
        }
        attributes = AttributeMap.freeze(attributes);
    }

    public Relation(String head, String type, String tail) {
        this(head, type, tail, Map.of());
    }

    /** The attribute's value, or null. */
    public String attribute(String key) {
        return attributes.get(key);
    }

    /** Whether the attribute is present and reads {@code true} (any case). */
    public boolean flag(String key) {
        return "true".equalsIgnoreCase(attributes.get(key));
    }

    /** Shorthand for {@code flag("required")}. */
    public boolean required() {
        return flag(REQUIRED);
    }

    @Override
    public String toString() {
        return head + " -[" + type + "]-> " + tail + (attributes.isEmpty() ? "" : " " + attributes);
    }
}
