package org.pathoreason.data.reason;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pathoreason.knowledge.GraphPath;
import org.pathoreason.knowledge.Relation;

/**
 * Graph facts as plain medical sentences, each relation stated in its own direction ({@code granulomatous
 * inflammation is characterised by epithelioid histiocytes}), so neither the offline chains nor a teacher's prompt
 * speak of graphs, paths or edges.
 */
final class RelationPhrases {

    private static final Map<String, String> VERBS = Map.ofEntries(
            Map.entry(Relation.HAS_FINDING, "is characterised by"),
            Map.entry(Relation.SUGGESTS, "suggests"),
            Map.entry(Relation.DIFFERENTIAL_OF, "is a differential diagnosis of"),
            Map.entry(Relation.LOCATED_IN, "is found in"),
            Map.entry(Relation.IS_A, "is a kind of"),
            Map.entry("has_morphologic_evidence", "shows"),
            Map.entry("has_not_morphologic_evidence", "lacks"),
            Map.entry("cellular_component_of", "is a component of"),
            Map.entry("part_of", "is part of"),
            Map.entry("has_part", "has the part"),
            Map.entry("stained_by", "is stained by"),
            Map.entry("expresses", "expresses"),
            Map.entry("disease_phenotype_positive", "presents with"),
            Map.entry("disease_phenotype_negative", "does not present with"),
            Map.entry("disease_disease", "is related to"),
            Map.entry("phenotype_phenotype", "is related to"));

    /** Words that make a relation negative evidence (the head lacks the tail). */
    private static final Set<String> NEGATIONS = Set.of("not", "no", "lacks", "absent", "negative", "excludes",
            "without");

    private RelationPhrases() {
    }

    /** Whether the relation says the head lacks or excludes the tail. */
    static boolean negative(Relation r) {
        for (String w : r.type().split("_")) {
            if (NEGATIONS.contains(w)) {
                return true;
            }
        }
        return false;
    }

    static String verb(Relation r) {
        String v = VERBS.get(r.type());
        if (v != null) {
            return v;
        }
        String display = r.attribute("display");
        return "is linked to (" + (display != null ? display : r.type().replace('_', ' ')) + ")";
    }

    /** One sentence per step of the path, joined with "and": {@code A suggests B, and B is a kind of C.} */
    static String sentence(GraphPath path) {
        List<String> clauses = new ArrayList<>();
        for (int i = 0; i < path.steps().size(); i++) {
            GraphPath.Step s = path.steps().get(i);
            String a = path.entities().get(i).name();
            String b = path.entities().get(i + 1).name();
            boolean headFirst = s.forward() != reversedRow(s.relation(), path.entities().get(s.forward() ? i : i + 1).type(),
                    path.entities().get(s.forward() ? i + 1 : i).type());
            String subject = headFirst ? a : b;
            String object = headFirst ? b : a;
            clauses.add(subject + " " + agree(verb(s.relation()), subject) + " " + object);
        }
        return capitalise(String.join(", and ", clauses)) + ".";
    }

    /**
     * Whether a relation row states its pair the other way round from its name: PrimeKG lists every edge twice,
     * so {@code disease_phenotype_positive} also runs from a phenotype (head) to a disease (tail). A relation named
     * after its tail's type and not its head's is read tail first.
     */
    static boolean reversedRow(Relation r, String headType, String tailType) {
        return !headType.equals(tailType) && r.type().startsWith(tailType + "_") && !r.type().startsWith(headType + "_");
    }

    /** The verb for a plural subject ("plasma cells suggest", "giant cells are") when the name reads plural. */
    static String agree(String verb, String subject) {
        if (!plural(subject)) {
            return verb;
        }
        String[] words = verb.split(" ", 2);
        String first = switch (words[0]) {
            case "is" -> "are";
            case "has" -> "have";
            case "does" -> "do";
            default -> words[0].endsWith("sses") || words[0].endsWith("shes") || words[0].endsWith("ches")
                    ? words[0].substring(0, words[0].length() - 2)
                    : words[0].endsWith("s") ? words[0].substring(0, words[0].length() - 1) : words[0];
        };
        return words.length == 1 ? first : first + " " + words[1];
    }

    /** A rough test for an English plural noun phrase: its head word (before "with", "of", ...) ends in -s. */
    static boolean plural(String name) {
        String head = name.toLowerCase(Locale.ROOT).split(" (with|of|in|and|without|from|on)( |$)")[0].strip();
        String last = head.substring(head.lastIndexOf(' ') + 1);
        return last.length() > 3 && last.endsWith("s") && !last.endsWith("ss") && !last.endsWith("is")
                && !last.endsWith("us") && !last.endsWith("ous");
    }

    static String capitalise(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** "a", "a and b", "a, b and c". */
    static String list(List<String> items) {
        if (items.size() <= 1) {
            return items.isEmpty() ? "" : items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }
}
