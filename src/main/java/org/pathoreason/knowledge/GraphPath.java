package org.pathoreason.knowledge;

import java.util.ArrayList;
import java.util.List;

/**
 * A walk through the graph: {@code entities.get(i)} and {@code entities.get(i + 1)} are joined by
 * {@code steps.get(i)}. A step taken along its relation reads {@code a -[type]-> b}; one taken against it (when
 * the path finder goes both ways) reads {@code a <-[type]- b}, meaning the relation is {@code b -[type]-> a}.
 *
 * @param entities the entities visited, source first; never empty
 * @param steps one step fewer than entities
 */
public record GraphPath(List<Entity> entities, List<Step> steps) {

    /**
     * One hop.
     *
     * @param relation the relation used
     * @param forward true when walked head to tail
     */
    public record Step(Relation relation, boolean forward) {

        public String type() {
            return relation.type();
        }
    }

    public GraphPath {
        entities = List.copyOf(entities);
        steps = List.copyOf(steps);
        if (entities.isEmpty() || steps.size() != entities.size() - 1) {
            throw new IllegalArgumentException("a path needs one step fewer than entities: " + entities.size()
                    + " entities, " + steps.size() + " steps");
        }
    }

    public Entity source() {
        return entities.get(0);
    }

    public Entity target() {
        return entities.get(entities.size() - 1);
    }

    /** The number of steps. */
    public int length() {
        return steps.size();
    }

    public List<String> entityIds() {
        List<String> ids = new ArrayList<>(entities.size());
        for (Entity e : entities) {
            ids.add(e.id());
        }
        return ids;
    }

    /** E.g. {@code plasma cell -[suggests]-> chronic inflammation <-[differential_of]- acute inflammation}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(entities.get(0).name());
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            b.append(s.forward() ? " -[" : " <-[").append(s.type()).append(s.forward() ? "]-> " : "]- ")
                    .append(entities.get(i + 1).name());
        }
        return b.toString();
    }
}
