package org.pathoreason.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.knowledge.GraphException;

class GraphFormatsTest {

    @TempDir
    Path dir;

    static final String TSV = """
            #name\tmini tsv
            # a comment line
            chronic\thas_finding\tplasma_cell\trequired=true; weight=0.8
            plasma_cell\tsuggests\tchronic

            #entity\tplasma_cell\tcell_type\tplasma cell\tplasmacyte|plasma cells
            #entity\tchronic\tdiagnosis\tchronic inflammation
            """;

    // Rows in PrimeKG's layout (values as in the published kg.csv), with quoting, an embedded comma, a doubled
    // quote and a line break inside a quoted name, CRLF line ends, and each edge listed both ways as PrimeKG does.
    static final String PRIMEKG = "relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name,y_source\r\n"
            + "protein_protein,ppi,0,9796,gene/protein,PHYHIP,NCBI,8889,56992,gene/protein,KIF15,NCBI\r\n"
            + "protein_protein,ppi,8889,56992,gene/protein,KIF15,NCBI,0,9796,gene/protein,PHYHIP,NCBI\r\n"
            + "disease_phenotype_positive,phenotype present,27165,5090,disease,\"carcinoma, squamous cell\",MONDO,22603,0002671,effect/phenotype,Squamous cell carcinoma,HPO\r\n"
            + "indication,indication,14012,DB00541,drug,Vincristine,DrugBank,27165,5090,disease,\"carcinoma, squamous cell\",MONDO\r\n"
            + "off-label use,off-label use,14012,DB00541,drug,Vincristine,DrugBank,35000,13924_12592,disease,\"a \"\"grouped\"\"\n  disease\",MONDO_grouped\r\n";

    @Test
    void tsvWithEntitiesDeclaredAfterUse() throws Exception {
        KnowledgeGraph g = KnowledgeGraph.load(write("mini.tsv", TSV));
        assertThat(g.name()).isEqualTo("mini tsv");
        assertThat(g.entityCount()).isEqualTo(2);
        assertThat(g.entity("plasma_cell")).get().extracting(Entity::synonyms)
                .isEqualTo(List.of("plasmacyte", "plasma cells"));
        assertThat(g.relations()).containsExactly(
                new Relation("chronic", "has_finding", "plasma_cell", Map.of("required", "true", "weight", "0.8")),
                new Relation("plasma_cell", "suggests", "chronic"));
    }

    @Test
    void tsvErrorsNameFileAndLine() throws Exception {
        Path bad = write("bad.tsv", "#entity\ta\tfinding\talpha\nx\tsuggests\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(bad)).isInstanceOf(GraphException.class)
                .hasMessageStartingWith(bad + ":2: expected head<TAB>relation<TAB>tail");
        Path unknown = write("unknown.tsv", "#entity\ta\tfinding\talpha\n\na\tsuggests\tb\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(unknown))
                .hasMessageStartingWith(unknown + ":3: relation tail 'b' is not a known entity id");
        Path attr = write("attr.tsv", "#entity\ta\tfinding\talpha\na\tis_a\ta\tnovalue\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(attr))
                .hasMessageStartingWith(attr + ":2: attribute 'novalue' is not key=value");
        Path conflict = write("conflict.tsv", "#entity\ta\tfinding\talpha\n#entity\ta\tdiagnosis\talpha\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(conflict))
                .hasMessageStartingWith(conflict + ":2: entity id 'a' is defined twice with different data");
        Path type = write("type.tsv", "#entity\ta\tfinding\talpha\na\tHas Finding\ta\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(type))
                .hasMessageStartingWith(type + ":2: relation type 'Has Finding' must be lower_snake_case");
    }

    @Test
    void primeKgRowsWithQuoting() throws Exception {
        KnowledgeGraph g = KnowledgeGraph.load(write("kg.csv", PRIMEKG));
        assertThat(g.name()).isEqualTo("kg");
        assertThat(g.entityCount()).isEqualTo(6);
        assertThat(g.relationCount()).isEqualTo(5);
        Entity scc = g.entity("disease:MONDO:5090").orElseThrow();
        assertThat(scc.name()).isEqualTo("carcinoma, squamous cell");
        assertThat(scc.type()).isEqualTo("disease");
        assertThat(g.entity("gene_protein:NCBI:9796")).get().extracting(Entity::name).isEqualTo("PHYHIP");
        assertThat(g.entity("disease:MONDO_grouped:13924_12592")).get().extracting(Entity::name)
                .isEqualTo("a \"grouped\"\n  disease");
        assertThat(g.outgoing("disease:MONDO:5090")).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo("disease_phenotype_positive");
            assertThat(r.tail()).isEqualTo("effect_phenotype:HPO:0002671");
            assertThat(r.attribute("display")).isEqualTo("phenotype present");
        });
        assertThat(g.outgoing("drug:DrugBank:DB00541")).extracting(Relation::type)
                .containsExactly("indication", "off_label_use");
        assertThat(g.byName("squamous cell carcinoma")).get().extracting(Entity::id)
                .isEqualTo("effect_phenotype:HPO:0002671");
        assertThat(g.types()).containsExactly("gene_protein", "disease", "effect_phenotype", "drug");
        PathFinder.Options forward = PathFinder.Options.defaults().withDirection(PathFinder.Direction.FORWARD);
        assertThat(new PathFinder(g).paths("drug:DrugBank:DB00541", "effect_phenotype:HPO:0002671", forward))
                .extracting(GraphPath::toString).containsExactly(
                        "Vincristine -[indication]-> carcinoma, squamous cell -[disease_phenotype_positive]-> "
                                + "Squamous cell carcinoma");
    }

    @Test
    void primeKgErrorsNameFileAndLine() throws Exception {
        Path missing = write("m.csv", "relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(missing)).isInstanceOf(GraphException.class)
                .hasMessageStartingWith(missing + ":1: missing column 'y_source'");
        String header = PRIMEKG.substring(0, PRIMEKG.indexOf('\n') + 1);
        Path shortRow = write("s.csv", header + "protein_protein,ppi,0,9796,gene/protein,PHYHIP,NCBI,8889,56992,gene/protein,KIF15,NCBI\n"
                + "\"multi\nline\",ppi,0,9796,gene/protein,PHYHIP,NCBI,8889,56992,gene/protein,KIF15,NCBI\n"
                + "protein_protein,ppi,0,9796,gene/protein,PHYHIP,NCBI\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(shortRow))
                .hasMessageStartingWith(shortRow + ":5: expected 12 fields as in the header, found 7");
        Path unterminated = write("u.csv", header + "protein_protein,ppi,0,9796,gene/protein,\"PHYHIP,NCBI\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(unterminated))
                .hasMessageStartingWith(unterminated + ":2: quoted field is never closed");
        Path conflict = write("c.csv", header + "protein_protein,ppi,0,9796,gene/protein,PHYHIP,NCBI,8889,56992,gene/protein,KIF15,NCBI\n"
                + "protein_protein,ppi,0,9796,gene/protein,OTHER,NCBI,8889,56992,gene/protein,KIF15,NCBI\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(conflict))
                .hasMessageStartingWith(conflict + ":3: entity id 'gene_protein:NCBI:9796' is defined twice");
        Path empty = write("e.csv", header + "protein_protein,ppi,0,9796,gene/protein,,NCBI,8889,56992,gene/protein,KIF15,NCBI\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(empty)).hasMessageStartingWith(empty + ":2: empty 'x_name'");
    }

    @Test
    void gzipAndSniffingWithoutExtension() throws Exception {
        Path gz = dir.resolve("kg.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(PRIMEKG.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(KnowledgeGraph.load(gz).relationCount()).isEqualTo(5);
        assertThat(KnowledgeGraph.load(write("noext1", PRIMEKG)).relationCount()).isEqualTo(5);
        assertThat(KnowledgeGraph.load(write("noext2", TSV)).relationCount()).isEqualTo(2);
        assertThat(KnowledgeGraph.load(write("noext3", KnowledgeGraphTest.GRAPH_JSON)).relationCount()).isEqualTo(4);
        assertThatThrownBy(() -> KnowledgeGraph.load(dir.resolve("absent.json")))
                .isInstanceOf(GraphException.class).hasMessageContaining("absent.json: no such file");
    }

    private Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
