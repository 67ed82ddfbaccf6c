package org.pathoreason.train;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pathoreason.data.Sample;
import org.pathoreason.text.ReasoningTags;

/**
 * Trajectory masking as PathReasoner-R1 takes it from MedResearcher-R1 ("masked trajectory guidance"): a reasoning
 * trajectory written by a teacher that was shown guidance (knowledge-graph paths from the question's entities to
 * the answer) is trained <em>without</em> that guidance, so the model learns to produce the knowledge-grounded
 * reasoning from the image and question alone; plus an optional loss mask over chosen spans of the target.
 *
 * <h2>What is masked, exactly</h2>
 * <ol>
 *   <li><b>Guidance, removed from the prompt</b> ({@link Guidance#REMOVE}, the default). Removed are
 *     <ul>
 *       <li>every match of the guidance pattern in the question (default {@value #DEFAULT_GUIDANCE_PATTERN},
 *           matched case-insensitively across lines; {@link #renderGuidance} writes blocks in that form), and</li>
 *       <li>every verbatim occurrence in the question of each guidance text the sample carries in
 *           {@code meta.guidance} (a string, or a list of strings such as one rendered path each).</li>
 *     </ul>
 *     A removed block takes the whitespace around it with it; the two sides are joined by the whitespace run
 *     that preceded the block (or followed it, when nothing preceded). The model never sees the guidance: it is
 *     not merely excluded from the loss (prompt tokens never carry loss), it is absent from the input.
 *     {@link Guidance#KEEP} instead trains with the prompt the teacher saw: blocks stay, and {@code meta.guidance}
 *     texts missing from the question are appended to it as a {@link #renderGuidance guidance block}.</li>
 *   <li><b>Target spans excluded from the loss</b> ({@code loss_mask_tags}, empty by default). For each chosen
 *     tag ({@code observe}, {@code think} or {@code answer}) the text strictly between each {@code <tag>} and the
 *     next {@code </tag>} of the assistant turn carries no loss; the tags themselves keep their loss, so the model
 *     still learns the format. The tokens stay in the input (later tokens are still conditioned on them).</li>
 * </ol>
 * Independently of this class, an example's loss covers only the assistant turn's tokens and its closing
 * {@code <|im_end|>} (see {@link ExampleBuilder}).
 */
public final class TrajectoryMasking {

    /** The key of {@link Sample#meta()} holding the guidance a trajectory was generated with. */
    public static final String GUIDANCE_META_KEY = "guidance";

    /** Default guidance block in a question: {@code <guidance> ... </guidance>}. */
    public static final String DEFAULT_GUIDANCE_PATTERN = "<guidance>.*?</guidance>";

    /** What to do with guidance in prompts. */
    public enum Guidance {
        /** Train without the guidance (trajectory masking). */
        REMOVE,
        /** Train with the prompt the trajectory was generated with (ablation). */
        KEEP;

        public static Guidance parse(String name) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            for (Guidance g : values()) {
                if (g.name().equals(n)) {
                    return g;
                }
            }
            throw new IllegalArgumentException("unknown guidance mode '" + name + "', expected remove or keep");
        }
    }

    /**
     * A question ready for the prompt.
     *
     * @param text the question text
     * @param guidanceRemoved guidance blocks or texts taken out
     * @param guidanceAdded guidance texts appended ({@link Guidance#KEEP} only)
     */
    public record Question(String text, int guidanceRemoved, int guidanceAdded) {
    }

    /** A piece of the assistant turn and whether its tokens carry loss. */
    public record Span(String text, boolean loss) {
        public Span {
            Objects.requireNonNull(text, "text");
        }
    }

    private final Guidance guidance;
    private final Pattern guidancePattern;
    private final Set<ReasoningTags.Tag> maskedTags;

    /**
     * @param guidance remove or keep guidance in prompts
     * @param guidancePattern regular expression of a guidance block in a question; null or blank for none
     * @param maskedTags tags whose content is excluded from the loss
     */
    public TrajectoryMasking(Guidance guidance, String guidancePattern, Collection<ReasoningTags.Tag> maskedTags) {
        this.guidance = Objects.requireNonNull(guidance, "guidance");
        if (guidancePattern == null || guidancePattern.isBlank()) {
            this.guidancePattern = null;
        } else {
            try {
                this.guidancePattern = Pattern.compile(guidancePattern, Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("guidance_pattern '" + guidancePattern
                        + "' is not a regular expression: " + e.getDescription());
            }
        }
        this.maskedTags = maskedTags.isEmpty() ? EnumSet.noneOf(ReasoningTags.Tag.class) : EnumSet.copyOf(maskedTags);
    }

    /** Removes guidance with the default pattern and masks no target span. */
    public static TrajectoryMasking defaults() {
        return new TrajectoryMasking(Guidance.REMOVE, DEFAULT_GUIDANCE_PATTERN, List.of());
    }

    /** Parses tag names ({@code observe}, {@code think}, {@code answer}). */
    public static List<ReasoningTags.Tag> parseTags(Collection<String> names) {
        List<ReasoningTags.Tag> tags = new ArrayList<>();
        for (String n : names) {
            String key = n.trim().toLowerCase(Locale.ROOT).replace("<", "").replace(">", "").replace("/", "");
            ReasoningTags.Tag found = null;
            for (ReasoningTags.Tag t : ReasoningTags.Tag.values()) {
                if (t.tagName().equals(key)) {
                    found = t;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("loss_mask_tags: unknown tag '" + n
                        + "', expected observe, think or answer");
            }
            tags.add(found);
        }
        return tags;
    }

    public Guidance guidance() {
        return guidance;
    }

    public Set<ReasoningTags.Tag> maskedTags() {
        return maskedTags.isEmpty() ? Set.of() : EnumSet.copyOf(maskedTags);
    }

    /**
     * The guidance texts a sample carries in {@code meta.guidance}: a string or a list of strings; blank
     * entries are ignored.
     *
     * @throws IllegalArgumentException when {@code meta.guidance} is neither
     */
    public static List<String> guidanceOf(Sample sample) {
        Object g = sample.meta().get(GUIDANCE_META_KEY);
        List<String> out = new ArrayList<>();
        if (g == null) {
            return out;
        }
        if (g instanceof String s) {
            if (!s.isBlank()) {
                out.add(s);
            }
        } else if (g instanceof Collection<?> c) {
            for (Object o : c) {
                if (!(o instanceof String s)) {
                    throw new IllegalArgumentException("meta.guidance must be a string or a list of strings, "
                            + "found an entry " + o);
                }
                if (!s.isBlank()) {
                    out.add(s);
                }
            }
        } else {
            throw new IllegalArgumentException("meta.guidance must be a string or a list of strings, got " + g);
        }
        return out;
    }

    /** A guidance block in the default pattern's form: {@code <guidance>\nline\nline\n</guidance>}. */
    public static String renderGuidance(List<String> lines) {
        return "<guidance>\n" + String.join("\n", lines) + "\n</guidance>";
    }

    /** The question to put in the prompt, with guidance removed (or kept) as configured. */
    public Question question(Sample sample) {
        List<String> texts = guidanceOf(sample);
        String text = sample.question();
        if (guidance == Guidance.KEEP) {
            List<String> missing = new ArrayList<>();
            for (String g : texts) {
                if (!text.contains(g)) {
                    missing.add(g);
                }
            }
            if (!missing.isEmpty()) {
                String block = renderGuidance(missing);
                text = text.isBlank() ? block : text.stripTrailing() + "\n\n" + block;
            }
            return new Question(text, 0, missing.size());
        }
        int removed = 0;
        if (guidancePattern != null) {
            Matcher m = guidancePattern.matcher(text);
            while (m.find()) {
                text = cut(text, m.start(), m.end());
                removed++;
                m = guidancePattern.matcher(text);
            }
        }
        for (String g : texts) {
            int at;
            while ((at = text.indexOf(g)) >= 0) {
                text = cut(text, at, at + g.length());
                removed++;
            }
        }
        return new Question(text, removed, 0);
    }

    /** Removes {@code [start, end)} and the whitespace around it, joining the sides with one whitespace run. */
    private static String cut(String text, int start, int end) {
        int left = start;
        while (left > 0 && Character.isWhitespace(text.charAt(left - 1))) {
            left--;
        }
        int right = end;
        while (right < text.length() && Character.isWhitespace(text.charAt(right))) {
            right++;
        }
        if (left == 0 || right == text.length()) {
            return text.substring(0, left) + text.substring(right);
        }
        String before = text.substring(left, start);
        String join = before.isEmpty() ? text.substring(end, right) : before;
        return text.substring(0, left) + join + text.substring(right);
    }

    /**
     * Splits an assistant turn into spans with and without loss: the content of each masked tag is a span
     * without loss, everything else (tags included) a span with loss. Adjacent spans alternate; the
     * concatenation of all spans is {@code assistantText}.
     */
    public List<Span> lossSpans(String assistantText) {
        List<Span> spans = new ArrayList<>();
        if (maskedTags.isEmpty()) {
            spans.add(new Span(assistantText, true));
            return spans;
        }
        boolean[] masked = new boolean[assistantText.length()];
        String lower = assistantText.toLowerCase(Locale.ROOT);
        for (ReasoningTags.Tag tag : maskedTags) {
            int from = 0;
            while (true) {
                int open = lower.indexOf(tag.open(), from);
                if (open < 0) {
                    break;
                }
                int contentStart = open + tag.open().length();
                int close = lower.indexOf(tag.close(), contentStart);
                if (close < 0) {
                    break;
                }
                for (int i = contentStart; i < close; i++) {
                    masked[i] = true;
                }
                from = close + tag.close().length();
            }
        }
        int start = 0;
        for (int i = 1; i <= assistantText.length(); i++) {
            if (i == assistantText.length() || masked[i] != masked[start]) {
                if (i > start) {
                    spans.add(new Span(assistantText.substring(start, i), !masked[start]));
                }
                start = i;
            }
        }
        if (spans.isEmpty()) {
            spans.add(new Span(assistantText, true));
        }
        return spans;
    }
}
