package org.pathoreason.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntityMatcherTest {

    static KnowledgeGraph graph() {
        return KnowledgeGraph.builder()
                .addEntity("plasma_cell", "plasma cell", "cell_type", "plasmacyte")
                .addEntity("cell", "cell", "cell_type")
                .addEntity("scc", "squamous cell carcinoma", "diagnosis", "SCC", "epidermoid carcinoma")
                .addEntity("carcinoma", "carcinoma", "diagnosis")
                .addEntity("neutrophil", "neutrophil", "cell_type", "polymorphonuclear leukocyte", "PMN")
                .addEntity("giant_cell", "multinucleated giant cell", "finding", "Langhans giant cell")
                .addEntity("nucleus", "nucleus", "finding")
                .addEntity("metastasis", "metastasis", "diagnosis")
                .addEntity("atypia", "nuclear atypia", "finding")
                .addEntity("body", "psammoma body", "finding")
                .addEntity("t_cell", "T cell", "cell_type", "T lymphocyte")
                .addEntity("her2", "HER2", "marker", "ERBB2")
                .build();
    }

    final EntityMatcher matcher = EntityMatcher.forGraph(graph());

    @Test
    void synonymsMapToCanonicalEntityCaseInsensitively() {
        List<Mention> m = matcher.find("Sheets of PLASMACYTES and a PMN; Epidermoid Carcinoma.");
        assertThat(m).extracting(Mention::entityId).containsExactly("plasma_cell", "neutrophil", "scc");
        assertThat(m.get(0).text()).isEqualTo("PLASMACYTES");
        assertThat(m.get(2).text()).isEqualTo("Epidermoid Carcinoma");
        assertThat(m.get(2).start()).isEqualTo("Sheets of PLASMACYTES and a PMN; ".length());
        assertThat(m.get(2).end()).isEqualTo(m.get(2).start() + "Epidermoid Carcinoma".length());
    }

    @Test
    void longestMatchWinsOverNestedTerms() {
        assertThat(matcher.find("invasive squamous cell carcinoma of skin"))
                .extracting(Mention::entityId).containsExactly("scc");
        // findAll keeps the nested matches too
        assertThat(matcher.findAll("squamous cell carcinoma")).extracting(Mention::entityId)
                .containsExactlyInAnyOrder("cell", "scc", "carcinoma");
        assertThat(matcher.find("a carcinoma with a cell")).extracting(Mention::entityId)
                .containsExactly("carcinoma", "cell");
    }

    @Test
    void partialWordsAreIgnored() {
        assertThat(matcher.find("cellular subcell cells? intercellular cellphone")).extracting(Mention::text)
                .containsExactly("cells");
        assertThat(matcher.find("carcinomatous")).isEmpty();
        assertThat(matcher.find("HER22 and xHER2")).isEmpty();
        assertThat(matcher.find("HER2-positive")).extracting(Mention::entityId).containsExactly("her2");
    }

    @Test
    void pluralsMatchTheSingularEntity() {
        assertThat(matcher.find("Neutrophils, multinucleated giant cells, nuclei, metastases, psammoma bodies, T-cells"))
                .extracting(Mention::entityId)
                .containsExactly("neutrophil", "giant_cell", "nucleus", "metastasis", "body", "t_cell");
        assertThat(matcher.find("carcinomas")).extracting(Mention::entityId).containsExactly("carcinoma");
        // "HER2s" is not a plural: codes are left alone
        assertThat(matcher.find("HER2s")).isEmpty();
    }

    @Test
    void whitespaceAndHyphensAreFolded() {
        List<Mention> m = matcher.find("plasma\n  cell and T-lymphocyte");
        assertThat(m).extracting(Mention::entityId).containsExactly("plasma_cell", "t_cell");
        assertThat(m.get(0).text()).isEqualTo("plasma\n  cell");
    }

    @Test
    void overlappingCandidatesResolveLeftmostLongest() {
        EntityMatcher overlap = EntityMatcher.fromTerms(Map.of(
                "ab", List.of("alpha beta"),
                "bc", List.of("beta gamma delta"),
                "d", List.of("delta")));
        assertThat(overlap.find("alpha beta gamma delta")).extracting(Mention::entityId).containsExactly("ab", "d");
        assertThat(overlap.find("beta gamma delta")).extracting(Mention::entityId).containsExactly("bc");
    }

    @Test
    void entityIdsInOrderOfFirstMention() {
        assertThat(matcher.entityIds("carcinoma, nuclear atypia, another carcinoma, plasma cell"))
                .containsExactly("carcinoma", "atypia", "plasma_cell");
        assertThat(matcher.entityIds("")).isEmpty();
        assertThat(EntityMatcher.builder().build().find("anything")).isEmpty();
    }

    @Test
    void explicitTermBeatsAnotherEntitysPluralAndFirstClaimWins() {
        EntityMatcher m = EntityMatcher.builder()
                .add("gland", "gland")
                .add("glands_dx", "glands")
                .add("first", "shared")
                .add("second", "shared")
                .build();
        assertThat(m.entityIds("glands")).containsExactly("glands_dx");
        assertThat(m.entityIds("gland")).containsExactly("gland");
        assertThat(m.entityIds("shared")).containsExactly("first");
    }

    @Test
    void agreesWithNaiveScanOnRandomText() {
        // Reference: try every term at every word-start position.
        KnowledgeGraph g = graph();
        EntityMatcher noPlural = EntityMatcher.builder().plurals(false)
                .add("plasma_cell", "plasma cell").add("cell", "cell").add("scc", "squamous cell carcinoma")
                .add("carcinoma", "carcinoma").add("atypia", "nuclear atypia").build();
        String[] words = {"plasma", "cell", "squamous", "carcinoma", "nuclear", "atypia", "cells", "of", "the"};
        Random rnd = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + rnd.nextInt(12);
            for (int i = 0; i < len; i++) {
                b.append(i == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
            }
            String text = b.toString();
            assertThat(noPlural.find(text)).as(text).isEqualTo(naive(text, Map.of(
                    "squamous cell carcinoma", "scc", "nuclear atypia", "atypia", "plasma cell", "plasma_cell",
                    "carcinoma", "carcinoma", "cell", "cell")));
        }
        assertThat(g.entityCount()).isPositive();
    }

    @Test
    void fastEnoughForRewardsOnEveryRollout() {
        // 2,000 texts of ~1,000 chars against a 5,000-term lexicon; measured ~80,000 texts/s on one core, so a
        // generous bound that still catches a quadratic slip.
        EntityMatcher.Builder b = EntityMatcher.builder();
        Random rnd = new Random(3);
        for (int i = 0; i < 5000; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0; k < 5 + rnd.nextInt(10); k++) {
                t.append((char) ('a' + rnd.nextInt(26)));
            }
            b.add("r" + i, t.toString());
        }
        EntityMatcher big = b.add("plasma_cell", "plasma cell").add("scc", "squamous cell carcinoma").build();
        String[] vocab = "the lesion shows|plasma cells|and|squamous cell carcinoma|with keratin pearls|,|;".split("\\|");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            StringBuilder t = new StringBuilder();
            while (t.length() < 1000) {
                t.append(vocab[rnd.nextInt(vocab.length)]).append(' ');
            }
            texts.add(t.toString());
        }
        long start = System.nanoTime();
        int mentions = 0;
        for (String t : texts) {
            mentions += big.find(t).size();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(mentions).isGreaterThan(2000 * 20); // 2 in 7 phrases name an entity: ~25 per text
        assertThat(seconds).as("seconds for 2000 texts").isLessThan(3.0);
    }

    private static List<Mention> naive(String text, Map<String, String> terms) {
        List<Mention> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            boolean wordStart = i == 0 || text.charAt(i - 1) == ' ';
            Mention best = null;
            if (wordStart) {
                for (Map.Entry<String, String> t : terms.entrySet()) {
                    int end = i + t.getKey().length();
                    if (text.startsWith(t.getKey(), i) && (end == text.length() || text.charAt(end) == ' ')
                            && (best == null || end > best.end())) {
                        best = new Mention(t.getValue(), i, end, t.getKey());
                    }
                }
            }
            if (best != null) {
                out.add(best);
                i = best.end();
            } else {
                i++;
            }
        }
        return out;
    }
}
