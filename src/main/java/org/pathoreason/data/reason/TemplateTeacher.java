package org.pathoreason.data.reason;

import org.pathoreason.data.Task;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.GraphPath;

/**
 * Writes chains offline from the graph's facts: the findings to explain, one sentence per chosen path (each relation
 * in its own words), what the findings add up to, why each wrong option fits less, and the answer.
 */
public final class TemplateTeacher implements ReasoningTeacher {

    @Override
    public Chain write(ChainFacts f) {
        Sample s = f.sample();
        List<String> findings = names(f.findings());
        List<String> shown = new ArrayList<>(findings);
        if (f.targetSeen() && !shown.contains(f.target().name())) {
            shown.add(f.target().name());
        }
        String observe = s.reasoning() != null && s.reasoning().observe() != null && !s.reasoning().observe().isBlank()
                ? s.reasoning().observe().strip()
                : "The image shows " + RelationPhrases.list(shown) + ".";
        StringBuilder think = new StringBuilder();
        boolean yesNo = Task.YESNO.equals(s.task());
        String target = f.target().name();
        if (yesNo) {
            think.append("The question asks about ").append(target).append(". The findings seen are ")
                    .append(RelationPhrases.list(findings)).append('.');
        } else if (!findings.isEmpty()) {
            think.append("The findings to explain are ").append(RelationPhrases.list(findings)).append('.');
        } else {
            think.append("The image shows ").append(RelationPhrases.list(shown)).append('.');
        }
        Set<String> said = new LinkedHashSet<>();
        for (GraphPath p : f.paths()) {
            String sentence = RelationPhrases.sentence(p);
            if (said.add(sentence)) {
                think.append(' ').append(sentence);
            }
        }
        if (!yesNo && !f.support().isEmpty()) {
            think.append(' ').append(RelationPhrases.capitalise(RelationPhrases.list(names(f.support()))))
                    .append(f.support().size() == 1 ? " points" : " point").append(" directly to ").append(target)
                    .append('.');
        }
        for (ChainFacts.Differential d : f.differential()) {
            think.append(' ').append(d.letter()).append(". ").append(d.option()).append(' ')
                    .append(RelationPhrases.agree("is", d.option())).append(" less likely: ");
            if (!d.against().isEmpty()) {
                think.append("it lacks ").append(RelationPhrases.list(names(d.against())));
            } else if (!d.missingRequired().isEmpty()) {
                think.append(d.missingRequired().size() == 1 ? "its required finding, " : "its required findings, ")
                        .append(RelationPhrases.list(names(d.missingRequired())))
                        .append(d.missingRequired().size() == 1 ? ", is not seen" : ", are not seen");
            } else if (d.notSeen()) {
                think.append("it is not seen in this image");
            } else if (d.support().isEmpty()) {
                think.append("none of these findings is a feature of it");
            } else {
                think.append("of these findings only ").append(RelationPhrases.list(names(d.support())))
                        .append(d.support().size() == 1 ? " fits" : " fit").append(" it, while ").append(target)
                        .append(" accounts for ").append(RelationPhrases.list(names(f.support())));
            }
            think.append('.');
        }
        String answer;
        switch (s.task()) {
            case MCQ -> {
                int i = Sample.letterIndex(s.answer());
                answer = Sample.letter(i);
                think.append(" Therefore the answer is ").append(answer).append(". ").append(s.options().get(i))
                        .append('.');
            }
            case YESNO -> {
                answer = s.answer().strip().toLowerCase(Locale.ROOT);
                boolean seen = f.findings().contains(f.target());
                think.append(' ').append(RelationPhrases.capitalise(target)).append(' ')
                        .append(RelationPhrases.agree("is", target))
                        .append(seen ? " among the findings seen" : " not among the findings seen")
                        .append(". Therefore the answer is ").append(answer).append('.');
            }
            default -> {
                answer = s.answer().strip();
                think.append(" The most likely answer is therefore ").append(target).append('.');
            }
        }
        return new Chain(observe, think.toString(), answer);
    }

    private static List<String> names(List<Entity> entities) {
        List<String> out = new ArrayList<>();
        for (Entity e : entities) {
            out.add(e.name());
        }
        return out;
    }

    @Override
    public String describe() {
        return "template";
    }
}
