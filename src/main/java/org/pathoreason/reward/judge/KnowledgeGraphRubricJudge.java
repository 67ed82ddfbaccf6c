package org.pathoreason.reward.judge;

import org.pathoreason.data.Task;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Mention;
import org.pathoreason.knowledge.Relation;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;
import org.pathoreason.text.ReasoningTags;
import org.pathoreason.text.extract.AnswerExtractor;
import org.pathoreason.text.extract.Extraction;
import org.pathoreason.text.extract.ExtractionMode;

/**
 * Scores PathVLM-R1's process rubric offline, from a knowledge graph instead of an LLM, so RL with a process
 * reward runs without any service. It reads the reasoning ({@code <observe>} and {@code <think>}, else the whole
 * completion) clause by clause (split at {@code . ; ! ?}, line breaks and contrastive words such as "but",
 * "whereas", "rather than"), finds graph entities in each clause with the graph's {@link EntityMatcher}, and treats a
 * clause as negated when it has a negation or ruling-out cue ("no", "not", "absent", "lacks", "rules out",
 * "unlikely", ...) or follows "rather than", "instead of", "unlike" or "versus".
 *
 * <p>Integrity (0.4 off per missing element):
 * <ul>
 *   <li>{@code image_features}: at least one finding-type entity (types {@code finding}, {@code cell_type},
 *       {@code tissue}, {@code stain}, {@code marker} by default) is named;
 *   <li>{@code option_elimination} (multiple choice only): every option other than the chosen one is named (by
 *       its text, its graph entity or as "option X"/"(X)") in a negated clause;
 *   <li>{@code medical_knowledge}: some clause names two entities that a relation of the graph links (either way),
 *       i.e. the reasoning refers to a piece of the graph's knowledge.
 * </ul>
 * Knowledge (0.4 off per error):
 * <ul>
 *   <li>{@code histology_definition_breach}: a non-negated clause links a finding to a diagnosis with a linking
 *       word ("suggests", "indicates", "consistent with", "characteristic of", ...) while the graph relates no finding
 *       of that clause to that diagnosis (directly, or through one {@code is_a} step of the diagnosis);
 *   <li>{@code logical_contradiction}: the reasoning's conclusion (the last diagnosis named in a non-negated clause)
 *       is not the diagnosis the answer gives, or the answer's diagnosis was ruled out and never asserted;
 *   <li>{@code outdated_or_wrong_standard}: the reasoning states (as above, for any two entities) a relation that
 *       the graph marks {@code deprecated=true} or {@code outdated=true}; never fires on a graph without such marks.
 * </ul>
 * These are lexical heuristics: they reward reasoning that names what the graph knows and penalise claims that
 * contradict it, not the full judgement of a pathologist. The verdict's note lists what was found missing or wrong.
 */
public final class KnowledgeGraphRubricJudge implements ProcessJudge {

    /** Default entity types that count as image features. */
    public static final Set<String> FEATURE_TYPES = Set.of(Entity.FINDING, Entity.CELL_TYPE, Entity.TISSUE,
            Entity.STAIN, Entity.MARKER);
    /** Default entity types that count as diagnoses. */
    public static final Set<String> DIAGNOSIS_TYPES = Set.of(Entity.DIAGNOSIS, "disease");

    private static final Pattern CLAUSE_SPLIT = Pattern.compile(
            "[.;!?\\n]+|\\b(?:but|whereas|while|although|however|(rather than|instead of|unlike|versus|vs))\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NEGATION = Pattern.compile(
            "\\b(?:no|not|none|never|neither|nor|without|absent|absence|lack|lacks|lacking|negative|"
                    + "rules? out|ruled out|exclude[sd]?|excluding|unlikely|less likely|against|"
                    + "isn't|aren't|doesn't|don't|cannot|can't|inconsistent)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LINK = Pattern.compile(
            "\\b(?:suggest\\w*|indicat\\w*|point\\w* to|consistent with|characteristic\\w*|typical\\w*|"
                    + "diagnostic of|support\\w*|favou?r\\w*|hallmark\\w*|feature of|seen in|found in|"
                    + "defin\\w*|pathognomonic|compatible with|implies|means|because of|due to|caused by|"
                    + "confirm\\w*|establish\\w*)\\b",
            Pattern.CASE_INSENSITIVE);

    private final KnowledgeGraph graph;
    private final EntityMatcher matcher;
    private final Set<String> featureTypes;
    private final Set<String> diagnosisTypes;
    private final AnswerExtractor extractor = AnswerExtractor.create(ExtractionMode.LENIENT, false);

    public KnowledgeGraphRubricJudge(KnowledgeGraph graph) {
        this(graph, FEATURE_TYPES, DIAGNOSIS_TYPES);
    }

    public KnowledgeGraphRubricJudge(KnowledgeGraph graph, Set<String> featureTypes, Set<String> diagnosisTypes) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.matcher = EntityMatcher.forGraph(graph);
        this.featureTypes = Set.copyOf(featureTypes);
        this.diagnosisTypes = Set.copyOf(diagnosisTypes);
    }

    /** A clause of the reasoning, its entity ids in text order, and whether it is negated. */
    record Clause(String text, List<String> entities, boolean negated, boolean linking) {
    }

    @Override
    public JudgeScore judge(RewardInput input) {
        try {
            return evaluate(input);
        } catch (RuntimeException e) {
            // A judge never stops training; a bug here shows up as the neutral verdict and a note.
            return JudgeScore.fallback(0.5, 0.5, "rubric judge failed: " + e);
        }
    }

    private JudgeScore evaluate(RewardInput input) {
        Sample sample = input.sample();
        String completion = input.completion();
        List<Clause> clauses = clauses(reasoning(completion));
        Set<IntegrityItem> missing = EnumSet.noneOf(IntegrityItem.class);
        Set<KnowledgeBreach> breaches = EnumSet.noneOf(KnowledgeBreach.class);
        List<String> notes = new ArrayList<>();

        // Integrity: image features.
        boolean features = clauses.stream().flatMap(c -> c.entities().stream()).anyMatch(this::isFeature);
        if (!features) {
            missing.add(IntegrityItem.IMAGE_FEATURES);
            notes.add("no image finding named");
        }

        // Integrity: elimination of the other options.
        Optional<Integer> chosen = chosenOption(sample, completion);
        if (Task.MCQ.equals(sample.task()) && !sample.options().isEmpty()) {
            List<String> notRuledOut = new ArrayList<>();
            for (int i = 0; i < sample.options().size(); i++) {
                if (chosen.isPresent() && chosen.get() == i) {
                    continue;
                }
                if (!ruledOut(i, sample.options().get(i), clauses)) {
                    notRuledOut.add(Sample.letter(i));
                }
            }
            if (!notRuledOut.isEmpty()) {
                missing.add(IntegrityItem.OPTION_ELIMINATION);
                notes.add("options not ruled out: " + String.join(", ", notRuledOut));
            }
        }

        // Integrity: reference to knowledge; Knowledge: wrong and outdated statements.
        boolean knowledgeUsed = false;
        List<String> wrongLinks = new ArrayList<>();
        List<String> outdated = new ArrayList<>();
        for (Clause c : clauses) {
            List<String> ids = new ArrayList<>(new LinkedHashSet<>(c.entities()));
            for (int i = 0; i < ids.size(); i++) {
                for (int j = i + 1; j < ids.size(); j++) {
                    List<Relation> rel = relationsBetween(ids.get(i), ids.get(j));
                    if (!rel.isEmpty()) {
                        knowledgeUsed = true;
                        if (!c.negated() && rel.stream().allMatch(KnowledgeGraphRubricJudge::isOutdated)) {
                            outdated.add(graph.nameOf(ids.get(i)) + " / " + graph.nameOf(ids.get(j)));
                        }
                    }
                }
            }
            if (c.negated() || !c.linking()) {
                continue;
            }
            List<String> clauseFeatures = ids.stream().filter(this::isFeature).toList();
            for (String d : ids) {
                if (!isDiagnosis(d) || clauseFeatures.isEmpty()) {
                    continue;
                }
                boolean supported = clauseFeatures.stream().anyMatch(f -> related(f, d));
                if (!supported) {
                    wrongLinks.add(String.join(", ", clauseFeatures.stream().map(graph::nameOf).toList()) + " -> "
                            + graph.nameOf(d));
                }
            }
        }
        if (!knowledgeUsed) {
            missing.add(IntegrityItem.MEDICAL_KNOWLEDGE);
            notes.add("no relation of the knowledge graph stated");
        }
        if (!wrongLinks.isEmpty()) {
            breaches.add(KnowledgeBreach.HISTOLOGY_DEFINITION);
            notes.add("links the graph does not support: " + String.join("; ", wrongLinks));
        }
        if (!outdated.isEmpty()) {
            breaches.add(KnowledgeBreach.OUTDATED_STANDARD);
            notes.add("relations marked outdated: " + String.join("; ", outdated));
        }

        // Knowledge: the conclusion of the reasoning against the answer.
        Optional<String> answerDiagnosis = answerDiagnosis(sample, completion, chosen);
        if (answerDiagnosis.isPresent()) {
            String ans = answerDiagnosis.get();
            String conclusion = null;
            boolean asserted = false;
            boolean ruledOut = false;
            for (Clause c : clauses) {
                for (String id : c.entities()) {
                    if (!isDiagnosis(id)) {
                        continue;
                    }
                    if (c.negated()) {
                        ruledOut |= id.equals(ans);
                    } else {
                        conclusion = id;
                        asserted |= id.equals(ans);
                    }
                }
            }
            if (conclusion != null && !conclusion.equals(ans)) {
                breaches.add(KnowledgeBreach.LOGICAL_CONTRADICTION);
                notes.add("reasoning concludes " + graph.nameOf(conclusion) + " but answers " + graph.nameOf(ans));
            } else if (ruledOut && !asserted) {
                breaches.add(KnowledgeBreach.LOGICAL_CONTRADICTION);
                notes.add("the answer " + graph.nameOf(ans) + " was ruled out in the reasoning");
            }
        }
        return JudgeScore.of(missing, breaches, String.join("; ", notes));
    }

    /** The reasoning text: observe and think, else the completion without its answer block. */
    private static String reasoning(String completion) {
        ReasoningTags.Parsed p = ReasoningTags.parse(completion);
        List<String> parts = new ArrayList<>();
        if (p.observe() != null) {
            parts.add(p.observe());
        }
        if (p.think() != null) {
            parts.add(p.think());
        }
        if (!parts.isEmpty()) {
            return String.join("\n", parts);
        }
        return completion.replaceAll("(?is)<answer>.*?(</answer>|$)", " ");
    }

    /** Clauses in order; one that follows "rather than", "instead of", "unlike" or "versus" counts as negated. */
    List<Clause> clauses(String text) {
        List<Clause> out = new ArrayList<>();
        var m = CLAUSE_SPLIT.matcher(text);
        int start = 0;
        boolean contrasted = false;
        while (true) {
            boolean found = m.find();
            String piece = text.substring(start, found ? m.start() : text.length()).strip();
            if (!piece.isEmpty()) {
                List<String> ids = new ArrayList<>();
                for (Mention mention : matcher.find(piece)) {
                    ids.add(mention.entityId());
                }
                out.add(new Clause(piece, ids, contrasted || NEGATION.matcher(piece).find(),
                        LINK.matcher(piece).find()));
            }
            if (!found) {
                return out;
            }
            contrasted = m.group(1) != null;
            start = m.end();
        }
    }

    private boolean ruledOut(int index, String optionText, List<Clause> clauses) {
        String letter = Sample.letter(index);
        Pattern byLetter = Pattern.compile("(?:\\b(?:option|choice|answer)\\s*\\(?" + letter + "\\)?(?![\\w])|\\("
                + letter + "\\))", Pattern.CASE_INSENSITIVE);
        Optional<Entity> entity = graph.byName(optionText.strip());
        String lowerOption = optionText.strip().toLowerCase(Locale.ROOT);
        for (Clause c : clauses) {
            if (!c.negated()) {
                continue;
            }
            boolean named = entity.map(e -> c.entities().contains(e.id())).orElse(false)
                    || (!lowerOption.isEmpty() && c.text().toLowerCase(Locale.ROOT).contains(lowerOption))
                    || byLetter.matcher(c.text()).find();
            if (named) {
                return true;
            }
        }
        return false;
    }

    private Optional<Integer> chosenOption(Sample sample, String completion) {
        if (!Task.MCQ.equals(sample.task()) || sample.options().isEmpty()) {
            return Optional.empty();
        }
        Extraction e = extractor.choice(completion, sample.options());
        if (e.isMiss()) {
            return Optional.empty();
        }
        int i = Sample.letterIndex(e.value());
        return i >= 0 && i < sample.options().size() ? Optional.of(i) : Optional.empty();
    }

    /** The diagnosis entity the answer gives: the chosen option's, or the first diagnosis in a free answer. */
    private Optional<String> answerDiagnosis(Sample sample, String completion, Optional<Integer> chosen) {
        String text;
        if (Task.MCQ.equals(sample.task())) {
            if (chosen.isEmpty()) {
                return Optional.empty();
            }
            text = sample.options().get(chosen.get());
        } else if (Task.OPEN.equals(sample.task()) || Task.CAPTION.equals(sample.task())) {
            text = extractor.text(completion).value();
            if (text == null) {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        Optional<Entity> exact = graph.byName(text.strip());
        if (exact.isPresent() && isDiagnosis(exact.get().id())) {
            return Optional.of(exact.get().id());
        }
        for (Mention m : matcher.find(text)) {
            if (isDiagnosis(m.entityId())) {
                return Optional.of(m.entityId());
            }
        }
        return Optional.empty();
    }

    private boolean isFeature(String id) {
        return graph.entity(id).map(e -> featureTypes.contains(e.type())).orElse(false);
    }

    private boolean isDiagnosis(String id) {
        return graph.entity(id).map(e -> diagnosisTypes.contains(e.type())).orElse(false);
    }

    private List<Relation> relationsBetween(String a, String b) {
        List<Relation> out = new ArrayList<>();
        for (Relation r : graph.outgoing(a)) {
            if (r.tail().equals(b)) {
                out.add(r);
            }
        }
        for (Relation r : graph.outgoing(b)) {
            if (r.tail().equals(a)) {
                out.add(r);
            }
        }
        return out;
    }

    /** A feature is related to a diagnosis directly, or to the diagnosis's parent or child by one is_a step. */
    private boolean related(String feature, String diagnosis) {
        if (!relationsBetween(feature, diagnosis).isEmpty()) {
            return true;
        }
        for (Relation r : graph.outgoing(diagnosis, Relation.IS_A)) {
            if (!relationsBetween(feature, r.tail()).isEmpty()) {
                return true;
            }
        }
        for (Relation r : graph.incoming(diagnosis, Relation.IS_A)) {
            if (!relationsBetween(feature, r.head()).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOutdated(Relation r) {
        return r.flag("deprecated") || r.flag("outdated");
    }
}
