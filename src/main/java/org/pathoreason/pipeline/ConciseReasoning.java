package org.pathoreason.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pathoreason.data.Sample;

/**
 * Shortens a chain of thought to the sentences a tiny model can learn in minutes, keeping what the rewards look
 * for: the opening sentence (the findings seen, or what the question asks), the first clause of the second (the
 * evidence, or the graph's relation between the findings and the diagnosis), each ruled-out option's verdict without
 * its explanation ("B. Abscess is less likely.", "A. Fibrin is not seen here.") and the concluding sentence.
 * The world's full reasoning is about 130 tokens; this keeps about half, which keeps SFT, RL rollouts and
 * evaluation within the quick demo's budget.
 *
 * <p>Options are then named by their text, the letter after it or not at all ({@link OptionNaming}): the world
 * writes the letter first ("B. Abscess"), which asks a tiny model to pick the letter before it has written which
 * option it means. Measured on the quick demo, the SFT model named the right diagnosis in its conclusion far more
 * often than it wrote the right letter with it.
 *
 * <p>It works on the text, not on the world's internals: a reasoning it does not recognise keeps its first and
 * last sentences.
 */
public final class ConciseReasoning {

    /** Sentence ends: a full stop (or ! ?) followed by a capital; "B. Abscess" is joined back below. */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z])");
    private static final Pattern OPTION_LETTER = Pattern.compile("^[A-Z]\\.$");
    /**
     * A ruled-out option: optional letter, the option, then its verdict after "is"/"are" or a colon ("B. Abscess is
     * less likely: ...", "A. Keratin pearls: not seen here and ..."); the explanation after the verdict is dropped.
     */
    private static final Pattern VERDICT = Pattern.compile(
            "^(?:([A-Z])\\. )?([^:;]{1,120}?)(?: (is|are)|:) (less likely|not seen here|not seen|absent)\\b");
    private static final Pattern LETTER_FIRST_CONCLUSION = Pattern.compile(
            "^(.*\\banswer is) ([A-Z])\\. (.+?)\\.?$");
    /** "and they are present" after a relation: the relation alone says it. */
    private static final Pattern PRESENT = Pattern.compile(", and (?:they are|it is) present");
    /** "Therefore the answer is A." is joined to the option text that follows it. */
    private static final Pattern ENDS_WITH_LETTER = Pattern.compile("\\s[A-Z]\\.$");

    private ConciseReasoning() {
    }

    /** How the shortened reasoning names a multiple-choice option. */
    public enum OptionNaming {
        /** "Abscess (B) is less likely.", "Therefore the answer is Abscess (B)." (letter answers) */
        TEXT_FIRST,
        /** "Abscess is less likely.", "Therefore the answer is Abscess." (option-text answers) */
        TEXT_ONLY
    }

    /** The shortened reasoning text, options named text first. */
    public static String shorten(String think) {
        return shorten(think, OptionNaming.TEXT_FIRST);
    }

    /** The shortened reasoning text. */
    public static String shorten(String think, OptionNaming naming) {
        if (think == null || think.isBlank()) {
            return think;
        }
        List<String> sentences = sentences(think.strip());
        Set<String> kept = new LinkedHashSet<>();
        kept.add(sentences.get(0));
        for (int i = 1; i < sentences.size() - 1; i++) {
            String s = sentences.get(i);
            Matcher v = VERDICT.matcher(s);
            if (v.find()) {
                String option = v.group(1) == null || naming == OptionNaming.TEXT_ONLY ? v.group(2)
                        : v.group(2) + " (" + v.group(1) + ")";
                kept.add(option + " " + (v.group(3) == null ? "is" : v.group(3)) + " " + v.group(4) + ".");
            } else if (i == 1) {
                kept.add(evidence(s));
            }
        }
        kept.add(textFirst(sentences.get(sentences.size() - 1), naming));
        return String.join(" ", kept);
    }

    /** The sample with its {@code reasoning.think} shortened (observe and everything else unchanged). */
    public static Sample apply(Sample s, OptionNaming naming) {
        if (s.reasoning() == null || s.reasoning().think() == null) {
            return s;
        }
        Sample.Reasoning r = new Sample.Reasoning(s.reasoning().observe(), shorten(s.reasoning().think(), naming));
        return s.withReasoning(r);
    }

    /** "Therefore the answer is B. Abscess." becomes "Therefore the answer is Abscess (B)." (or "... Abscess."). */
    static String textFirst(String sentence, OptionNaming naming) {
        Matcher c = LETTER_FIRST_CONCLUSION.matcher(sentence);
        if (!c.matches()) {
            return sentence;
        }
        return c.group(1) + " " + c.group(3) + (naming == OptionNaming.TEXT_ONLY ? "." : " (" + c.group(2) + ").");
    }

    /**
     * The second sentence's clauses up to the first that cites the knowledge graph (all of them when none does),
     * without "and they are present".
     */
    static String evidence(String sentence) {
        String[] clauses = sentence.split(";");
        StringBuilder sb = new StringBuilder();
        for (String c : clauses) {
            sb.append(sb.length() == 0 ? "" : ";").append(c);
            if (c.contains("knowledge graph")) {
                break;
            }
        }
        String out = PRESENT.matcher(sb.toString().strip()).replaceFirst("");
        return out.endsWith(".") ? out : out + ".";
    }

    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        String pending = "";
        for (String piece : SENTENCE_END.split(text)) {
            if (OPTION_LETTER.matcher(piece).matches() || ENDS_WITH_LETTER.matcher(piece).find()) {
                pending = pending + piece + " ";
                continue;
            }
            out.add(pending + piece);
            pending = "";
        }
        if (!pending.isEmpty()) {
            out.add(pending.strip());
        }
        return out;
    }
}
