package org.pathoreason.data.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Relation;

/**
 * Every gold answer of a full-size plan (about 10,700 samples) must be reproduced by an independent rule-based
 * solver that sees only the sample's drawn findings, its question text, its options and the knowledge graph.
 */
class GoldAnswerTest {

    /** A solver written straight from the graph file's relations, sharing no code with the generator. */
    static final class GraphSolver {
        final KnowledgeGraph graph;
        final Map<String, Set<String>> required = new HashMap<>();
        final Map<String, Set<String>> allowed = new HashMap<>();

        GraphSolver(KnowledgeGraph graph) {
            this.graph = graph;
            for (Entity d : graph.entitiesOfType(Entity.DIAGNOSIS)) {
                required.put(d.id(), new HashSet<>());
                allowed.put(d.id(), new HashSet<>());
            }
            for (Relation r : graph.relations()) {
                if (r.type().equals("has_finding")) {
                    allowed.get(r.head()).add(r.tail());
                    if ("true".equals(r.attributes().get("required"))) {
                        required.get(r.head()).add(r.tail());
                    }
                }
            }
        }

        boolean fits(String diagnosis, Set<String> visible) {
            return visible.containsAll(required.get(diagnosis)) && allowed.get(diagnosis).containsAll(visible);
        }

        String diagnose(Set<String> visible) {
            List<String> fit = new ArrayList<>();
            for (String d : required.keySet()) {
                if (fits(d, visible)) {
                    fit.add(d);
                }
            }
            assertThat(fit).as("diagnoses consistent with " + visible).hasSize(1);
            return fit.get(0);
        }

        String id(String name) {
            return graph.byName(name).map(Entity::id).orElseThrow(() -> new AssertionError("unknown name " + name));
        }

        String name(String id) {
            return graph.entity(id).orElseThrow().name();
        }
    }

    @Test
    void aRuleBasedSolverReproducesEveryGoldAnswer() {
        SynthWorld world = SynthWorld.builtIn();
        GraphSolver solver = new GraphSolver(world.graph());
        SynthGenerator generator = new SynthGenerator(world, SynthOptions.defaults().withSeed(2024));
        Map<String, List<SynthGenerator.Planned>> plan = generator.plan();
        int checked = 0;
        Map<String, Set<List<String>>> trainingCombos = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (Map.Entry<String, List<SynthGenerator.Planned>> split : plan.entrySet()) {
            int[] letters = new int[4];
            int[] yesNo = new int[2];
            for (SynthGenerator.Planned p : split.getValue()) {
                Sample s = p.sample();
                assertThat(ids.add(s.id())).as("unique id " + s.id()).isTrue();
                @SuppressWarnings("unchecked")
                Map<String, Object> facts = (Map<String, Object>) s.meta().get(QuestionWriter.META_KEY);
                @SuppressWarnings("unchecked")
                Set<String> visible = new LinkedHashSet<>((List<String>) facts.get("findings"));
                String d = solver.diagnose(visible);
                assertThat(d).isEqualTo(facts.get("diagnosis"));
                Set<String> gold = new HashSet<>();
                visible.forEach(f -> gold.add(solver.name(f)));
                gold.add(solver.name(d));
                assertThat(new HashSet<>(s.entities())).as(s.id()).isEqualTo(gold);
                switch (s.subset()) {
                    case "diagnosis" -> {
                        checkOptions(s);
                        List<Integer> fit = new ArrayList<>();
                        for (int i = 0; i < s.options().size(); i++) {
                            String option = solver.id(s.options().get(i));
                            assertThat(solver.required).containsKey(option);
                            if (solver.fits(option, visible)) {
                                fit.add(i);
                            }
                        }
                        assertThat(fit).as(s.id()).hasSize(1);
                        assertThat(s.answer()).isEqualTo(Sample.letter(fit.get(0)));
                        assertThat(s.answerText()).isEqualTo(s.options().get(fit.get(0)));
                        if (s.reasoning() != null) { // the RL split has none
                            assertThat(s.reasoning().think()).endsWith("the answer is " + s.answer() + ". "
                                    + s.answerText() + ".");
                        }
                        letters[fit.get(0)]++;
                    }
                    case "feature" -> {
                        checkOptions(s);
                        String q = s.question();
                        String target = solver.id(q.substring(q.indexOf("indicates ") + 10, q.length() - 1));
                        List<Integer> fit = new ArrayList<>();
                        for (int i = 0; i < s.options().size(); i++) {
                            String f = solver.id(s.options().get(i));
                            if (visible.contains(f) && solver.required.get(target).contains(f)) {
                                fit.add(i);
                            }
                        }
                        assertThat(fit).as(s.id()).hasSize(1);
                        assertThat(s.answer()).isEqualTo(Sample.letter(fit.get(0)));
                        letters[fit.get(0)]++;
                    }
                    case "finding" -> {
                        String q = s.question();
                        String asked = solver.id(q.substring(q.indexOf("show ") + 5, q.length() - 1));
                        String expected = visible.contains(asked) ? "Yes" : "No";
                        assertThat(s.answer()).as(s.id()).isEqualTo(expected);
                        yesNo[expected.equals("Yes") ? 0 : 1]++;
                    }
                    case "describe" -> {
                        String answer = s.answer().toLowerCase(Locale.ROOT);
                        assertThat(answer).contains("diagnosis: " + solver.name(d).toLowerCase(Locale.ROOT));
                        for (String f : visible) {
                            assertThat(answer).contains(solver.name(f).toLowerCase(Locale.ROOT));
                        }
                    }
                    case "caption" -> assertThat(s.caption().toLowerCase(Locale.ROOT))
                            .contains(solver.name(d).toLowerCase(Locale.ROOT));
                    default -> throw new AssertionError("unexpected subset " + s.subset());
                }
                List<String> optional = new ArrayList<>(visible);
                optional.removeAll(solver.required.get(d));
                optional.sort(null);
                boolean unseen = (Boolean) facts.get("unseen_combination");
                if (split.getKey().equals("pretrain") || split.getKey().equals("sft")
                        || split.getKey().equals("rl")) {
                    assertThat(unseen).isFalse();
                    trainingCombos.computeIfAbsent(d, k -> new HashSet<>()).add(optional);
                } else if (unseen) {
                    assertThat(trainingCombos.getOrDefault(d, Set.of())).as("held-out combination of " + s.id()
                            + " appears in training").doesNotContain(optional);
                }
                checked++;
            }
            int mcq = letters[0] + letters[1] + letters[2] + letters[3];
            for (int count : letters) {
                assertThat(count).as(split.getKey() + " letter balance").isBetween(mcq / 4 - 1, mcq / 4 + 1);
            }
            assertThat(Math.abs(yesNo[0] - yesNo[1])).as(split.getKey() + " yes/no balance").isLessThanOrEqualTo(1);
        }
        assertThat(checked).isEqualTo(5000 + 3000 + 1000 + 300 + 1385);
        long unseenTest = plan.get("test").stream().filter(p -> p.synthCase().unseenCombination()).count();
        assertThat(unseenTest).isBetween(1385L / 5, 1385L / 2);
    }

    private static void checkOptions(Sample s) {
        assertThat(s.options()).hasSize(4);
        Set<String> folded = new HashSet<>();
        s.options().forEach(o -> folded.add(o.toLowerCase(Locale.ROOT)));
        assertThat(folded).as("options of " + s.id() + " are distinct").hasSize(4);
    }
}
