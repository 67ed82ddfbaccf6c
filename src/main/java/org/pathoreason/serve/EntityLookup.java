package org.pathoreason.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Mention;
import org.pathoreason.knowledge.Relation;
import org.pathoreason.util.Json;

/**
 * The knowledge-graph entities named in a text, each with its graph neighbours, for the page's highlights: the
 * project's {@link EntityMatcher} over a given graph file, or the built-in pathology graph the synthetic world and
 * the demo checkpoints are made from.
 */
final class EntityLookup {

    /** Most text looked at per call, and most neighbours listed per entity. */
    static final int MAX_TEXT = 100_000;
    static final int MAX_NEIGHBOURS = 24;

    private final KnowledgeGraph graph;
    private final EntityMatcher matcher;

    EntityLookup(Path graphFile) {
        this.graph = graphFile == null ? SynthWorld.builtIn().graph() : KnowledgeGraph.load(graphFile);
        this.matcher = EntityMatcher.forGraph(graph);
    }

    String graphName() {
        return graph.name();
    }

    /** {@code {"graph": name, "entities": [{id, name, type, start, end, text, neighbours: [...]}, ...]}}. */
    ObjectNode lookup(String text) {
        if (text.length() > MAX_TEXT) {
            throw ApiException.badRequest("text", "text is longer than " + MAX_TEXT + " characters");
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("graph", graph.name());
        ArrayNode entities = out.putArray("entities");
        for (Mention m : matcher.find(text)) {
            Entity e = graph.entity(m.entityId()).orElse(null);
            if (e == null) {
                continue;
            }
            ObjectNode n = entities.addObject();
            n.put("id", e.id());
            n.put("name", e.name());
            n.put("type", e.type());
            n.put("start", m.start());
            n.put("end", m.end());
            n.put("text", m.text());
            ArrayNode neighbours = n.putArray("neighbours");
            add(neighbours, graph.outgoing(e.id()), true);
            add(neighbours, graph.incoming(e.id()), false);
        }
        return out;
    }

    private void add(ArrayNode into, List<Relation> relations, boolean outgoing) {
        for (Relation r : relations) {
            if (into.size() >= MAX_NEIGHBOURS) {
                return;
            }
            String other = outgoing ? r.tail() : r.head();
            ObjectNode n = into.addObject();
            n.put("relation", r.type());
            n.put("direction", outgoing ? "out" : "in");
            n.put("id", other);
            n.put("name", graph.nameOf(other));
            graph.entity(other).ifPresent(o -> n.put("type", o.type()));
        }
    }
}
