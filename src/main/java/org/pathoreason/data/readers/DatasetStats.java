package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pathoreason.data.Sample;

/**
 * Counts of a dataset's samples per subset, split ({@code meta.split}, {@code -} when absent), task and gold
 * answer letter (multiple-choice samples only): enough to see a benchmark's make-up and its answer-letter balance.
 */
public record DatasetStats(int total, Map<String, Integer> subsets, Map<String, Integer> splits,
        Map<String, Integer> tasks, Map<String, Integer> answerLetters) {

    public static DatasetStats of(List<Sample> samples) {
        Map<String, Integer> subsets = new TreeMap<>();
        Map<String, Integer> splits = new TreeMap<>();
        Map<String, Integer> tasks = new TreeMap<>();
        Map<String, Integer> letters = new TreeMap<>();
        for (Sample s : samples) {
            subsets.merge(s.subset() == null ? "-" : s.subset(), 1, Integer::sum);
            Object split = s.meta().get("split");
            splits.merge(split == null ? "-" : split.toString(), 1, Integer::sum);
            tasks.merge(s.task() == null ? "-" : s.task().id(), 1, Integer::sum);
            if (Task.MCQ.equals(s.task())) {
                letters.merge(s.answer(), 1, Integer::sum);
            }
        }
        return new DatasetStats(samples.size(), subsets, splits, tasks, letters);
    }

    /** A plain-text table per grouping, with percentages. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("samples  ").append(total).append('\n');
        section(sb, "subset", subsets, total);
        section(sb, "split", splits, total);
        section(sb, "task", tasks, total);
        if (!answerLetters.isEmpty()) {
            // shares of the multiple-choice samples, to show letter bias
            section(sb, "answer", answerLetters, answerLetters.values().stream().mapToInt(i -> i).sum());
        }
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, Map<String, Integer> counts, int of) {
        int width = Math.max(title.length(), counts.keySet().stream().mapToInt(String::length).max().orElse(0));
        sb.append('\n').append(String.format("%-" + width + "s  %7s  %6s%n", title, "count", "share"));
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            sb.append(String.format("%-" + width + "s  %7d  %5.1f%%%n", e.getKey(), e.getValue(),
                    of == 0 ? 0.0 : 100.0 * e.getValue() / of));
        }
    }
}
