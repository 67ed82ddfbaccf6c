package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.pathoreason.data.Sample;

/**
 * Permutes the options of a multiple-choice sample and relabels its answer and reasoning to match, so that a model
 * cannot tie an answer to a letter position and has to read the options (an augmentation against position bias;
 * each epoch sees another order).
 *
 * <p>The reasoning is relabelled where it names an option as {@code "<letter>. <option text>"} (the form the
 * synthetic world and {@code "A. ..."} option lines use): each such mention gets the option's new letter. A sample
 * whose reasoning refers to a letter in any other way (a bare {@code "B."} or {@code "B)"} without the option's
 * text) cannot be relabelled safely and is returned unchanged.
 */
public final class OptionShuffler {

    private OptionShuffler() {
    }

    /**
     * The sample with its options in a random order drawn from {@code rng}; non-mcq samples and samples that
     * cannot be relabelled come back as they are.
     */
    public static Sample shuffle(Sample s, SplittableRandom rng) {
        int n = s.options().size();
        int answer = Sample.letterIndex(s.answer());
        if (!Task.MCQ.equals(s.task()) || n < 2 || n > 26 || answer < 0 || answer >= n) {
            return s;
        }
        int[] order = new int[n]; // order[newIndex] = oldIndex
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] newIndexOf = new int[n];
        for (int i = 0; i < n; i++) {
            newIndexOf[order[i]] = i;
        }
        Sample.Reasoning r = s.reasoning();
        Sample.Reasoning relabelled = null;
        if (r != null) {
            String observe = relabel(r.observe(), s.options(), newIndexOf);
            String think = relabel(r.think(), s.options(), newIndexOf);
            if ((r.observe() != null && observe == null) || (r.think() != null && think == null)) {
                return s;
            }
            relabelled = new Sample.Reasoning(observe, think);
        }
        List<String> options = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            options.add(s.options().get(order[i]));
        }
        return s.toBuilder().options(options).answer(Sample.letter(newIndexOf[answer])).reasoning(relabelled).build();
    }

    /** The text with every {@code "L. option"} mention relabelled; null when a letter is used otherwise. */
    private static String relabel(String text, List<String> options, int[] newIndexOf) {
        if (text == null) {
            return null;
        }
        int n = options.size();
        // Longer option texts first, so an option that is a prefix of another does not claim its mentions.
        List<Integer> byLength = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byLength.add(i);
        }
        byLength.sort((a, b) -> options.get(b).length() - options.get(a).length());
        String out = text;
        for (int i : byLength) {
            String mention = Sample.letter(i) + ". " + options.get(i).strip();
            out = out.replace(mention, "\u0000" + i + "\u0001");
        }
        String lastLetter = Sample.letter(n - 1);
        Pattern stray = Pattern.compile("(?<![\\p{L}\\p{N}])\\(?[A-" + lastLetter + "][.):](?=\\s|$)");
        if (stray.matcher(out).find()) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            out = out.replace("\u0000" + i + "\u0001",
                    Sample.letter(newIndexOf[i]) + ". " + options.get(i).strip());
        }
        return out;
    }
}
