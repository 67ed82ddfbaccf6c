package org.pathoreason.data.pdf;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds caption blocks on a page: a line that starts with a label ({@code Figure 3.}, {@code Fig. 3},
 * {@code FIGURE 3-2}, {@code Fig. 3A}, {@code Figure S1}; also {@code Table 2} and {@code Scheme 1}, which claim
 * their images but make no pairs) and that looks like the start of a caption rather than a sentence about a
 * figure: its label is bold, or the number is followed by {@code .}, {@code :} or {@code |}, or it is set smaller
 * than the page's body text and starts a block (more than a line's spacing below the line above it in its column,
 * or in another font size). The block
 * goes on with the lines below in the same column at the caption's line spacing and font size.
 */
final class CaptionFinder {

    private static final Pattern LABEL = Pattern.compile(
            "^(Figure|FIGURE|Fig\\.?|FIG\\.?|Table|TABLE|Scheme|SCHEME)\\s*((?:S|s)?\\d+(?:[.\\-–]\\d+)?[A-Za-z]?)"
                    + "(?=$|[\\s.:|)\\-–,])\\s*([.:|]?)");
    private static final Pattern PANEL = Pattern.compile("\\(([A-Za-z])\\)");

    private CaptionFinder() {
    }

    static List<Caption> find(PageContent page) {
        List<TextLine> lines = new ArrayList<>();
        for (TextLine l : page.lines()) {
            if (!insideImage(l, page)) {
                lines.add(l);
            }
        }
        lines.sort(Comparator.comparingDouble(TextLine::baseline).thenComparingDouble(l -> l.box().x0()));
        double body = bodySize(lines);
        List<Caption> captions = new ArrayList<>();
        Set<TextLine> used = new HashSet<>();
        for (TextLine start : lines) {
            if (used.contains(start)) {
                continue;
            }
            Matcher m = LABEL.matcher(start.text());
            if (!m.find() || !startsCaption(start, m, lines, body)) {
                continue;
            }
            captions.add(assemble(start, m, lines, used, body));
        }
        return captions;
    }

    private static boolean insideImage(TextLine l, PageContent page) {
        for (PlacedImage im : page.images()) {
            if (im.box().contains(l.box().centerX(), l.box().centerY())) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsCaption(TextLine line, Matcher m, List<TextLine> lines, double bodySize) {
        if (line.firstWordBold() || !m.group(3).isEmpty()) {
            return true;
        }
        // A plain "Figure 3 shows ..." in the body's font is a sentence; a caption set smaller may start a block.
        if (line.fontSize() > bodySize - 0.5) {
            return false;
        }
        TextLine above = null;
        for (TextLine o : lines) {
            if (o == line || o.baseline() >= line.baseline() - 0.3 * line.fontSize()) {
                continue;
            }
            if (o.box().overlapX(line.box()) > 0 && (above == null || o.baseline() > above.baseline())) {
                above = o;
            }
        }
        return above == null || line.baseline() - above.baseline() > 1.6 * line.fontSize()
                || Math.abs(above.fontSize() - line.fontSize()) > 0.5;
    }

    /** The font size most of the page's characters are set in. */
    private static double bodySize(List<TextLine> lines) {
        Map<Long, Integer> chars = new HashMap<>();
        for (TextLine l : lines) {
            chars.merge(Math.round(l.fontSize() * 2), l.text().length(), Integer::sum);
        }
        long best = 0;
        int most = -1;
        for (Map.Entry<Long, Integer> e : chars.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                best = e.getKey();
            }
        }
        return best / 2.0;
    }

    private static Caption assemble(TextLine start, Matcher m, List<TextLine> lines, Set<TextLine> used,
                                    double bodySize) {
        double fs = start.fontSize();
        List<List<TextLine>> rows = new ArrayList<>();
        List<TextLine> first = new ArrayList<>(List.of(start));
        used.add(start);
        // the heading may stand apart from the rest of its line ("Figure 2    Fragment suggested ...")
        double end = start.box().x1();
        for (TextLine o : lines) {
            if (!used.contains(o) && Math.abs(o.baseline() - start.baseline()) < 0.3 * fs
                    && o.box().x0() >= end - 0.5 && o.box().x0() <= end + 4 * fs) {
                first.add(o);
                used.add(o);
                end = o.box().x1();
            }
        }
        rows.add(first);
        Box range = Box.union(first.stream().map(TextLine::box).toList());
        double baseline = start.baseline();
        while (true) {
            List<TextLine> row = new ArrayList<>();
            double next = Double.MAX_VALUE;
            for (TextLine o : lines) {
                double d = o.baseline() - baseline;
                if (used.contains(o) || d < 0.5 * fs || d > 1.9 * fs || !continues(o, range, fs)) {
                    continue;
                }
                next = Math.min(next, o.baseline());
            }
            if (next == Double.MAX_VALUE) {
                break;
            }
            for (TextLine o : lines) {
                if (!used.contains(o) && Math.abs(o.baseline() - next) < 0.3 * fs && continues(o, range, fs)) {
                    row.add(o);
                }
            }
            if (nextCaptionIn(row, range, fs, lines, bodySize)) {
                break;
            }
            used.addAll(row);
            rows.add(row);
            range = range.union(Box.union(row.stream().map(TextLine::box).toList()));
            baseline = next;
        }
        StringBuilder text = new StringBuilder();
        List<Box> boxes = new ArrayList<>();
        boolean boldBefore = false;
        for (int r = 0; r < rows.size(); r++) {
            List<TextLine> row = rows.get(r);
            row.sort(Comparator.comparingDouble(l -> l.box().x0()));
            boolean bold = row.get(row.size() - 1).lastWordBold();
            // a bold title line followed by plain description lines: the title is a sentence of its own
            if (r > 0 && boldBefore && !row.get(0).firstWordBold() && text.length() > 0
                    && ".:;!?".indexOf(text.charAt(text.length() - 1)) < 0) {
                text.append('.');
            }
            for (TextLine l : row) {
                boxes.add(l.box());
                append(text, l.text());
            }
            boldBefore = bold;
        }
        String all = Normalizer.normalize(text.toString(), Normalizer.Form.NFKC).replaceAll("\\s+", " ").strip();
        Matcher head = LABEL.matcher(all);
        String body = all;
        String heading = m.group(1) + " " + m.group(2);
        if (head.find()) {
            heading = head.group(1) + " " + head.group(2);
            body = all.substring(head.end()).replaceFirst("^[\\s.:|\\-–—]+", "").strip();
        }
        Caption.Kind kind = switch (m.group(1).toLowerCase(Locale.ROOT).replace(".", "")) {
            case "table" -> Caption.Kind.TABLE;
            case "scheme" -> Caption.Kind.SCHEME;
            default -> Caption.Kind.FIGURE;
        };
        return new Caption(kind, m.group(2), heading, body, Box.union(boxes), fs, panels(body));
    }

    private static boolean nextCaptionIn(List<TextLine> row, Box range, double fs, List<TextLine> lines,
                                         double bodySize) {
        for (TextLine o : row) {
            Matcher m = LABEL.matcher(o.text());
            if (o.box().x0() <= range.x0() + fs && m.find() && startsCaption(o, m, lines, bodySize)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a line below a caption's last row belongs to it: same font size, starting in the caption's column
     * (a continuation may be wider than a short first row).
     */
    private static boolean continues(TextLine o, Box range, double fs) {
        Box b = o.box();
        return Math.abs(o.fontSize() - fs) <= 0.25 * fs
                && b.x0() >= range.x0() - fs && b.x0() <= range.x0() + 0.5 * range.width();
    }

    /**
     * Joins a line to the text. A line ending in a hyphen joins the next without a space: the hyphen goes when it
     * splits a lower-case word ({@code com-}/{@code pound}), stays otherwise ({@code 33RE-}/{@code binding}).
     */
    private static void append(StringBuilder text, String line) {
        int n = text.length();
        if (n >= 2 && text.charAt(n - 1) == '-' && Character.isLetterOrDigit(text.charAt(n - 2)) && !line.isEmpty()) {
            if (Character.isLowerCase(text.charAt(n - 2)) && Character.isLowerCase(line.charAt(0))) {
                text.setLength(n - 1);
            }
            text.append(line);
        } else {
            if (n > 0) {
                text.append(' ');
            }
            text.append(line);
        }
    }

    /**
     * Per-panel captions: the text before {@code (A)} is shared, each {@code (A)}, {@code (B)}, ... in order
     * starts a panel's own part. Fewer than two panels in sequence: none.
     */
    static Map<String, String> panels(String text) {
        Matcher m = PANEL.matcher(text);
        List<int[]> starts = new ArrayList<>();
        List<String> letters = new ArrayList<>();
        char expect = 0;
        while (m.find()) {
            char c = m.group(1).charAt(0);
            if (expect == 0) {
                if (c == 'A' || c == 'a') {
                    expect = c;
                } else {
                    continue;
                }
            }
            if (c == expect) {
                starts.add(new int[] {m.start(), m.end()});
                letters.add(String.valueOf(Character.toUpperCase(c)));
                expect++;
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (letters.size() < 2) {
            return out;
        }
        String shared = text.substring(0, starts.get(0)[0]).strip().replaceFirst("[\\s:;,]+$", "");
        for (int i = 0; i < letters.size(); i++) {
            int from = starts.get(i)[1];
            int to = i + 1 < starts.size() ? starts.get(i + 1)[0] : text.length();
            String own = text.substring(from, to).strip().replaceFirst("[\\s;,]+$", "");
            String joined = shared.isEmpty() ? own : shared + (shared.endsWith(".") ? " " : ". ") + own;
            out.put(letters.get(i), joined);
        }
        return out;
    }
}
