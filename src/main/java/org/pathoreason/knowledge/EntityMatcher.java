package org.pathoreason.knowledge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds entity mentions in free text with an Aho-Corasick automaton over every name and synonym, so one pass
 * over the text finds all of them whatever the lexicon's size.
 *
 * <p>Matching rules:
 * <ul>
 *   <li>Case-insensitive; hyphens and runs of white space count as one space ({@code T-cell} = {@code t  cell}).
 *   <li>Word boundaries: a match may not start or end inside a word ({@code cell} is not found in
 *       {@code cellular} or {@code subcell}). Letters and digits make words.
 *   <li>Plurals: each term also matches common English and Latin plural forms of its last word: {@code +s},
 *       {@code +es} after s, x, z, ch, sh; {@code -y -> -ies}; {@code -us -> -i}; {@code -is -> -es};
 *       {@code -um -> -a}; {@code -a -> -ae}; {@code -ex/-ix -> -ices}. These forms are generated when the
 *       lexicon is built (last word of three letters or more) and never override a name or synonym given
 *       explicitly.
 *   <li>{@link #find} returns the leftmost-longest non-overlapping mentions: {@code squamous cell carcinoma}
 *       is one mention, not three. {@link #findAll} returns every match, nested and overlapping ones too.
 *   <li>A term listed for two entities belongs to the first one added (for a graph: names before synonyms, then
 *       graph order).
 * </ul>
 * Instances are immutable and thread-safe.
 */
public final class EntityMatcher {

    // Trie in compressed sparse rows: node n's edges are edgeChar/edgeTarget[edgeStart[n] .. edgeStart[n+1]),
    // sorted by char. Node 0 is the root; its edges are also kept in a dense table.
    private final int[] edgeStart;
    private final char[] edgeChar;
    private final int[] edgeTarget;
    private final int[] rootNext;
    private final boolean[] inAlphabet;
    private final int[] fail;
    private final int[] term;       // term index ending at the node, or -1
    private final int[] outLink;    // nearest node on the failure chain that ends a term, or 0
    private final int[] termLength; // folded length of each term
    private final String[] termEntity;
    private final String[] termText;

    private EntityMatcher(List<String> foldedTerms, List<String> entityIds) {
        int terms = foldedTerms.size();
        Integer[] order = new Integer[terms];
        for (int i = 0; i < terms; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(foldedTerms::get));
        termLength = new int[terms];
        termEntity = new String[terms];
        termText = new String[terms];
        for (int i = 0; i < terms; i++) {
            termLength[i] = foldedTerms.get(i).length();
            termEntity[i] = entityIds.get(i);
            termText[i] = foldedTerms.get(i);
        }

        // Insert in sorted order: the new part of each term hangs below its common prefix with the previous
        // one, and siblings come out sorted by char without any look-up.
        IntList firstChild = new IntList();
        IntList nextSibling = new IntList();
        IntList lastChild = new IntList();
        IntList termAt = new IntList();
        StringBuilder nodeChar = new StringBuilder();
        firstChild.add(-1);
        nextSibling.add(-1);
        lastChild.add(-1);
        termAt.add(-1);
        nodeChar.append('\0');
        int[] path = new int[1];
        String previous = "";
        for (int k = 0; k < terms; k++) {
            int t = order[k];
            String s = termText[t];
            if (path.length < s.length() + 1) {
                path = Arrays.copyOf(path, Math.max(s.length() + 1, path.length * 2));
            }
            int common = 0;
            int max = Math.min(previous.length(), s.length());
            while (common < max && previous.charAt(common) == s.charAt(common)) {
                common++;
            }
            path[0] = 0;
            for (int d = common; d < s.length(); d++) {
                int parent = path[d];
                int node = firstChild.size();
                firstChild.add(-1);
                nextSibling.add(-1);
                lastChild.add(-1);
                termAt.add(-1);
                nodeChar.append(s.charAt(d));
                if (lastChild.get(parent) < 0) {
                    firstChild.set(parent, node);
                } else {
                    nextSibling.set(lastChild.get(parent), node);
                }
                lastChild.set(parent, node);
                path[d + 1] = node;
            }
            termAt.set(path[s.length()], t);
            previous = s;
        }

        int nodes = firstChild.size();
        edgeStart = new int[nodes + 1];
        edgeChar = new char[nodes - 1 < 0 ? 0 : nodes - 1];
        edgeTarget = new int[edgeChar.length];
        int e = 0;
        for (int n = 0; n < nodes; n++) {
            edgeStart[n] = e;
            for (int c = firstChild.get(n); c >= 0; c = nextSibling.get(c)) {
                edgeChar[e] = nodeChar.charAt(c);
                edgeTarget[e] = c;
                e++;
            }
        }
        edgeStart[nodes] = e;
        term = termAt.toArray();
        rootNext = new int[Character.MAX_VALUE + 1];
        inAlphabet = new boolean[Character.MAX_VALUE + 1];
        for (int i = 0; i < edgeChar.length; i++) {
            inAlphabet[edgeChar[i]] = true;
        }
        for (int i = edgeStart[0]; i < edgeStart[1]; i++) {
            rootNext[edgeChar[i]] = edgeTarget[i];
        }

        // Failure and output links, breadth first.
        fail = new int[nodes];
        outLink = new int[nodes];
        int[] queue = new int[nodes];
        int head = 0;
        int tail = 0;
        for (int i = edgeStart[0]; i < edgeStart[1]; i++) {
            queue[tail++] = edgeTarget[i];
        }
        while (head < tail) {
            int n = queue[head++];
            for (int i = edgeStart[n]; i < edgeStart[n + 1]; i++) {
                int child = edgeTarget[i];
                int f = step(fail[n], edgeChar[i]);
                fail[child] = f;
                outLink[child] = term[f] >= 0 ? f : outLink[f];
                queue[tail++] = child;
            }
        }
    }

    /** Matches every name and synonym of every entity of the graph. */
    public static EntityMatcher forGraph(KnowledgeGraph graph) {
        return forGraph(graph, e -> true);
    }

    /** Matches the names and synonyms of the entities that pass {@code which} (e.g. only findings). */
    public static EntityMatcher forGraph(KnowledgeGraph graph, Predicate<Entity> which) {
        Builder b = builder();
        for (Entity e : graph.entities()) {
            if (which.test(e)) {
                b.add(e.id(), e.name());
            }
        }
        for (Entity e : graph.entities()) {
            if (which.test(e)) {
                for (String s : e.synonyms()) {
                    b.add(e.id(), s);
                }
            }
        }
        return b.build();
    }

    /** Matches a plain lexicon: entity id (or canonical name) to the terms that name it. */
    public static EntityMatcher fromTerms(Map<String, ? extends Collection<String>> termsById) {
        Builder b = builder();
        termsById.forEach((id, terms) -> terms.forEach(t -> b.add(id, t)));
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The leftmost-longest, non-overlapping mentions, in text order. */
    public List<Mention> find(String text) {
        List<Mention> all = findAll(text);
        all.sort(Comparator.comparingInt(Mention::start).thenComparingInt(m -> -(m.end() - m.start())));
        List<Mention> chosen = new ArrayList<>();
        int covered = 0;
        for (Mention m : all) {
            if (m.start() >= covered) {
                chosen.add(m);
                covered = m.end();
            }
        }
        return chosen;
    }

    /** Every match at word boundaries, nested and overlapping ones included, ordered by end then start. */
    public List<Mention> findAll(String text) {
        List<Mention> found = new ArrayList<>();
        int n = text.length();
        if (n == 0 || term.length <= 1) {
            return found;
        }
        int[] origin = new int[n]; // text offset of each folded char
        int folded = 0;
        boolean lastSpace = true;   // drop leading space and collapse runs, as Names.fold does
        int state = 0;
        for (int i = 0; i < n; i++) {
            char c = Names.foldChar(text.charAt(i));
            if (c == ' ') {
                if (lastSpace) {
                    continue;
                }
                lastSpace = true;
            } else {
                lastSpace = false;
            }
            origin[folded++] = i;
            state = inAlphabet[c] ? step(state, c) : 0;
            for (int s = term[state] >= 0 ? state : outLink[state]; s > 0; s = outLink[s]) {
                int t = term[s];
                int start = origin[folded - termLength[t]];
                int end = i + 1;
                if (atBoundary(text, start, end)) {
                    found.add(new Mention(termEntity[t], start, end, text.substring(start, end)));
                }
            }
        }
        return found;
    }

    /** The entities mentioned (by {@link #find}), in order of first mention. */
    public Set<String> entityIds(String text) {
        Set<String> ids = new LinkedHashSet<>();
        for (Mention m : find(text)) {
            ids.add(m.entityId());
        }
        return ids;
    }

    /** How many distinct folded terms (names, synonyms and plural forms) the automaton holds. */
    public int termCount() {
        return termLength.length;
    }

    private static boolean atBoundary(String text, int start, int end) {
        if (start > 0 && Names.isWordChar(text.charAt(start)) && Names.isWordChar(text.charAt(start - 1))) {
            return false;
        }
        return end >= text.length() || !Names.isWordChar(text.charAt(end - 1)) || !Names.isWordChar(text.charAt(end));
    }

    private int step(int state, char c) {
        while (true) {
            if (state == 0) {
                return rootNext[c];
            }
            int lo = edgeStart[state];
            int hi = edgeStart[state + 1] - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                char m = edgeChar[mid];
                if (m < c) {
                    lo = mid + 1;
                } else if (m > c) {
                    hi = mid - 1;
                } else {
                    return edgeTarget[mid];
                }
            }
            state = fail[state];
        }
    }

    /** Collects terms; the first entity to claim a term keeps it. */
    public static final class Builder {

        private final Map<String, String> explicit = new HashMap<>();
        private final List<String> order = new ArrayList<>();
        private boolean plurals = true;

        private Builder() {
        }

        /** Adds one name of an entity; blank terms are ignored. */
        public Builder add(String entityId, String term) {
            Objects.requireNonNull(entityId, "entityId");
            String folded = Names.fold(Objects.requireNonNull(term, "term"));
            if (!folded.isEmpty() && explicit.putIfAbsent(folded, entityId) == null) {
                order.add(folded);
            }
            return this;
        }

        public Builder add(String entityId, Collection<String> terms) {
            terms.forEach(t -> add(entityId, t));
            return this;
        }

        /** Whether to generate plural forms (default true). */
        public Builder plurals(boolean on) {
            this.plurals = on;
            return this;
        }

        public EntityMatcher build() {
            List<String> terms = new ArrayList<>(order);
            List<String> ids = new ArrayList<>(terms.size());
            for (String t : terms) {
                ids.add(explicit.get(t));
            }
            if (plurals) {
                Set<String> taken = new java.util.HashSet<>(explicit.keySet());
                for (String t : order) {
                    for (String p : Plurals.of(t)) {
                        if (taken.add(p)) {
                            terms.add(p);
                            ids.add(explicit.get(t));
                        }
                    }
                }
            }
            return new EntityMatcher(terms, ids);
        }
    }

    /** A growable int array, to build large tries without boxing. */
    private static final class IntList {
        private int[] a = new int[16];
        private int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        int get(int i) {
            return a[i];
        }

        void set(int i, int v) {
            a[i] = v;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
