package org.pathoreason.knowledge;

import java.util.List;
import java.util.Objects;

/**
 * A node of the knowledge graph: a finding, diagnosis, cell type, tissue, organ, stain, marker, ...
 *
 * @param id unique identifier within its graph (e.g. {@code plasma_cell}, {@code disease:MONDO:0005015})
 * @param name the canonical display name (e.g. {@code plasma cell})
 * @param type the kind of entity, lower_snake_case (see the constants)
 * @param synonyms other names a text may use for it; never null
 */
public record Entity(String id, String name, String type, List<String> synonyms) {

    public static final String FINDING = "finding";
    public static final String DIAGNOSIS = "diagnosis";
    public static final String CELL_TYPE = "cell_type";
    public static final String TISSUE = "tissue";
    public static final String ORGAN = "organ";
    public static final String STAIN = "stain";
    public static final String MARKER = "marker";

    public Entity {
        id = requireText(id, "id");
        name = requireText(name, "name of entity '" + id + "'");
        type = requireText(type, "type of entity '" + id + "'");
        if (!Names.isLowerSnake(type)) {
            throw new IllegalArgumentException("type '" + type + "' of entity '" + id
                    + "' must be lower_snake_case (e.g. cell_type)");
        }
        synonyms = synonyms == null ? List.of() : List.copyOf(synonyms);
        for (String s : synonyms) {
            if (s.isBlank()) {
                throw new IllegalArgumentException("entity '" + id + "' has a blank synonym");
            }
        }
    }

    public Entity(String id, String name, String type) {
        this(id, name, type, List.of());
    }

    /** The name followed by the synonyms. */
    public List<String> names() {
        if (synonyms.isEmpty()) {
            return List.of(name);
        }
        String[] all = new String[synonyms.size() + 1];
        all[0] = name;
        for (int i = 0; i < synonyms.size(); i++) {
            all[i + 1] = synonyms.get(i);
        }
        return List.of(all);
    }

    static String requireText(String value, String what) {
        Objects.requireNonNull(value, () -> "missing " + what);
        if (value.isBlank()) {
            throw new IllegalArgumentException("blank " + what);
        }
        return value;
    }
}
