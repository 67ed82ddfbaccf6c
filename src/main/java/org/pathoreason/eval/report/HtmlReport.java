package org.pathoreason.eval.report;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pathoreason.util.AtomicFiles;

/**
 * Builds a self-contained HTML page (inline CSS, no scripts, nothing fetched) for evaluation, training and
 * comparison reports: a title, sections with paragraphs, tables and key-value lists, PNG images kept as files
 * beside the page (referenced by relative path), and example reasonings with their image. All text is escaped.
 *
 * <pre>{@code
 * new HtmlReport("PathMMU test").section("Scores").table(header, rows).image("plots/subsets.png", "Accuracy")
 *     .write(runDir.resolve("report.html"));
 * }</pre>
 */
public final class HtmlReport {

    private static final Pattern BLOCK = Pattern.compile("<(observe|info|think|answer)>(.*?)(?:</\\1>|\\z)",
            Pattern.DOTALL);

    private final String title;
    private final StringBuilder body = new StringBuilder();
    private boolean inSection;

    /** An example completion to show: the question, the image, the gold answer and what the model wrote. */
    public record Example(String id, String image, String question, List<String> options, String gold,
            String completion, Boolean correct, String extracted) {
    }

    public HtmlReport(String title) {
        this.title = title;
    }

    /** Starts a new section with a heading. */
    public HtmlReport section(String heading) {
        closeSection();
        body.append("<section>\n<h2>").append(escape(heading)).append("</h2>\n");
        inSection = true;
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A two-column table of names and values (numbers formatted as in {@link #format(Object)}). */
    public HtmlReport keyValues(Map<String, ?> values) {
        body.append("<table class=\"kv\">\n");
        for (Map.Entry<String, ?> e : values.entrySet()) {
            body.append("<tr><th>").append(escape(e.getKey())).append("</th><td>").append(escape(format(e.getValue())))
                    .append("</td></tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A table; numbers are right-aligned and formatted, nulls shown as an en dash. */
    public HtmlReport table(List<String> header, List<? extends List<?>> rows) {
        return table(header, rows, null);
    }

    /**
     * A table with some cells emphasised.
     *
     * @param bold {@code bold[r][c]} true to emphasise a cell (e.g. the best value of a column); may be null
     */
    public HtmlReport table(List<String> header, List<? extends List<?>> rows, boolean[][] bold) {
        body.append("<table>\n<thead><tr>");
        for (String h : header) {
            body.append("<th>").append(escape(h)).append("</th>");
        }
        body.append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < rows.size(); r++) {
            body.append("<tr>");
            List<?> row = rows.get(r);
            for (int c = 0; c < row.size(); c++) {
                Object v = row.get(c);
                String cell = escape(format(v));
                if (bold != null && r < bold.length && c < bold[r].length && bold[r][c]) {
                    cell = "<b>" + cell + "</b>";
                }
                body.append(v instanceof Number ? "<td class=\"num\">" : "<td>").append(cell).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
        return this;
    }

    /** A PNG (or any browser image) next to the page, by its path relative to the page. */
    public HtmlReport image(String relativePath, String caption) {
        body.append("<figure><img src=\"").append(escapeAttr(relativePath)).append("\" alt=\"")
                .append(escapeAttr(caption)).append("\"><figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** One example: image, question with options, gold answer, and the completion with its reasoning blocks. */
    public HtmlReport example(Example e) {
        String verdict = e.correct() == null ? "" : e.correct() ? " right" : " wrong";
        body.append("<div class=\"example").append(verdict).append("\">\n<div class=\"ex-head\">")
                .append(escape(e.id()));
        if (e.correct() != null) {
            body.append(" &middot; ").append(e.correct() ? "correct" : "wrong");
        }
        body.append("</div>\n");
        if (e.image() != null) {
            body.append("<img class=\"ex-img\" src=\"").append(escapeAttr(e.image())).append("\" alt=\"")
                    .append(escapeAttr(e.id())).append("\">\n");
        }
        body.append("<div class=\"ex-text\"><p class=\"q\">").append(escape(e.question())).append("</p>\n");
        if (e.options() != null && !e.options().isEmpty()) {
            body.append("<ol type=\"A\">");
            for (String o : e.options()) {
                body.append("<li>").append(escape(o)).append("</li>");
            }
            body.append("</ol>\n");
        }
        body.append("<p><b>Gold:</b> ").append(escape(e.gold()));
        if (e.extracted() != null) {
            body.append(" &nbsp; <b>Read:</b> ").append(escape(e.extracted()));
        }
        body.append("</p>\n").append(completionHtml(e.completion())).append("</div>\n</div>\n");
        return this;
    }

    /** The page as HTML. */
    public String render() {
        closeSection();
        String generated = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
                + escape(title) + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<h1>" + escape(title)
                + "</h1>\n<p class=\"generated\">Generated by PathoReason, " + escape(generated) + "</p>\n"
                + body + "</body>\n</html>\n";
        inSection = false;
        return html;
    }

    /** Writes the page atomically. */
    public void write(Path file) {
        AtomicFiles.writeString(file, render());
    }

    private void closeSection() {
        if (inSection) {
            body.append("</section>\n");
            inSection = false;
        }
    }

    /** Shows each reasoning block in its own box; text outside the tags stays plain. */
    static String completionHtml(String completion) {
        if (completion == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("<div class=\"completion\">");
        Matcher m = BLOCK.matcher(completion);
        int last = 0;
        while (m.find()) {
            appendPlain(sb, completion.substring(last, m.start()));
            String tag = m.group(1);
            sb.append("<div class=\"blk ").append(tag).append("\"><span class=\"tag\">").append(tag)
                    .append("</span>").append(escape(m.group(2).strip())).append("</div>");
            last = m.end();
        }
        appendPlain(sb, completion.substring(last));
        return sb.append("</div>\n").toString();
    }

    private static void appendPlain(StringBuilder sb, String s) {
        if (!s.isBlank()) {
            sb.append("<div class=\"blk plain\">").append(escape(s.strip())).append("</div>");
        }
    }

    /** Numbers: integers as they are, reals of 1 or more with 2 decimals, smaller ones with 4 (or 3 significant). */
    public static String format(Object v) {
        if (v == null) {
            return "\u2013";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return "\u2013";
            }
            if (d != 0 && Math.abs(d) < 1e-3) {
                return String.format(Locale.ROOT, "%.3g", d);
            }
            return String.format(Locale.ROOT, Math.abs(d) >= 1 ? "%.2f" : "%.4f", d);
        }
        return v.toString();
    }

    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String escapeAttr(String s) {
        return escape(s);
    }

    private static final String CSS = """
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
                   max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
            h1 { font-size: 1.6em; margin-bottom: 0.1em; }
            h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
            .generated { color: #777; font-size: 0.85em; margin-top: 0; }
            table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ddd; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
            thead th { background: #f3f0f6; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            table.kv th { background: #faf9fb; font-weight: 600; }
            figure { margin: 1em 0; }
            figure img { max-width: 100%; border: 1px solid #eee; }
            figcaption { color: #555; font-size: 0.9em; }
            .example { display: flex; flex-wrap: wrap; gap: 1em; border: 1px solid #ddd; border-left: 5px solid #999;
                       border-radius: 4px; padding: 0.8em; margin: 1em 0; }
            .example.right { border-left-color: #3a9a5b; }
            .example.wrong { border-left-color: #c0392b; }
            .ex-head { flex-basis: 100%; font-weight: 600; color: #444; }
            .ex-img { max-width: 280px; max-height: 280px; border: 1px solid #eee; }
            .ex-text { flex: 1; min-width: 300px; }
            .q { font-weight: 600; }
            .completion { font-size: 0.92em; }
            .blk { white-space: pre-wrap; border-radius: 3px; padding: 0.4em 0.6em; margin: 0.3em 0; }
            .blk .tag { display: inline-block; font-size: 0.75em; font-weight: 700; text-transform: uppercase;
                        margin-right: 0.6em; color: #555; }
            .observe, .info { background: #eef5fb; }
            .think { background: #f6f4ea; }
            .answer { background: #eaf6ee; font-weight: 600; }
            .plain { background: #f5f5f5; }
            """;
}
