package org.pathoreason.data.reason;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.EntityOverlap;
import org.pathoreason.knowledge.GraphPath;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.PathFinder;
import org.pathoreason.knowledge.Relation;
import org.pathoreason.llm.LlmException;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Knowledge-graph-guided reasoning data, as PathReasoner-R1 builds it: for each labelled sample (image, question,
 * gold answer, optional findings or caption) the entities named in its question, answer, findings and caption
 * (the entity matcher, with synonyms); the shortest paths in the graph from the findings to the answer, and for
 * multiple choice to each wrong option; a ranking of the paths and a cap per sample; a chain of thought written
 * from the chosen paths ({@link TemplateTeacher} offline, or an LLM teacher); and verification: the chain must reach
 * the gold answer and end at it, never mention the graph, and name the sample's entities well enough (the entity
 * score against the gold entities and the wrong options it argues against, at least
 * {@link ReasonOptions#minEntityScore()}), and an optional judge must agree.
 *
 * <p>Kept samples are SFT data: {@code reasoning.observe} and {@code reasoning.think} are the chain, the answer
 * stays the gold one, and {@code meta.guidance} holds the paths the chain was written from (each as
 * {@link GraphPath#toString()}), which trajectory-masked SFT removes from (or adds to) the prompt;
 * {@code meta.reason} keeps the steps for inspection: entities per field, the answer's entity, paths, the
 * differential, the entity score and the teacher.
 */
public final class ReasoningDataBuilder {

    /** Why a sample was not kept. */
    public enum Rejection {
        NOT_A_QUESTION, NO_FINDINGS, ANSWER_NOT_IN_GRAPH, NO_PATH, NOT_SEPARATED, TEACHER_FAILED, WRONG_ANSWER,
        DOES_NOT_END_AT_ANSWER, MENTIONS_GRAPH, LOW_ENTITY_SCORE, JUDGE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Progress, for a command line to draw. */
    @FunctionalInterface
    public interface Listener {
        void done(int samples, int total);
    }

    /**
     * What became of one sample: kept (the SFT sample) or rejected (why, with details), and the steps taken so
     * far (entities per field, findings, the answer's entity, paths, entity score; the kept sample's
     * {@code meta.reason}).
     */
    public record Decision(String id, Sample kept, String rejected, String detail, Map<String, Object> steps) {
        static Decision keep(Sample s, Map<String, Object> steps) {
            return new Decision(s.id(), s, null, null, steps);
        }

        static Decision reject(Sample s, Rejection why, String detail, Map<String, Object> steps) {
            return new Decision(s.id(), null, why.id(), detail, steps);
        }
    }

    /**
     * The report: samples in, how many found entities and paths, how many chains were kept and why the others were
     * rejected, and how much of the samples' gold entities the graph knows.
     *
     * @param withFindings samples with at least one finding in the graph
     * @param withAnswerEntity samples whose answer names an entity of the graph
     * @param withPaths samples with a path from a finding to the answer
     * @param rejected count per rejection reason
     * @param mentions samples with at least one entity found, per field (question, answer, findings, caption)
     * @param goldEntities gold entities of the samples (their {@code entities} field)
     * @param goldEntitiesInGraph of those, the ones the graph resolves by id, name or synonym
     * @param entitiesUsed distinct entities on the kept chains' paths
     * @param meanPaths mean paths per kept chain
     * @param meanEntityScore mean entity score of the kept chains
     */
    public record Report(String graph, String teacher, int samples, int withFindings, int withAnswerEntity,
                         int withPaths, int kept, Map<String, Integer> rejected, Map<String, Integer> mentions,
                         int goldEntities, int goldEntitiesInGraph, int entitiesUsed, double meanPaths,
                         double meanEntityScore) {
    }

    public record Result(List<Sample> kept, List<Decision> decisions, Report report) {
    }

    private static final Pattern GRAPH_TALK = Pattern.compile(
            "\\b(knowledge[- ]graph|graph|guidance|paths?|nodes?|edges?|triples?|KG)\\b", Pattern.CASE_INSENSITIVE);
    private static final String META_KEY = "reason";

    private final KnowledgeGraph graph;
    private final ReasonOptions options;
    private final ReasoningTeacher teacher;
    private final EntityMatcher matcher;
    private final PathFinder finder;
    private final EntityOverlap overlap;
    private final PathFinder.Options search;
    private ChainJudge judge;
    private Listener listener = (d, t) -> { };
    private int threads = 1;

    public ReasoningDataBuilder(KnowledgeGraph graph, ReasonOptions options, ReasoningTeacher teacher) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.options = Objects.requireNonNull(options, "options");
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.matcher = EntityMatcher.forGraph(graph);
        this.finder = new PathFinder(graph);
        this.overlap = EntityOverlap.forGraph(graph);
        this.search = PathFinder.Options.defaults().withMaxLength(options.maxPathLength())
                .withMaxPathsPerPair(options.maxPathsPerPair()).withDirection(PathFinder.Direction.BOTH);
    }

    /** A last check of each chain (off by default). */
    public ReasoningDataBuilder judge(ChainJudge j) {
        this.judge = j;
        return this;
    }

    public ReasoningDataBuilder listener(Listener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /** Samples worked on at once (for a teacher on a server that answers in parallel); default 1. */
    public ReasoningDataBuilder threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        this.threads = n;
        return this;
    }

    /** Decides every sample, in memory. */
    public Result build(List<Sample> samples) {
        List<Decision> decisions = decideAll(samples, Map.of(), d -> { });
        return result(decisions);
    }

    /**
     * Decides every sample and writes the kept ones to {@code out} (canonical JSONL, atomically) and the report
     * beside it ({@link #reportFile(Path)}). Decisions are appended to a hidden file beside {@code out} as they are
     * made, so a run that stops picks up where it was (with the same graph, options and teacher).
     */
    public Result run(List<Sample> samples, Path out) {
        Path partial = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".partial");
        String fingerprint = fingerprint();
        Map<String, Decision> done = readPartial(partial, fingerprint);
        try {
            Files.createDirectories(partial.getParent());
            if (done.isEmpty()) {
                Files.writeString(partial, Json.MAPPER.writeValueAsString(Map.of("fingerprint", fingerprint)) + "\n",
                        StandardCharsets.UTF_8);
            }
            List<Decision> decisions;
            try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
                decisions = decideAll(samples, done, d -> append(w, d));
            }
            Result r = result(decisions);
            SampleJsonl.write(out, r.kept());
            AtomicFiles.writeString(reportFile(out), Json.PRETTY.writeValueAsString(reportJson(r)));
            Files.deleteIfExists(partial);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** {@code FILE.jsonl} -> {@code FILE.report.json}. */
    public static Path reportFile(Path out) {
        String name = out.getFileName().toString().replaceFirst("\\.jsonl$", "");
        return out.toAbsolutePath().resolveSibling(name + ".report.json");
    }

    private Map<String, Object> reportJson(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("report", r.report());
        m.put("options", options);
        List<Map<String, String>> rejected = new ArrayList<>();
        for (Decision d : r.decisions()) {
            if (d.rejected() != null) {
                Map<String, String> e = new LinkedHashMap<>();
                e.put("id", d.id());
                e.put("reason", d.rejected());
                e.put("detail", d.detail());
                rejected.add(e);
            }
        }
        m.put("rejected", rejected);
        return m;
    }

    private interface Sink {
        void accept(Decision d) throws IOException;
    }

    private static void append(BufferedWriter w, Decision d) throws IOException {
        w.write(Json.MAPPER.writeValueAsString(d));
        w.write('\n');
        w.flush();
    }

    private List<Decision> decideAll(List<Sample> samples, Map<String, Decision> done, Sink sink) {
        List<Decision> out = new ArrayList<>(samples.size());
        try {
            if (threads == 1) {
                for (Sample s : samples) {
                    Decision known = done.get(s.id());
                    Decision d = known != null ? known : decide(s);
                    if (known == null) {
                        sink.accept(d);
                    }
                    out.add(d);
                    listener.done(out.size(), samples.size());
                }
                return out;
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "reason");
                t.setDaemon(true);
                return t;
            });
            try {
                // in chunks, so decisions are saved in input order while the pool keeps the server busy
                int chunk = threads * 4;
                for (int from = 0; from < samples.size(); from += chunk) {
                    List<Sample> part = samples.subList(from, Math.min(samples.size(), from + chunk));
                    List<Future<Decision>> futures = new ArrayList<>();
                    for (Sample s : part) {
                        futures.add(done.containsKey(s.id()) ? null : pool.submit(() -> decide(s)));
                    }
                    for (int i = 0; i < part.size(); i++) {
                        Decision d = futures.get(i) == null ? done.get(part.get(i).id()) : futures.get(i).get();
                        if (futures.get(i) != null) {
                            sink.accept(d);
                        }
                        out.add(d);
                    }
                    listener.done(out.size(), samples.size());
                }
            } finally {
                pool.shutdownNow();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    private Map<String, Decision> readPartial(Path partial, String fingerprint) {
        Map<String, Decision> done = new LinkedHashMap<>();
        if (!Files.isRegularFile(partial)) {
            return done;
        }
        try (BufferedReader r = Files.newBufferedReader(partial, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            JsonNode head = first == null ? null : Json.MAPPER.readTree(first);
            if (head == null || !fingerprint.equals(head.path("fingerprint").asText())) {
                Files.delete(partial); // another graph, teacher or settings: start again
                return done;
            }
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    Decision d = Json.MAPPER.readValue(line, Decision.class);
                    done.put(d.id(), d);
                } catch (IOException e) {
                    break; // a torn last line from a run that was killed mid-write
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + partial + ": " + e.getMessage(), e);
        }
        // rewrite without a torn tail, so appends start on a fresh line
        try {
            StringBuilder sb = new StringBuilder(Json.MAPPER.writeValueAsString(Map.of("fingerprint", fingerprint)))
                    .append('\n');
            for (Decision d : done.values()) {
                sb.append(Json.MAPPER.writeValueAsString(d)).append('\n');
            }
            AtomicFiles.writeString(partial, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return done;
    }

    private String fingerprint() {
        String s = graph.name() + "|" + graph.entityCount() + "|" + graph.relationCount() + "|" + options + "|"
                + teacher.describe() + "|" + (judge != null);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Result result(List<Decision> decisions) {
        List<Sample> kept = new ArrayList<>();
        Map<String, Integer> rejected = new LinkedHashMap<>();
        Map<String, Integer> mentions = new LinkedHashMap<>();
        for (String f : List.of("question", "answer", "findings", "caption")) {
            mentions.put(f, 0);
        }
        int withFindings = 0;
        int withAnswer = 0;
        int withPaths = 0;
        int gold = 0;
        int known = 0;
        double paths = 0;
        double score = 0;
        Set<String> used = new LinkedHashSet<>();
        for (Decision d : decisions) {
            Map<String, Object> info = d.steps() == null ? Map.of() : d.steps();
            if (info.get("mentions") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (nonEmpty(v)) {
                        mentions.merge(String.valueOf(k), 1, Integer::sum);
                    }
                });
            }
            withFindings += nonEmpty(info.get("findings")) ? 1 : 0;
            withAnswer += info.get("answer_entity") != null ? 1 : 0;
            withPaths += nonEmpty(info.get("paths")) ? 1 : 0;
            if (info.get("gold_entities") instanceof Collection<?> g) {
                gold += g.size();
                known += ((Number) info.get("gold_entities_in_graph")).intValue();
            }
            if (d.kept() != null) {
                kept.add(d.kept());
                paths += ((Collection<?>) info.get("paths")).size();
                score += ((Number) info.get("entity_score")).doubleValue();
                for (Object id : (Collection<?>) info.get("path_entities")) {
                    used.add(String.valueOf(id));
                }
            } else {
                rejected.merge(d.rejected(), 1, Integer::sum);
            }
        }
        int n = kept.size();
        Report report = new Report(graph.name(), teacher.describe(), decisions.size(), withFindings, withAnswer,
                withPaths, n, rejected, mentions, gold, known, used.size(), n == 0 ? 0 : paths / n,
                n == 0 ? 0 : score / n);
        return new Result(kept, decisions, report);
    }

    private static boolean nonEmpty(Object o) {
        return o instanceof Collection<?> c && !c.isEmpty();
    }

    /** Decides one sample. */
    public Decision decide(Sample s) {
        Map<String, Object> steps = new LinkedHashMap<>();
        if (Task.CAPTION.equals(s.task()) || s.question().isBlank()) {
            return Decision.reject(s, Rejection.NOT_A_QUESTION, "a caption sample has no question to reason about",
                    steps);
        }
        // 1. entities named in the question, answer, findings and caption
        Set<String> questionIds = matcher.entityIds(s.question());
        Set<String> answerIds = answerEntities(s);
        Set<String> mentioned = new LinkedHashSet<>();
        for (String text : findingTexts(s)) {
            mentioned.addAll(matcher.entityIds(text));
        }
        Set<String> findingIds = new LinkedHashSet<>(mentioned);
        Map<String, List<String>> mentions = new LinkedHashMap<>();
        mentions.put("question", names(questionIds));
        mentions.put("answer", names(answerIds));
        mentions.put("findings", names(mentioned));
        mentions.put("caption", s.caption() == null ? List.of() : names(matcher.entityIds(s.caption())));
        steps.put("mentions", mentions);
        // a labelled set's own entities are its findings; otherwise what the texts name
        List<String> gold = new ArrayList<>(s.entities());
        int goldKnown = 0;
        Set<String> labelled = new LinkedHashSet<>();
        for (String e : s.entities()) {
            Optional<Entity> known = graph.resolve(e);
            if (known.isPresent()) {
                labelled.add(known.get().id());
                goldKnown++;
            }
        }
        if (!labelled.isEmpty()) {
            // labelled entities may include the diagnosis; the ones the findings texts name are what is seen
            Set<String> named = new LinkedHashSet<>(labelled);
            named.retainAll(mentioned);
            findingIds = named.isEmpty() ? labelled : named;
        }
        steps.put("gold_entities", List.copyOf(gold));
        steps.put("gold_entities_in_graph", goldKnown);
        Set<String> optionIds = new LinkedHashSet<>();
        List<Optional<Entity>> optionEntities = new ArrayList<>();
        for (String o : s.options()) {
            Optional<Entity> e = entityOf(o);
            optionEntities.add(e);
            e.ifPresent(x -> optionIds.add(x.id()));
        }
        // 2. the answer's entity (for yes/no: the entity asked about) and the findings that lead to it
        String targetId;
        if (Task.YESNO.equals(s.task())) {
            if (questionIds.isEmpty()) {
                return Decision.reject(s, Rejection.ANSWER_NOT_IN_GRAPH, "the question names no entity of the graph",
                        steps);
            }
            targetId = questionIds.iterator().next();
        } else {
            // an answer naming a finding and a diagnosis ("fibrosis; diagnosis: scar") answers with the one not seen
            Set<String> candidates = new LinkedHashSet<>(answerIds);
            candidates.removeAll(findingIds);
            candidates.removeAll(mentioned);
            if (candidates.isEmpty()) {
                candidates.addAll(answerIds);
            }
            if (candidates.isEmpty()) {
                return Decision.reject(s, Rejection.ANSWER_NOT_IN_GRAPH, "the answer '" + answerText(s)
                        + "' names no entity of the graph", steps);
            }
            Set<String> from = new LinkedHashSet<>(findingIds);
            from.addAll(questionIds);
            from.removeAll(candidates);
            targetId = strongest(candidates, from);
        }
        steps.put("answer_entity", graph.nameOf(targetId));
        // findings: what is seen, without the answer and the options; sources also take the question's entities
        Set<String> seen = new LinkedHashSet<>(findingIds);
        seen.removeAll(optionIds);
        if (!Task.YESNO.equals(s.task())) {
            seen.remove(targetId);
        }
        Set<String> sources = new LinkedHashSet<>(seen);
        sources.addAll(questionIds);
        sources.removeAll(optionIds);
        sources.remove(targetId);
        steps.put("findings", names(seen));
        if (sources.isEmpty()) {
            return Decision.reject(s, Rejection.NO_FINDINGS, "no finding of the sample is an entity of the graph",
                    steps);
        }
        // 3. shortest paths to the answer, ranked and capped
        List<GraphPath> found = positivePaths(sources, targetId);
        if (found.isEmpty()) {
            return Decision.reject(s, Rejection.NO_PATH, "no path of at most " + options.maxPathLength()
                    + " steps from " + names(sources) + " to " + graph.nameOf(targetId), steps);
        }
        List<GraphPath> chosen = rank(found, new ArrayList<>(sources));
        steps.put("paths", chosen.stream().map(GraphPath::toString).toList());
        Entity target = graph.entity(targetId).orElseThrow();
        List<Entity> support = support(targetId, sources);
        // 4. the wrong options: the graph must favour the answer over each
        List<ChainFacts.Differential> differential = new ArrayList<>();
        if (options.differential() && Task.MCQ.equals(s.task())) {
            int goldIndex = Sample.letterIndex(s.answer());
            int goldDistance = chosen.get(0).length();
            for (int i = 0; i < s.options().size(); i++) {
                Entity e = optionEntities.get(i).orElse(null);
                if (i == goldIndex || (e != null && e.id().equals(targetId))) {
                    continue;
                }
                ChainFacts.Differential d = differential(Sample.letter(i), s.options().get(i), e, sources, seen,
                        findingIds.contains(targetId));
                if (e != null && !d.ruledOut()) {
                    int distance = d.path() == null ? Integer.MAX_VALUE : d.path().length();
                    boolean weaker = d.support().size() < support.size()
                            || (d.support().size() == support.size() && distance > goldDistance);
                    if (!weaker) {
                        return Decision.reject(s, Rejection.NOT_SEPARATED, "option " + d.letter() + ". " + d.option()
                                + " is as close to the findings (" + d.support().size() + " direct, nearest path "
                                + (d.path() == null ? "none" : d.path().length() + " steps") + ") as the answer ("
                                + support.size() + " direct, nearest path " + goldDistance + " steps)", steps);
                    }
                }
                differential.add(d);
            }
            steps.put("differential", differential.stream().map(ReasoningDataBuilder::describe).toList());
        }
        // 5. the chain
        // the findings the chain explains: those the graph connects to the answer or to an option (a mention such
        // as "nuclei" that leads nowhere is no evidence)
        Set<String> relevant = new LinkedHashSet<>();
        found.forEach(p -> relevant.add(p.source().id()));
        differential.forEach(d -> {
            if (d.path() != null) {
                relevant.add(d.path().source().id());
            }
            d.support().forEach(e -> relevant.add(e.id()));
            d.against().forEach(e -> relevant.add(e.id()));
        });
        relevant.add(targetId);
        List<Entity> findings = new ArrayList<>();
        for (String id : seen) {
            if (relevant.contains(id)) {
                findings.add(graph.entity(id).orElseThrow());
            }
        }
        steps.put("findings", findings.stream().map(Entity::name).toList());
        ChainFacts facts = new ChainFacts(s, findings, target, findingIds.contains(targetId), support, chosen,
                differential);
        Chain chain;
        try {
            chain = teacher.write(facts);
        } catch (LlmException e) {
            return Decision.reject(s, Rejection.TEACHER_FAILED, e.getMessage(), steps);
        }
        steps.put("teacher", teacher.describe());
        // 6. verification
        String wrong = answerProblem(s, chain, target);
        if (wrong != null) {
            return Decision.reject(s, Rejection.WRONG_ANSWER, wrong, steps);
        }
        if (!endsAtAnswer(s, chain, target)) {
            return Decision.reject(s, Rejection.DOES_NOT_END_AT_ANSWER, "the last sentences of the reasoning do not "
                    + "name the answer: " + tail(chain.think()), steps);
        }
        var talk = GRAPH_TALK.matcher(chain.observe() + " " + chain.think());
        if (talk.find()) {
            return Decision.reject(s, Rejection.MENTIONS_GRAPH, "the reasoning says '" + talk.group() + "'", steps);
        }
        if (gold.isEmpty()) {
            for (Entity e : findings) {
                gold.add(e.name());
            }
            gold.add(target.name());
        }
        // the chain is scored against the gold entities and the wrong options it argues against
        List<String> expected = new ArrayList<>(gold);
        for (ChainFacts.Differential d : differential) {
            if (d.entity() != null && !expected.contains(d.entity().name())) {
                expected.add(d.entity().name());
            }
        }
        double score = overlap.score(chain.completion(), expected);
        steps.put("entity_score", Math.round(score * 10000) / 10000.0);
        if (score < options.minEntityScore()) {
            return Decision.reject(s, Rejection.LOW_ENTITY_SCORE, String.format(Locale.ROOT,
                    "entity score %.3f < %.3f against %s", score, options.minEntityScore(), expected), steps);
        }
        Set<String> pathEntities = new LinkedHashSet<>();
        for (GraphPath p : chosen) {
            pathEntities.addAll(p.entityIds());
        }
        steps.put("path_entities", List.copyOf(pathEntities));
        List<String> guidance = new ArrayList<>(chosen.stream().map(GraphPath::toString).toList());
        for (ChainFacts.Differential d : differential) {
            if (d.path() != null) {
                guidance.add(d.path().toString());
            }
        }
        Sample out = reasoned(s, chain, gold, guidance, steps);
        if (judge != null) {
            String no = judge.reject(out, chain.completion());
            if (no != null) {
                return Decision.reject(s, Rejection.JUDGE, no, steps);
            }
        }
        return Decision.keep(out, steps);
    }

    private static String describe(ChainFacts.Differential d) {
        return d.letter() + ". " + d.option() + ": " + (d.entity() == null ? "not in the graph"
                : "direct support " + d.support().stream().map(Entity::name).toList()
                + (d.against().isEmpty() ? "" : ", lacks " + d.against().stream().map(Entity::name).toList())
                + (d.missingRequired().isEmpty() ? "" : ", requires unseen "
                        + d.missingRequired().stream().map(Entity::name).toList())
                + (d.notSeen() ? ", not seen" : "")
                + (d.path() == null ? ", no path" : ", nearest " + d.path()));
    }

    /** The one place output samples are made: the input with the chain as its reasoning and the steps in meta. */
    private static Sample reasoned(Sample s, Chain chain, List<String> entities, List<String> guidance,
                                   Map<String, Object> info) {
        Map<String, Object> meta = new LinkedHashMap<>(s.meta());
        meta.put("guidance", guidance);
        meta.put(META_KEY, info);
        return new Sample(s.id(), s.images(), s.question(), s.options(), s.answer(), s.answerText(),
                new Sample.Reasoning(chain.observe(), chain.think()), s.caption(), entities, s.task(), s.subset(),
                meta);
    }

    /** The texts findings are read from: the observe part of the reasoning, the caption, meta.findings. */
    private static List<String> findingTexts(Sample s) {
        List<String> out = new ArrayList<>();
        if (s.reasoning() != null && s.reasoning().observe() != null) {
            out.add(s.reasoning().observe());
        }
        if (s.caption() != null) {
            out.add(s.caption());
        }
        Object f = s.meta().get("findings");
        if (f instanceof String str) {
            out.add(str);
        } else if (f instanceof Collection<?> c) {
            for (Object o : c) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    private static String answerText(Sample s) {
        if (Task.MCQ.equals(s.task())) {
            int i = Sample.letterIndex(s.answer());
            return i >= 0 && i < s.options().size() ? s.options().get(i) : s.answerText();
        }
        return s.answer() == null ? "" : s.answer();
    }

    private Set<String> answerEntities(Sample s) {
        String text = answerText(s);
        Set<String> ids = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            return ids;
        }
        Optional<Entity> whole = graph.resolve(text.strip().replaceAll("[.!]+$", ""));
        if (whole.isPresent()) {
            ids.add(whole.get().id());
        } else {
            ids.addAll(matcher.entityIds(text));
        }
        return ids;
    }

    private Optional<Entity> entityOf(String text) {
        Optional<Entity> whole = graph.resolve(text.strip());
        if (whole.isPresent()) {
            return whole;
        }
        Set<String> ids = matcher.entityIds(text);
        return ids.isEmpty() ? Optional.empty() : graph.entity(ids.iterator().next());
    }

    /** Of several answer entities, the one most findings point to directly, then the nearest. */
    private String strongest(Set<String> candidates, Set<String> sources) {
        String best = null;
        int bestSupport = -1;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int sup = support(c, sources).size();
            List<GraphPath> p = sources.isEmpty() ? List.of() : positivePaths(sources, c);
            int dist = p.isEmpty() ? Integer.MAX_VALUE : p.get(0).length();
            if (sup > bestSupport || (sup == bestSupport && dist < bestDistance)) {
                best = c;
                bestSupport = sup;
                bestDistance = dist;
            }
        }
        return best;
    }

    /** Shortest paths without negative relations (a chain does not reach its answer through "lacks"), shortest first. */
    private List<GraphPath> positivePaths(Collection<String> sources, String target) {
        List<GraphPath> out = new ArrayList<>();
        for (GraphPath p : finder.paths(sources, List.of(target), search)) {
            if (p.steps().stream().noneMatch(st -> RelationPhrases.negative(st.relation()))) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparingInt(GraphPath::length));
        return out;
    }

    /**
     * The shortest paths (of the least length over all finding-answer pairs), fewest steps walked against their
     * relation first; each finding's best path before any finding's second; at most {@code maxPaths}.
     */
    private List<GraphPath> rank(List<GraphPath> paths, List<String> sourceOrder) {
        int shortest = paths.stream().mapToInt(GraphPath::length).min().orElse(0);
        List<GraphPath> sorted = new ArrayList<>(paths.stream().filter(p -> p.length() == shortest).toList());
        sorted.sort(Comparator.comparingInt(GraphPath::length)
                .thenComparingLong(p -> p.steps().stream().filter(st -> !st.forward()).count())
                .thenComparingInt(p -> sourceOrder.indexOf(p.source().id())));
        // a graph that lists each edge both ways (PrimeKG) gives every fact twice: keep one
        Set<String> facts = new LinkedHashSet<>();
        List<GraphPath> distinct = new ArrayList<>();
        for (GraphPath p : sorted) {
            if (facts.add(factKey(p))) {
                distinct.add(p);
            }
        }
        List<GraphPath> chosen = new ArrayList<>();
        Set<String> covered = new LinkedHashSet<>();
        for (GraphPath p : distinct) {
            if (chosen.size() < options.maxPaths() && covered.add(p.source().id())) {
                chosen.add(p);
            }
        }
        for (GraphPath p : distinct) {
            if (chosen.size() < options.maxPaths() && !chosen.contains(p)) {
                chosen.add(p);
            }
        }
        return chosen;
    }

    /** The entities visited and the relation types between them, whichever way each relation was stated. */
    private static String factKey(GraphPath p) {
        StringBuilder b = new StringBuilder(p.source().id());
        for (int i = 0; i < p.steps().size(); i++) {
            b.append('|').append(p.steps().get(i).type()).append('|').append(p.entities().get(i + 1).id());
        }
        return b.toString();
    }

    /** Findings joined to an entity by one positive relation, either way. */
    private List<Entity> support(String id, Set<String> sources) {
        List<Entity> out = new ArrayList<>();
        for (String f : sources) {
            if (linked(id, f, false)) {
                out.add(graph.entity(f).orElseThrow());
            }
        }
        return out;
    }

    private boolean linked(String a, String b, boolean negative) {
        for (Relation r : graph.outgoing(a)) {
            if (r.tail().equals(b) && RelationPhrases.negative(r) == negative) {
                return true;
            }
        }
        for (Relation r : graph.incoming(a)) {
            if (r.head().equals(b) && RelationPhrases.negative(r) == negative) {
                return true;
            }
        }
        return false;
    }

    private ChainFacts.Differential differential(String letter, String option, Entity e, Set<String> sources,
                                                 Set<String> seen, boolean answerSeen) {
        if (e == null) {
            return new ChainFacts.Differential(letter, option, null, List.of(), List.of(), List.of(), false, null);
        }
        List<Entity> against = new ArrayList<>();
        for (String f : sources) {
            if (linked(e.id(), f, true)) {
                against.add(graph.entity(f).orElseThrow());
            }
        }
        List<Entity> missing = new ArrayList<>();
        for (Relation r : graph.outgoing(e.id(), Relation.HAS_FINDING)) {
            if (r.required() && !seen.contains(r.tail())) {
                missing.add(graph.entity(r.tail()).orElseThrow());
            }
        }
        boolean notSeen = answerSeen && !seen.contains(e.id());
        List<GraphPath> p = positivePaths(sources, e.id());
        return new ChainFacts.Differential(letter, option, e, support(e.id(), sources), against, missing, notSeen,
                p.isEmpty() ? null : p.get(0));
    }

    /** Null when the chain's answer is the gold one, else what is wrong. */
    private String answerProblem(Sample s, Chain chain, Entity target) {
        String a = chain.answer().strip();
        switch (s.task()) {
            case MCQ -> {
                int gold = Sample.letterIndex(s.answer());
                String letter = a.isEmpty() ? "" : a.substring(0, 1).toUpperCase(Locale.ROOT);
                boolean byLetter = a.length() == 1 || (a.length() > 1 && !Character.isLetter(a.charAt(1)));
                boolean ok = byLetter ? letter.equals(Sample.letter(gold))
                        : norm(a).equals(norm(s.options().get(gold)));
                return ok ? null : "the chain answers '" + a + "', the gold answer is " + Sample.letter(gold) + ". "
                        + s.options().get(gold);
            }
            case YESNO -> {
                String g = norm(s.answer());
                return norm(a).startsWith(g) ? null : "the chain answers '" + a + "', the gold answer is " + g;
            }
            default -> {
                boolean ok = norm(a).equals(norm(s.answer())) || matcher.entityIds(a).contains(target.id());
                return ok ? null : "the chain answers '" + a + "', the gold answer is '" + s.answer() + "'";
            }
        }
    }

    /** Whether the reasoning's last two sentences name the answer. */
    private boolean endsAtAnswer(Sample s, Chain chain, Entity target) {
        String end = tail(chain.think());
        String lower = end.toLowerCase(Locale.ROOT);
        return switch (s.task()) {
            case YESNO -> lower.contains(norm(s.answer()));
            case MCQ -> matcher.entityIds(end).contains(target.id())
                    || lower.contains(norm(s.options().get(Sample.letterIndex(s.answer()))));
            default -> matcher.entityIds(end).contains(target.id()) || lower.contains(norm(s.answer()));
        };
    }

    /** The last two sentences. */
    private static String tail(String text) {
        String[] sentences = text.strip().split("(?<=[.!?])\\s+(?=[A-Z])");
        int from = Math.max(0, sentences.length - 2);
        return String.join(" ", java.util.Arrays.copyOfRange(sentences, from, sentences.length));
    }

    private static String norm(String s) {
        return s == null ? "" : s.strip().toLowerCase(Locale.ROOT).replaceAll("[.!\\s]+$", "").replaceAll("\\s+", " ");
    }

    private List<String> names(Collection<String> ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            out.add(graph.nameOf(id));
        }
        return out;
    }
}
