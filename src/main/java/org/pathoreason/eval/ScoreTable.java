package org.pathoreason.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.Task;

/** A plain-text table of a {@link ScoreReport} for the console: overall, then per subset (rates in percent). */
public final class ScoreTable {

    private ScoreTable() {
    }

    public static String format(ScoreReport report) {
        MetricSet all = report.overall();
        boolean closed = all.accuracy() != null
                || all.extractionMisses() != null && all.extractionMisses() > 0;
        boolean open = all.bleu1() != null || all.rougeL() != null || all.tokenF1() != null;
        boolean tokens = all.meanOutputTokens() != null;
        List<String> header = new ArrayList<>(List.of("group", "n"));
        if (closed) {
            header.addAll(List.of("acc%", "misses"));
        }
        if (open) {
            header.addAll(List.of("B-1", "B-2", "B-3", "B-4", "R-L", "F1"));
        }
        if (tokens) {
            header.add("tokens");
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("all", all, closed, open, tokens));
        for (Map.Entry<String, MetricSet> e : report.subsets().entrySet()) {
            rows.add(row(e.getKey(), e.getValue(), closed, open, tokens));
        }
        int[] width = new int[header.size()];
        for (int c = 0; c < header.size(); c++) {
            width[c] = header.get(c).length();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (List<String> r : rows) {
            line(sb, r, width);
        }
        sb.append(String.format(Locale.ROOT, "extraction %s%s, text tokenisation %s%n", report.extraction(),
                report.randomFallback() ? " with PathMMU random fallback" : "", report.captionTokenizer()));
        String note = noAnswerTagNote(report);
        if (note != null) {
            sb.append(note).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /**
     * One line on the predictions that carry no {@code <answer>} tag and how they were scored, or null when every
     * prediction has one.
     */
    public static String noAnswerTagNote(ScoreReport report) {
        int untagged = report.overall().noAnswerTag();
        if (untagged == 0) {
            return null;
        }
        int closed = 0;
        for (Task task : List.of(Task.MCQ, Task.YESNO)) {
            MetricSet m = report.tasks().get(task.id());
            closed += m == null ? 0 : m.noAnswerTag();
        }
        int open = untagged - closed;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "no <answer> tag: %d of %d predictions", untagged, report.overall().n()));
        List<String> parts = new ArrayList<>();
        if (open > 0) {
            parts.add(open + " open scored on their whole text (reasoning removed)");
        }
        if (closed > 0) {
            parts.add(closed + " closed " + ("strict".equals(report.extraction())
                    ? "counted as extraction misses" : "read from their whole text (" + report.extraction() + ")"));
        }
        return sb.append(" (").append(String.join(", ", parts)).append(')').toString();
    }

    private static List<String> row(String name, MetricSet m, boolean closed, boolean open, boolean tokens) {
        List<String> r = new ArrayList<>(List.of(name, String.valueOf(m.n())));
        if (closed) {
            r.add(pct(m.accuracy()));
            r.add(m.extractionMisses() == null ? "-" : String.valueOf(m.extractionMisses()));
        }
        if (open) {
            r.add(pct(m.bleu1()));
            r.add(pct(m.bleu2()));
            r.add(pct(m.bleu3()));
            r.add(pct(m.bleu4()));
            r.add(pct(m.rougeL()));
            r.add(pct(m.tokenF1()));
        }
        if (tokens) {
            r.add(m.meanOutputTokens() == null ? "-" : String.format(Locale.ROOT, "%.1f", m.meanOutputTokens()));
        }
        return r;
    }

    private static String pct(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            sb.append(c == 0 ? String.format("%-" + width[c] + "s", cell) : String.format("  %" + width[c] + "s", cell));
        }
        sb.append(System.lineSeparator());
    }
}
