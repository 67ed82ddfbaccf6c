package org.pathoreason.reward;

import java.util.regex.Pattern;

/**
 * 1 when the completion has the reasoning format, else 0.
 *
 * <ul>
 *   <li>{@link Style#THINK_ANSWER}: the R1 pattern {@code <think>.*?</think>\s*<answer>.*?</answer>} matched against
 *       the whole completion with dot matching newlines; exactly what R1-V ({@code src/open_r1/grpo.py}), VLM-R1
 *       ({@code grpo_jsonl.py}) and EasyR1 ({@code examples/reward_function/r1v.py}) compute with
 *       {@code re.fullmatch(pattern, text, re.DOTALL)}: nothing, not even white space, before {@code <think>} or
 *       after {@code </answer>}.
 *   <li>{@link Style#OBSERVE_THINK_ANSWER}: PathReasoner-R1's
 *       {@code <observe>.*?</observe>\s*<think>.*?</think>\s*<answer>.*?</answer>}.
 * </ul>
 *
 * {@link Match#WHOLE} (the default) requires the pattern to span the completion; {@link Match#ANYWHERE} accepts it
 * anywhere inside, which is what PathReasoner's released {@code compute_format_reward} does ({@code re.search}).
 * White space is Unicode white space, as Python's {@code \s} on str.
 */
public final class FormatReward implements Reward {

    /** Which tags, in which order. */
    public enum Style {
        THINK_ANSWER("<think>.*?</think>\\s*<answer>.*?</answer>"),
        OBSERVE_THINK_ANSWER("<observe>.*?</observe>\\s*<think>.*?</think>\\s*<answer>.*?</answer>");

        private final Pattern pattern;

        Style(String regex) {
            this.pattern = Pattern.compile(regex, Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);
        }

        public Pattern pattern() {
            return pattern;
        }
    }

    /** Whether the pattern must cover the whole completion. */
    public enum Match { WHOLE, ANYWHERE }

    private final Style style;
    private final Match match;

    public FormatReward(Style style, Match match) {
        this.style = style;
        this.match = match;
    }

    /** The R1 format, whole-completion match. */
    public static FormatReward r1() {
        return new FormatReward(Style.THINK_ANSWER, Match.WHOLE);
    }

    /** PathReasoner's observe/think/answer format, whole-completion match. */
    public static FormatReward pathReasoner() {
        return new FormatReward(Style.OBSERVE_THINK_ANSWER, Match.WHOLE);
    }

    /** Whether {@code text} has the format. */
    public boolean matches(String text) {
        var m = style.pattern().matcher(text);
        return match == Match.WHOLE ? m.matches() : m.find();
    }

    @Override
    public String name() {
        return "format";
    }

    @Override
    public RewardResult score(RewardInput input) {
        return RewardResult.of(name(), matches(input.completion()) ? 1 : 0);
    }
}
