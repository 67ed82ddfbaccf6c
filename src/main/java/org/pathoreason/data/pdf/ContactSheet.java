package org.pathoreason.data.pdf;

import java.util.List;
import org.pathoreason.data.Sample;

/** The HTML page to review extracted pairs by eye: counts, every pair, and what was left out. */
final class ContactSheet {

    private ContactSheet() {
    }

    static String html(List<Sample> pairs, List<PdfFigureExtractor.FileReport> files, PdfCounts total) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Figure-caption pairs</title>\n")
                .append("<style>body{font-family:sans-serif;margin:1.5em;max-width:1200px}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}")
                .append(".pair{display:flex;gap:1em;border-bottom:1px solid #ddd;padding:.8em 0}")
                .append(".pair img{max-width:360px;max-height:300px;border:1px solid #999}")
                .append(".meta{color:#555;font-size:.85em}.left img{max-width:200px;max-height:160px}</style></head><body>\n");
        h.append("<h1>Figure-caption pairs</h1>\n");
        h.append("<p>").append(total.pairs()).append(" figure pairs and ").append(total.panelPairs())
                .append(" panel pairs from ").append(total.files()).append(" PDFs (").append(total.pages())
                .append(" pages).</p>\n");
        h.append("<table><tr><th>file</th><th>pages</th><th>images</th><th>decorations</th><th>small</th>")
                .append("<th>figure captions</th><th>pairs</th><th>panel pairs</th><th>table/scheme images</th>")
                .append("<th>unmatched images</th><th>unmatched captions</th><th>duplicates</th><th>rejected</th>")
                .append("<th>notes</th></tr>\n");
        for (PdfFigureExtractor.FileReport f : files) {
            PdfCounts c = f.counts();
            h.append("<tr><td>").append(esc(f.document())).append("</td>");
            for (int v : new int[] {c.pages(), c.images(), c.decorations(), c.smallImages(), c.figureCaptions(),
                c.pairs(), c.panelPairs(), c.tableImages(), c.unmatchedImages(), c.unmatchedCaptions(), c.duplicates(),
                c.checkerRejected()}) {
                h.append("<td>").append(v).append("</td>");
            }
            String notes = f.error() != null ? "skipped: " + f.error() : String.join("; ", f.warnings());
            h.append("<td>").append(esc(notes)).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Pairs</h2>\n");
        for (Sample s : pairs) {
            h.append("<div class=\"pair\"><a href=\"").append(esc(s.images().get(0))).append("\"><img src=\"")
                    .append(esc(s.images().get(0))).append("\" alt=\"").append(esc(s.id())).append("\"></a><div>")
                    .append("<b>").append(esc(String.valueOf(s.meta().get("figure"))));
            if (s.meta().containsKey("panel")) {
                h.append(" panel ").append(esc(String.valueOf(s.meta().get("panel"))));
            }
            h.append("</b> <span class=\"meta\">").append(esc(s.id())).append(" &middot; ")
                    .append(esc(String.valueOf(s.meta().get("source")))).append(" p.").append(s.meta().get("page"))
                    .append(" &middot; bbox ").append(s.meta().get("bbox")).append(" &middot; caption ")
                    .append(s.meta().get("caption_side")).append(" &middot; ").append(s.meta().get("dpi"))
                    .append(" dpi</span><p>").append(esc(s.caption())).append("</p></div></div>\n");
        }
        h.append("<h2>Left out</h2>\n");
        for (PdfFigureExtractor.FileReport f : files) {
            if (f.unmatched().isEmpty()) {
                continue;
            }
            h.append("<h3>").append(esc(f.document())).append("</h3>\n<div class=\"left\">\n");
            for (PdfFigureExtractor.Unmatched u : f.unmatched()) {
                h.append("<div class=\"pair\">");
                if (u.thumbnail() != null) {
                    h.append("<img src=\"").append(esc(u.thumbnail())).append("\" alt=\"\">");
                }
                h.append("<div><b>").append(esc(u.what())).append("</b> <span class=\"meta\">p.").append(u.page())
                        .append(" bbox ").append(u.bbox()).append("</span><p>").append(esc(u.text()))
                        .append("</p></div></div>\n");
            }
            h.append("</div>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
