package org.pathoreason.data.synth;

import org.pathoreason.data.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.pathoreason.data.Sample;

/**
 * Turns a {@link SynthCase} into a canonical {@link Sample}: the question, options, gold answer, gold entities and
 * a reasoning target whose {@code observe} lists what the image shows and whose {@code think} walks the graph from
 * those findings to the answer, ruling out every other option with the graph's reason.
 */
final class QuestionWriter {

    /** Key under which the world's facts about a sample are kept in {@link Sample#meta()}. */
    static final String META_KEY = "synth";

    private static final String[] DIAGNOSIS_QUESTIONS = {
        "What is the most likely diagnosis?",
        "Based on the histological features in this H&E image, which diagnosis is most likely?",
        "Which of the following diagnoses best explains the findings in this image?",
        "What is the most likely diagnosis for the tissue shown?",
    };

    private static final String[] DESCRIBE_QUESTIONS = {
        "Describe the histological findings in this image and give the most likely diagnosis.",
        "What do you see in this H&E section, and what is the diagnosis?",
        "Describe this histology image and state the most likely diagnosis.",
    };

    private final SynthWorld world;

    QuestionWriter(SynthWorld world) {
        this.world = world;
    }

    /**
     * Writes one sample.
     *
     * @param answerIndex where the right option goes (0..3), for multiple choice
     * @param yes whether the yes/no question's answer is yes
     */
    Sample write(String id, String image, SynthCase c, QuestionKind kind, int answerIndex, boolean yes,
            SplittableRandom rnd, Map<String, Object> extraMeta) {
        Set<String> visible = new LinkedHashSet<>(c.findings());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("diagnosis", c.diagnosis());
        facts.put("findings", c.findings());
        facts.put("image_seed", c.imageSeed());
        facts.put("unseen_combination", c.unseenCombination());
        facts.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        facts.putAll(extraMeta);
        List<String> entities = new ArrayList<>();
        for (String f : c.findings()) {
            entities.add(world.name(f));
        }
        entities.add(world.name(c.diagnosis()));
        String observe = observe(c, rnd);
        return switch (kind) {
            case DIAGNOSIS_MCQ -> diagnosisMcq(id, image, c, visible, answerIndex, rnd, observe, entities, facts);
            case FEATURE_MCQ -> featureMcq(id, image, c, visible, answerIndex, rnd, observe, entities, facts);
            case FINDING_YESNO -> findingYesNo(id, image, c, visible, yes, rnd, observe, entities, facts);
            case DESCRIBE_OPEN -> describe(id, image, c, visible, rnd, observe, entities, facts);
            case CAPTION -> caption(id, image, c, rnd, entities, facts);
        };
    }

    private Sample diagnosisMcq(String id, String image, SynthCase c, Set<String> visible, int answerIndex,
            SplittableRandom rnd, String observe, List<String> entities, Map<String, Object> facts) {
        List<String> distractors = diagnosisDistractors(c.diagnosis(), visible, rnd);
        List<String> optionIds = placeAnswer(c.diagnosis(), distractors, answerIndex);
        List<String> options = optionIds.stream().map(o -> SynthWorld.capitalise(world.name(o))).toList();
        StringBuilder think = new StringBuilder(explainDiagnosis(c.diagnosis(), visible));
        for (int i = 0; i < optionIds.size(); i++) {
            if (i == answerIndex) {
                continue;
            }
            think.append(' ').append(Sample.letter(i)).append(". ").append(options.get(i))
                    .append(" is less likely: ").append(world.whyNot(optionIds.get(i), visible)).append('.');
        }
        String letter = Sample.letter(answerIndex);
        think.append(" Therefore the answer is ").append(letter).append(". ").append(options.get(answerIndex))
                .append('.');
        facts.put("option_ids", optionIds);
        return new Sample(id, List.of(image), pick(DIAGNOSIS_QUESTIONS, rnd), options, letter,
                options.get(answerIndex), new Sample.Reasoning(observe, think.toString()), null, entities,
                Task.MCQ, QuestionKind.DIAGNOSIS_MCQ.subset(), Map.of(META_KEY, facts));
    }

    private Sample featureMcq(String id, String image, SynthCase c, Set<String> visible, int answerIndex,
            SplittableRandom rnd, String observe, List<String> entities, Map<String, Object> facts) {
        String d = c.diagnosis();
        List<String> specific = new ArrayList<>();
        for (String f : world.required(d)) {
            if (world.suggests(f).contains(d)) {
                specific.add(f);
            }
        }
        String answer = SynthWorld.pick(specific.isEmpty() ? world.required(d) : specific, rnd);
        List<String> distractors = featureDistractors(d, rnd);
        List<String> optionIds = placeAnswer(answer, distractors, answerIndex);
        List<String> options = optionIds.stream().map(o -> SynthWorld.capitalise(world.name(o))).toList();
        String dName = world.name(d);
        StringBuilder think = new StringBuilder();
        think.append("The question asks which feature indicates ").append(dName)
                .append(". Of the options, the only finding seen in this image is ").append(world.name(answer))
                .append("; in the knowledge graph it is a required finding of ").append(dName);
        if (world.suggests(answer).contains(d)) {
            think.append(" that suggests ").append(dName);
        }
        think.append('.');
        for (int i = 0; i < optionIds.size(); i++) {
            if (i == answerIndex) {
                continue;
            }
            String f = optionIds.get(i);
            think.append(' ').append(Sample.letter(i)).append(". ").append(options.get(i))
                    .append(": not seen here and not a finding of ").append(dName);
            String owner = ownerOf(f);
            if (owner != null) {
                think.append(" (it points to ").append(world.name(owner)).append(')');
            }
            think.append('.');
        }
        String letter = Sample.letter(answerIndex);
        think.append(" Therefore the answer is ").append(letter).append(". ").append(options.get(answerIndex))
                .append('.');
        facts.put("target_diagnosis", d);
        facts.put("option_ids", optionIds);
        String question = "Which of the following features in this image indicates " + dName + "?";
        return new Sample(id, List.of(image), question, options, letter, options.get(answerIndex),
                new Sample.Reasoning(observe, think.toString()), null, entities, Task.MCQ,
                QuestionKind.FEATURE_MCQ.subset(), Map.of(META_KEY, facts));
    }

    private Sample findingYesNo(String id, String image, SynthCase c, Set<String> visible, boolean yes,
            SplittableRandom rnd, String observe, List<String> entities, Map<String, Object> facts) {
        String asked;
        if (yes) {
            asked = SynthWorld.pick(c.findings(), rnd);
        } else {
            // Ask about something a differential would show, so "no" needs looking rather than guessing.
            List<String> near = new ArrayList<>();
            for (String other : world.differentials(c.diagnosis())) {
                for (String f : world.allowed(other)) {
                    if (!visible.contains(f) && !near.contains(f)) {
                        near.add(f);
                    }
                }
            }
            if (near.isEmpty()) {
                for (String f : world.findings()) {
                    if (!visible.contains(f)) {
                        near.add(f);
                    }
                }
            }
            asked = SynthWorld.pick(near, rnd);
        }
        String name = world.name(asked);
        String answer = yes ? "Yes" : "No";
        StringBuilder think = new StringBuilder();
        think.append("The question asks whether the image shows ").append(name).append(". ");
        if (yes) {
            think.append("It does: the image shows ")
                    .append(Finding.byId(asked).map(Finding::description).orElse(name))
                    .append(". In the knowledge graph, ").append(joinNames(diagnosesWith(asked), 3))
                    .append(diagnosesWith(asked).size() == 1 ? " has " : " have ").append("this finding.");
        } else {
            think.append("Among the visible findings (").append(joinNames(c.findings(), 99)).append(") there is no ")
                    .append(name).append('.');
            String owner = ownerOf(asked);
            if (owner != null) {
                think.append(' ').append(SynthWorld.capitalise(name)).append(" would point to ")
                        .append(world.name(owner)).append(", which is not the picture here.");
            }
        }
        think.append(" So the answer is ").append(answer.toLowerCase(java.util.Locale.ROOT)).append('.');
        facts.put("asked_finding", asked);
        String question = "Does this image show " + name + "?";
        return new Sample(id, List.of(image), question, List.of(), answer, answer,
                new Sample.Reasoning(observe, think.toString()), null, entities, Task.YESNO,
                QuestionKind.FINDING_YESNO.subset(), Map.of(META_KEY, facts));
    }

    private Sample describe(String id, String image, SynthCase c, Set<String> visible, SplittableRandom rnd,
            String observe, List<String> entities, Map<String, Object> facts) {
        StringBuilder think = new StringBuilder(explainDiagnosis(c.diagnosis(), visible));
        List<String> others = new ArrayList<>(world.differentials(c.diagnosis()));
        for (String o : others.subList(0, Math.min(3, others.size()))) {
            think.append(' ').append(SynthWorld.capitalise(world.name(o))).append(" is less likely: ")
                    .append(world.whyNot(o, visible)).append('.');
        }
        String dName = world.name(c.diagnosis());
        think.append(" The most likely diagnosis is ").append(dName).append('.');
        String answer = SynthWorld.capitalise(joinNames(c.findings(), 99)) + ". Diagnosis: " + dName + ".";
        return new Sample(id, List.of(image), pick(DESCRIBE_QUESTIONS, rnd), List.of(), answer, answer,
                new Sample.Reasoning(observe, think.toString()), null, entities, Task.OPEN,
                QuestionKind.DESCRIBE_OPEN.subset(), Map.of(META_KEY, facts));
    }

    private Sample caption(String id, String image, SynthCase c, SplittableRandom rnd, List<String> entities,
            Map<String, Object> facts) {
        List<String> parts = new ArrayList<>();
        for (String f : c.findings()) {
            parts.add(rnd.nextBoolean() ? world.name(f) : Finding.byId(f).map(Finding::description).orElseThrow());
        }
        String list = join(parts);
        String d = world.name(c.diagnosis());
        String caption = switch (rnd.nextInt(4)) {
            case 0 -> "H&E-stained section showing " + list + ", consistent with " + d + ".";
            case 1 -> SynthWorld.capitalise(d) + ": " + list + " (H&E).";
            case 2 -> "Histology of " + d + " with " + list + ".";
            default -> "Photomicrograph (H&E) of " + d + " showing " + list + ".";
        };
        return new Sample(id, List.of(image), "", List.of(), null, null, null, caption, entities, Task.CAPTION,
                QuestionKind.CAPTION.subset(), Map.of(META_KEY, facts));
    }

    // ------------------------------------------------------------------ reasoning pieces

    /** "The image shows ..." with the visual description of each finding. */
    String observe(SynthCase c, SplittableRandom rnd) {
        List<String> parts = new ArrayList<>();
        for (String f : c.findings()) {
            parts.add(Finding.byId(f).map(Finding::description).orElse(world.name(f)));
        }
        String opening = rnd.nextBoolean() ? "The H&E section shows " : "In this H&E image there are ";
        return opening + join(parts) + ".";
    }

    /** How the visible findings lead to the diagnosis through has_finding, suggests and is_a. */
    String explainDiagnosis(String d, Set<String> visible) {
        String dName = world.name(d);
        List<String> req = world.required(d);
        List<String> opt = new ArrayList<>();
        for (String f : visible) {
            if (!req.contains(f)) {
                opt.add(f);
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("The findings to explain are ").append(joinNames(new ArrayList<>(visible), 99)).append(". ");
        s.append("In the knowledge graph, ").append(dName).append(" requires ").append(joinNames(req, 99));
        List<String> pointing = new ArrayList<>();
        for (String f : req) {
            if (world.suggests(f).contains(d)) {
                pointing.add(f);
            }
        }
        if (req.size() == 1) {
            s.append("; this finding is present").append(pointing.isEmpty() ? "" : " and suggests " + dName);
        } else {
            s.append(", all of them present");
            if (!pointing.isEmpty()) {
                s.append("; the graph links ").append(joinNames(pointing, 99)).append(" to ").append(dName)
                        .append(" by 'suggests'");
            }
        }
        s.append('.');
        if (!opt.isEmpty()) {
            s.append(" Also seen, as optional findings of ").append(dName).append(": ").append(joinNames(opt, 99))
                    .append('.');
        }
        List<String> cats = world.categories(d);
        s.append(" So ").append(dName);
        if (!cats.isEmpty()) {
            s.append(", a form of ").append(world.name(cats.get(0))).append(',');
        }
        s.append(" explains every visible finding.");
        return s.toString();
    }

    // ------------------------------------------------------------------ option choice

    /** Three wrong diagnoses: differentials first, then diagnoses sharing a finding, then any. */
    List<String> diagnosisDistractors(String d, Set<String> visible, SplittableRandom rnd) {
        List<String> pool = new ArrayList<>();
        addShuffled(pool, world.differentials(d), rnd);
        List<String> sharing = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        Set<String> mine = world.allowed(d);
        for (String o : world.diagnoses()) {
            boolean shares = world.allowed(o).stream().anyMatch(mine::contains);
            (shares ? sharing : rest).add(o);
        }
        addShuffled(pool, sharing, rnd);
        addShuffled(pool, rest, rnd);
        List<String> consistent = world.consistentDiagnoses(visible);
        List<String> out = new ArrayList<>();
        for (String o : pool) {
            if (!o.equals(d) && !out.contains(o) && !consistent.contains(o)) {
                out.add(o);
            }
            if (out.size() == 3) {
                break;
            }
        }
        return out;
    }

    /** Three findings that are not features of the diagnosis: required findings of its differentials first. */
    List<String> featureDistractors(String d, SplittableRandom rnd) {
        Set<String> allowed = world.allowed(d);
        List<String> pool = new ArrayList<>();
        List<String> near = new ArrayList<>();
        for (String o : world.differentials(d)) {
            near.addAll(world.required(o));
        }
        addShuffled(pool, near, rnd);
        addShuffled(pool, world.findings(), rnd);
        List<String> out = new ArrayList<>();
        for (String f : pool) {
            if (!allowed.contains(f) && !out.contains(f)) {
                out.add(f);
            }
            if (out.size() == 3) {
                break;
            }
        }
        if (out.size() < 3) {
            throw new IllegalStateException("graph " + world.graph().name() + " has too few findings outside "
                    + d + " for a 4-option feature question");
        }
        return out;
    }

    private static List<String> placeAnswer(String answer, List<String> distractors, int answerIndex) {
        if (distractors.size() != 3) {
            throw new IllegalStateException("need 3 distractors, got " + distractors);
        }
        List<String> options = new ArrayList<>(distractors);
        options.add(answerIndex, answer);
        return options;
    }

    /** The first diagnosis that requires a finding, else the first that has it at all. */
    private String ownerOf(String finding) {
        for (String d : world.diagnoses()) {
            if (world.required(d).contains(finding)) {
                return d;
            }
        }
        for (String d : world.diagnoses()) {
            if (world.optional(d).contains(finding)) {
                return d;
            }
        }
        return null;
    }

    private List<String> diagnosesWith(String finding) {
        List<String> out = new ArrayList<>();
        for (String d : world.diagnoses()) {
            if (world.required(d).contains(finding)) {
                out.add(d);
            }
        }
        for (String d : world.diagnoses()) {
            if (world.optional(d).contains(finding)) {
                out.add(d);
            }
        }
        return out;
    }

    private String joinNames(List<String> ids, int max) {
        List<String> names = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(max, ids.size()))) {
            names.add(world.name(id));
        }
        return join(names);
    }

    static String join(List<String> parts) {
        if (parts.isEmpty()) {
            return "";
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    private static <T> void addShuffled(List<T> target, List<T> items, SplittableRandom rnd) {
        List<T> copy = new ArrayList<>(items);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        target.addAll(copy);
    }

    private static String pick(String[] options, SplittableRandom rnd) {
        return options[rnd.nextInt(options.length)];
    }
}
