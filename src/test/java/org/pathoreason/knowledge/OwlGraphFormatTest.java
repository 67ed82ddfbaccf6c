package org.pathoreason.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.TestResources;

class OwlGraphFormatTest {

    @TempDir
    Path dir;

    static final Path SHARED = TestResources.fixture("kg");

    static final String SMALL = """
            <?xml version="1.0"?>
            <!DOCTYPE rdf:RDF [
                <!ENTITY ex "http://example.org/path#" >
            ]>
            <rdf:RDF xmlns="http://example.org/path#" xml:base="http://example.org/path"
                 xmlns:owl="http://www.w3.org/2002/07/owl#"
                 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                 xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
                 xmlns:oboInOwl="http://www.geneontology.org/formats/oboInOwl#">
                <owl:ObjectProperty rdf:about="&ex;hasFinding"/>
                <owl:ObjectProperty rdf:about="http://example.org/other#P7">
                    <rdfs:label xml:lang="en">located in</rdfs:label>
                </owl:ObjectProperty>
                <owl:Class rdf:about="&ex;Granuloma">
                    <rdfs:label xml:lang="de">Granulom</rdfs:label>
                    <rdfs:label xml:lang="en">granuloma</rdfs:label>
                    <oboInOwl:hasExactSynonym>granulomatous inflammation</oboInOwl:hasExactSynonym>
                    <rdfs:subClassOf rdf:resource="#Inflammation"/>
                    <rdfs:subClassOf>
                        <owl:Restriction>
                            <owl:onProperty rdf:resource="&ex;hasFinding"/>
                            <owl:someValuesFrom rdf:resource="#Giant_Cell"/>
                        </owl:Restriction>
                    </rdfs:subClassOf>
                </owl:Class>
                <owl:Class rdf:ID="Giant_Cell">
                    <owl:equivalentClass>
                        <owl:Class>
                            <owl:intersectionOf rdf:parseType="Collection">
                                <rdf:Description rdf:about="http://purl.obolibrary.org/obo/CL_0000000"/>
                                <owl:Restriction>
                                    <owl:onProperty rdf:resource="http://example.org/other#P7"/>
                                    <owl:allValuesFrom rdf:resource="#Granuloma"/>
                                </owl:Restriction>
                            </owl:intersectionOf>
                        </owl:Class>
                    </owl:equivalentClass>
                    <rdfs:subClassOf rdf:resource="http://www.w3.org/2002/07/owl#Thing"/>
                </owl:Class>
                <owl:Class rdf:about="#Inflammation"/>
            </rdf:RDF>
            """;

    @Test
    void classesLabelsSynonymsAndRestrictions() throws Exception {
        Path file = dir.resolve("small.owl");
        Files.writeString(file, SMALL);
        KnowledgeGraph g = KnowledgeGraph.load(file);
        assertThat(g.entities()).extracting(Entity::id)
                .containsExactly("Granuloma", "Giant_Cell", "Inflammation", "CL_0000000");
        Entity granuloma = g.entity("Granuloma").orElseThrow();
        assertThat(granuloma.name()).isEqualTo("granuloma");
        assertThat(granuloma.synonyms()).containsExactly("granulomatous inflammation");
        assertThat(granuloma.type()).isEqualTo("class");
        assertThat(g.entity("Giant_Cell")).get().extracting(Entity::name).isEqualTo("Giant Cell");
        assertThat(g.relations()).extracting(Relation::toString).containsExactly(
                "Granuloma -[is_a]-> Inflammation",
                "Granuloma -[has_finding]-> Giant_Cell {restriction=some}",
                "Giant_Cell -[is_a]-> CL_0000000",
                "Giant_Cell -[located_in]-> Granuloma {restriction=only}");
    }

    @Test
    void malformedXmlNamesLine() throws Exception {
        Path file = dir.resolve("bad.owl");
        Files.writeString(file, SMALL.replace("<owl:Class rdf:about=\"#Inflammation\"/>", "<owl:Class rdf:about=\"#Inflammation\">"));
        assertThatThrownBy(() -> KnowledgeGraph.load(file)).isInstanceOf(GraphException.class)
                .hasMessageStartingWith(file + ":" + lineOf(SMALL, "</rdf:RDF>") + ":")
                .hasMessageContaining("malformed XML").hasMessageContaining("</owl:Class>");
        Path notRdf = dir.resolve("x.xml");
        Files.writeString(notRdf, "<?xml version=\"1.0\"?>\n<html/>\n");
        assertThatThrownBy(() -> KnowledgeGraph.load(notRdf))
                .hasMessageStartingWith(notRdf + ":2: expected an RDF/XML document");
    }

    private static int lineOf(String text, String what) {
        return (int) text.substring(0, text.indexOf(what)).chars().filter(c -> c == '\n').count() + 1;
    }

    @Test
    void pathoMlOntology() {
        KnowledgeGraph g = KnowledgeGraph.load(SHARED.resolve("PathoML.owl"));
        assertThat(g.entityCount()).isEqualTo(53); // 53 classes, as the data README says
        assertThat(g.outgoing("Antibody", Relation.IS_A)).extracting(Relation::tail).containsExactly("Protein");
        assertThat(g.outgoing("Protein", Relation.IS_A)).extracting(Relation::tail).containsExactly("Substance");
    }

    @Test
    void tumourPathologyOntologyLinksGradesToMorphology() {
        KnowledgeGraph g = KnowledgeGraph.load(SHARED.resolve("Tumor_Pathology_Ontology_Simplified.owl"));
        assertThat(g.entityCount()).isEqualTo(125);
        Entity ccrcc = g.byName("hypernephroma").orElseThrow();
        assertThat(ccrcc.id()).isEqualTo("NCIT_C4033");
        assertThat(ccrcc.name()).isEqualTo("Clear Cell Renal Cell Carcinoma");
        assertThat(g.outgoing("NCIT_C35851", "has_morphologic_evidence")).extracting(Relation::tail)
                .containsExactly("HISTO_0000020");
        assertThat(g.entity("HISTO_0000020")).get().extracting(Entity::name)
                .isEqualTo("WHO/ISUP Grade 1 Cell Phenotype");
        assertThat(new PathFinder(g).paths("GO_0031039", "GO_0005575", PathFinder.Options.defaults()))
                .extracting(GraphPath::toString)
                .containsExactly("macronucleus -[is_a]-> nucleus -[is_a]-> cellular_component");
        assertThat(EntityMatcher.forGraph(g).entityIds("Clear cell renal cell carcinoma with nuclei"))
                .containsExactly("NCIT_C4033", "GO_0005634");
    }
}
