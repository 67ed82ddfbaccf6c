package org.pathoreason.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the {@code <observe>}, {@code <think>} and {@code <answer>} spans of a model completion.
 *
 * <p>Rules, chosen to agree with the R1-style rewards these models were trained with:
 * <ul>
 *   <li>Tags are matched case-insensitively ({@code <Answer>} counts); contents are trimmed as Python's
 *       {@code str.strip()} trims.</li>
 *   <li>A complete span is the first opening tag and the nearest closing tag after it, i.e. the first match of
 *       {@code <answer>(.*?)</answer>} as in R1-V / PathVLM-R1 (but across newlines too).</li>
 *   <li>An opening tag with no closing tag after it (a truncated completion, {@code <answer>B}) is
 *       <em>unclosed</em>: its content runs to the next tag of any kind or to the end.</li>
 *   <li>A closing tag with no opening tag before it ({@code reasoning</think><answer>B</answer>}, as when the
 *       prompt already opened {@code <think>}) is <em>unopened</em>: its content starts after the previous tag or
 *       at the beginning.</li>
 *   <li>A tag whose opening or closing form occurs more than once is <em>repeated</em>; the first span is
 *       used.</li>
 * </ul>
 * {@link Parsed#r1Format()} is exactly R1-V's format check (Python
 * {@code re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", s, re.DOTALL)}); {@link Parsed#wellFormed()}
 * is stricter: each tag once, in order, lower case, only whitespace outside the spans, {@code <observe>} optional
 * before {@code <think>}.
 */
public final class ReasoningTags {

    /** The three reasoning spans. */
    public enum Tag {
        OBSERVE("observe"), THINK("think"), ANSWER("answer");

        private final String name;

        Tag(String name) {
            this.name = name;
        }

        public String open() {
            return "<" + name + ">";
        }

        public String close() {
            return "</" + name + ">";
        }

        public String tagName() {
            return name;
        }

        static Tag of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private static final Pattern TAG = Pattern.compile("<(/?)(observe|think|answer)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern R1 = Pattern.compile("<think>.*?</think>\\s*<answer>.*?</answer>",
            Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);

    private ReasoningTags() {
    }

    /**
     * The result of parsing a completion.
     *
     * @param observe content of the first {@code <observe>} span, trimmed, or null when absent
     * @param think content of the first {@code <think>} span, trimmed, or null when absent
     * @param answer content of the first {@code <answer>} span, trimmed, or null when absent
     * @param missing tags with neither an opening nor a closing form in the text
     * @param repeated tags whose opening or closing form occurs more than once
     * @param unclosed tags opened but never closed after the opening (content taken up to the next tag or end)
     * @param unopened tags closed without an opening before (content taken from the previous tag or start)
     * @param r1Format the text passes R1-V's format check
     * @param wellFormed each tag once, in order, lower case, nothing but whitespace outside the spans
     */
    public record Parsed(String observe, String think, String answer, Set<Tag> missing, Set<Tag> repeated,
            Set<Tag> unclosed, Set<Tag> unopened, boolean r1Format, boolean wellFormed) {

        public Parsed {
            missing = Collections.unmodifiableSet(copy(missing));
            repeated = Collections.unmodifiableSet(copy(repeated));
            unclosed = Collections.unmodifiableSet(copy(unclosed));
            unopened = Collections.unmodifiableSet(copy(unopened));
        }

        private static Set<Tag> copy(Set<Tag> s) {
            return s.isEmpty() ? EnumSet.noneOf(Tag.class) : EnumSet.copyOf(s);
        }

        public Optional<String> observeText() {
            return Optional.ofNullable(observe);
        }

        public Optional<String> thinkText() {
            return Optional.ofNullable(think);
        }

        public Optional<String> answerText() {
            return Optional.ofNullable(answer);
        }

        /** The content of a span, or null. */
        public String get(Tag tag) {
            return switch (tag) {
                case OBSERVE -> observe;
                case THINK -> think;
                case ANSWER -> answer;
            };
        }

        /** Well formed and with an {@code <observe>} span (PathReasoner's observe-think-answer format). */
        public boolean wellFormedWithObserve() {
            return wellFormed && observe != null;
        }

        /** Human-readable problems, e.g. {@code "unclosed <answer>"}; empty when there are none. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            for (Tag t : Tag.values()) {
                if (missing.contains(t) && t != Tag.OBSERVE) {
                    p.add("missing " + t.open());
                }
                if (repeated.contains(t)) {
                    p.add("repeated " + t.open());
                }
                if (unclosed.contains(t)) {
                    p.add("unclosed " + t.open());
                }
                if (unopened.contains(t)) {
                    p.add(t.close() + " without " + t.open());
                }
            }
            return p;
        }
    }

    private record Mark(Tag tag, boolean closing, int start, int end, boolean lowerCase) {
    }

    /** Parses a completion; never fails (null is read as empty text). */
    public static Parsed parse(String completion) {
        String text = completion == null ? "" : completion;
        List<Mark> marks = new ArrayList<>();
        Matcher m = TAG.matcher(text);
        while (m.find()) {
            String name = m.group(2);
            marks.add(new Mark(Tag.of(name), !m.group(1).isEmpty(), m.start(), m.end(),
                    m.group().equals(m.group().toLowerCase(Locale.ROOT))));
        }
        String[] content = new String[Tag.values().length];
        Set<Tag> missing = EnumSet.noneOf(Tag.class);
        Set<Tag> repeated = EnumSet.noneOf(Tag.class);
        Set<Tag> unclosed = EnumSet.noneOf(Tag.class);
        Set<Tag> unopened = EnumSet.noneOf(Tag.class);
        for (Tag tag : Tag.values()) {
            int opens = 0;
            int closes = 0;
            int firstOpen = -1;
            int firstClose = -1;
            for (int i = 0; i < marks.size(); i++) {
                Mark k = marks.get(i);
                if (k.tag() != tag) {
                    continue;
                }
                if (k.closing()) {
                    closes++;
                    if (firstClose < 0) {
                        firstClose = i;
                    }
                } else {
                    opens++;
                    if (firstOpen < 0) {
                        firstOpen = i;
                    }
                }
            }
            if (opens > 1 || closes > 1) {
                repeated.add(tag);
            }
            if (opens == 0 && closes == 0) {
                missing.add(tag);
                continue;
            }
            String span;
            if (firstOpen >= 0) {
                int close = nextClose(marks, tag, firstOpen);
                if (close >= 0) {
                    span = text.substring(marks.get(firstOpen).end(), marks.get(close).start());
                } else {
                    unclosed.add(tag);
                    int end = firstOpen + 1 < marks.size() ? marks.get(firstOpen + 1).start() : text.length();
                    span = text.substring(marks.get(firstOpen).end(), end);
                }
            } else {
                unopened.add(tag);
                int start = firstClose > 0 ? marks.get(firstClose - 1).end() : 0;
                span = text.substring(start, marks.get(firstClose).start());
            }
            content[tag.ordinal()] = strip(span);
        }
        boolean r1 = R1.matcher(text).matches();
        boolean wellFormed = wellFormed(text, marks);
        return new Parsed(content[0], content[1], content[2], missing, repeated, unclosed, unopened, r1,
                wellFormed);
    }

    /** Trims whitespace as Python's {@code str.strip()} does (no-break spaces included). */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static int nextClose(List<Mark> marks, Tag tag, int from) {
        for (int i = from + 1; i < marks.size(); i++) {
            Mark k = marks.get(i);
            if (k.tag() == tag && k.closing()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean wellFormed(String text, List<Mark> marks) {
        List<Tag> order = new ArrayList<>();
        if (marks.size() == 6) {
            order.add(Tag.OBSERVE);
        } else if (marks.size() != 4) {
            return false;
        }
        order.add(Tag.THINK);
        order.add(Tag.ANSWER);
        int pos = 0;
        for (int i = 0; i < order.size(); i++) {
            Mark open = marks.get(2 * i);
            Mark close = marks.get(2 * i + 1);
            Tag tag = order.get(i);
            if (open.tag() != tag || open.closing() || close.tag() != tag || !close.closing()
                    || !open.lowerCase() || !close.lowerCase()) {
                return false;
            }
            if (!text.substring(pos, open.start()).isBlank()) {
                return false;
            }
            pos = close.end();
        }
        return text.substring(pos).isBlank();
    }
}
