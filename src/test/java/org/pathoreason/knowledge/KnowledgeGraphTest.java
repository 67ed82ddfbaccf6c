package org.pathoreason.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.knowledge.GraphException;

class KnowledgeGraphTest {

    @TempDir
    Path dir;

    static final String GRAPH_JSON = """
            {"name": "mini",
             "entities": [
              {"id": "plasma_cell", "name": "plasma cell", "type": "cell_type", "synonyms": ["plasmacyte"]},
              {"id": "lymphocyte", "name": "lymphocyte", "type": "cell_type"},
              {"id": "chronic_inflammation", "name": "chronic inflammation", "type": "diagnosis",
               "synonyms": ["chronic inflammatory infiltrate"]},
              {"id": "acute_inflammation", "name": "acute inflammation", "type": "diagnosis"}
             ],
             "relations": [
              {"head": "plasma_cell", "relation": "suggests", "tail": "chronic_inflammation"},
              {"head": "chronic_inflammation", "relation": "has_finding", "tail": "plasma_cell", "required": true},
              {"head": "chronic_inflammation", "relation": "has_finding", "tail": "lymphocyte", "required": false,
               "weight": 0.5},
              {"head": "chronic_inflammation", "relation": "differential_of", "tail": "acute_inflammation"}
             ]}
            """;

    static KnowledgeGraph mini() {
        return KnowledgeGraph.loadJson(new ByteArrayInputStream(GRAPH_JSON.getBytes(StandardCharsets.UTF_8)), "mini.json");
    }

    @Test
    void jsonLoadsEntitiesRelationsAndIndexes() {
        KnowledgeGraph g = mini();
        assertThat(g.name()).isEqualTo("mini");
        assertThat(g.entityCount()).isEqualTo(4);
        assertThat(g.relationCount()).isEqualTo(4);
        assertThat(g.entity("plasma_cell")).get().extracting(Entity::name).isEqualTo("plasma cell");
        assertThat(g.byName("PLASMACYTE")).get().extracting(Entity::id).isEqualTo("plasma_cell");
        assertThat(g.byName("Chronic  inflammatory-infiltrate")).get().extracting(Entity::id)
                .isEqualTo("chronic_inflammation");
        assertThat(g.byName("nothing")).isEmpty();
        assertThat(g.entitiesOfType("cell_type")).extracting(Entity::id).containsExactly("plasma_cell", "lymphocyte");
        assertThat(g.outgoing("chronic_inflammation", Relation.HAS_FINDING)).extracting(Relation::tail)
                .containsExactly("plasma_cell", "lymphocyte");
        assertThat(g.incoming("plasma_cell")).extracting(Relation::head).containsExactly("chronic_inflammation");
        Relation lymph = g.outgoing("chronic_inflammation", Relation.HAS_FINDING).get(1);
        assertThat(lymph.attributes()).containsExactly(Map.entry("required", "false"), Map.entry("weight", "0.5"));
        assertThat(g.outgoing("chronic_inflammation", Relation.HAS_FINDING).get(0).required()).isTrue();
        assertThat(lymph.required()).isFalse();
    }

    @Test
    void jsonRoundTrips() throws Exception {
        KnowledgeGraph g = mini();
        Path file = dir.resolve("out.json");
        g.writeJson(file);
        KnowledgeGraph back = KnowledgeGraph.load(file);
        assertThat(back.name()).isEqualTo("mini");
        assertThat(List.copyOf(back.entities())).isEqualTo(List.copyOf(g.entities()));
        assertThat(back.relations()).isEqualTo(g.relations());
        Path again = dir.resolve("again.json");
        back.writeJson(again);
        assertThat(Files.readString(again)).isEqualTo(Files.readString(file));
        assertThat(Files.readString(file)).contains("\"required\":true");
    }

    @Test
    void jsonErrorsNameFileLineAndColumn() {
        assertThatThrownBy(() -> load("bad.json", "{\"entities\": [\n  {\"id\": \"a\", \"name\": \"a\", \"type\": \"finding\"},\n  {\"id\": }\n], \"relations\": []}"))
                .isInstanceOf(GraphException.class)
                .hasMessageStartingWith(dir.resolve("bad.json") + ":3:")
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void jsonRelationToUnknownEntityNamesRecordAndLine() {
        String json = """
                {"entities": [{"id": "a", "name": "a", "type": "finding"}],
                 "relations": [
                   {"head": "a", "relation": "is_a", "tail": "a"},
                   {"head": "a", "relation": "suggests", "tail": "zzz"}
                 ]}
                """;
        assertThatThrownBy(() -> load("g.json", json))
                .isInstanceOf(GraphException.class)
                .hasMessageStartingWith(dir.resolve("g.json") + ":4:")
                .hasMessageContaining("relations[1]")
                .hasMessageContaining("tail 'zzz' is not a known entity");
    }

    @Test
    void jsonDuplicateEntityWithConflictingDataFails() {
        String json = """
                {"entities": [
                  {"id": "a", "name": "alpha", "type": "finding"},
                  {"id": "a", "name": "alpha", "type": "finding"},
                  {"id": "a", "name": "beta", "type": "finding"}
                 ], "relations": []}
                """;
        assertThatThrownBy(() -> load("d.json", json))
                .hasMessageStartingWith(dir.resolve("d.json") + ":4:")
                .hasMessageContaining("entities[2]")
                .hasMessageContaining("'a' is defined twice with different data");
    }

    @Test
    void jsonFieldProblemsAreNamed() {
        assertThatThrownBy(() -> load("m.json", "{\"entities\": [{\"id\": \"a\", \"type\": \"finding\"}], \"relations\": []}"))
                .hasMessageStartingWith(dir.resolve("m.json") + ":1:")
                .hasMessageContaining("missing field 'name'");
        assertThatThrownBy(() -> load("t.json", "{\"entities\": [{\"id\": \"a\", \"name\": \"a\", \"type\": \"Cell Type\"}], \"relations\": []}"))
                .hasMessageContaining("lower_snake_case");
        assertThatThrownBy(() -> load("u.json", "{\"entities\": [{\"id\": \"a\", \"name\": \"a\", \"type\": \"x\", \"synonym\": []}], \"relations\": []}"))
                .hasMessageContaining("unknown field 'synonym'");
        assertThatThrownBy(() -> load("r.json", "{\"entities\": []}"))
                .hasMessageContaining("missing field 'relations'");
        assertThatThrownBy(() -> load("k.json", "{\"entities\": [], \"entities\": [], \"relations\": []}"))
                .hasMessageContaining("Duplicate field 'entities'");
    }

    @Test
    void builderValidatesAndRecordsAreImmutable() {
        KnowledgeGraph.Builder b = KnowledgeGraph.builder().addEntity("a", "alpha", "finding");
        assertThatThrownBy(() -> b.addRelation("a", "suggests", "b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tail 'b' is not a known entity id");
        assertThatThrownBy(() -> new Entity("x", " ", "finding")).hasMessageContaining("blank name of entity 'x'");
        assertThatThrownBy(() -> new Relation("a", "suggests", "a", Map.of(" ", "v")))
                .hasMessageContaining("blank attribute key");
        Map<String, String> attrs = new java.util.HashMap<>(Map.of("z", "1", "required", "TRUE"));
        Relation r = new Relation("a", "has_finding", "a", attrs);
        attrs.put("late", "x");
        assertThat(r.attributes()).containsOnlyKeys("required", "z");
        assertThat(r.attributes().keySet()).containsExactly("required", "z");
        assertThat(r.required()).isTrue();
        assertThatThrownBy(() -> r.attributes().put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(r).isEqualTo(new Relation("a", "has_finding", "a", Map.of("required", "TRUE", "z", "1")));
        KnowledgeGraph g = b.addRelation(r).build();
        assertThatThrownBy(() -> g.relations().add(r)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(g.resolve("a")).isEqualTo(g.resolve("ALPHA"));
        assertThat(g.entitiesOfType("nothing")).isEmpty();
        assertThat(g.outgoing("unknown")).isEmpty();
    }

    private KnowledgeGraph load(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return KnowledgeGraph.load(file);
    }
}
