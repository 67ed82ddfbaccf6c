package org.pathoreason.data.pdf;

import org.pathoreason.data.Task;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Figure-caption pairs from PDFs (journal articles, textbooks), as Patho-R1 builds its continued-pretraining and
 * CLIP data: for every figure caption the images bound to it by layout ({@link FigureFinder}), cropped from the
 * rendered page at the images' own resolution, and one canonical caption sample per figure, plus one per panel
 * when the caption names panels ({@code (A) ... (B) ...}) and the figure has one image per panel.
 *
 * <p>Output folder:
 * <pre>
 *   pairs.jsonl          canonical samples (task caption): caption, images, meta {source, page, bbox, figure,
 *                        label, panel, images, caption_side, phash, dpi}
 *   images/DOC/*.png     the crops
 *   review/DOC/*.png     thumbnails of images no caption claimed (for the contact sheet)
 *   counts.json          counts per file and in total, warnings, unmatched captions and images
 *   contact-sheet.html   every pair and everything left out, to review by eye
 * </pre>
 * The folder appears whole or not at all. Each PDF's results are kept in {@code .OUT.work/} beside it until the
 * folder is written, so a run that stops (or a bad file) does not redo the files already done.
 */
public final class PdfFigureExtractor {

    public static final String PAIRS = "pairs.jsonl";
    public static final String COUNTS = "counts.json";
    public static final String CONTACT_SHEET = "contact-sheet.html";

    /** Bumped when the per-file results change shape, so old work folders are not reused. */
    private static final String FORMAT = "pdf-figures-1";
    private static final double VECTOR_DPI = 216;
    private static final int THUMB_PX = 240;
    private static final Pattern SINGLE_LETTER = Pattern.compile("^\\(?([A-Za-z])\\)?$");

    /** Progress, for a command line to draw; called on the extracting thread. */
    public interface Listener {
        default void file(Path pdf, int index, int total) {
        }

        default void page(Path pdf, int page, int pages) {
        }

        default void fileDone(FileReport report) {
        }
    }

    /**
     * Something left out of the pairs, for review.
     *
     * @param what {@code caption} (a figure caption with no image), {@code image} (an image with no caption),
     *     {@code duplicate} or {@code rejected} (by the checker)
     * @param thumbnail a small picture of it relative to the output folder, or null
     */
    public record Unmatched(int page, String what, String text, List<Double> bbox, String thumbnail) {
    }

    /**
     * One PDF's outcome.
     *
     * @param file the PDF as given
     * @param document the name its outputs carry
     * @param error why it was skipped, or null
     * @param figures the headings of the figures paired, in page order
     */
    public record FileReport(String file, String document, String error, PdfCounts counts, List<String> figures,
                             List<Unmatched> unmatched, List<String> warnings) {
    }

    /** A run's outcome. */
    public record Result(Path out, List<Sample> pairs, List<FileReport> files, PdfCounts total, String checker) {
    }

    private final PdfOptions options;
    private FigureChecker checker;
    private Listener listener = new Listener() { };

    public PdfFigureExtractor(PdfOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Check every pair with this (off by default). */
    public PdfFigureExtractor checker(FigureChecker c) {
        this.checker = c;
        return this;
    }

    public PdfFigureExtractor listener(Listener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /** The PDFs to read: the file itself, or every {@code *.pdf} under a folder, in path order. */
    public static List<Path> inputs(Path fileOrFolder) {
        if (Files.isRegularFile(fileOrFolder)) {
            return List.of(fileOrFolder);
        }
        if (!Files.isDirectory(fileOrFolder)) {
            throw new PdfException(fileOrFolder, "no such file or folder");
        }
        try (Stream<Path> s = Files.walk(fileOrFolder)) {
            List<Path> pdfs = s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pdf"))
                    .sorted().toList();
            if (pdfs.isEmpty()) {
                throw new PdfException(fileOrFolder, "no .pdf files in this folder");
            }
            return pdfs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + fileOrFolder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Extracts the pairs of every PDF into {@code out} (replaced as a whole when done).
     *
     * @throws PdfException naming the file when a PDF cannot be read and {@link PdfOptions#onBadFile()} is STOP;
     *     nothing is written then
     */
    public Result extract(List<Path> pdfs, Path out) {
        Path work = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".work");
        Map<String, Integer> names = new HashMap<>();
        List<Path> done = new ArrayList<>();
        for (int i = 0; i < pdfs.size(); i++) {
            Path pdf = pdfs.get(i);
            listener.file(pdf, i + 1, pdfs.size());
            String doc = documentName(pdf, names);
            Path dir = work.resolve(doc + "-" + key(pdf));
            if (!Files.isRegularFile(dir.resolve("report.json"))) {
                try {
                    AtomicFiles.writeFolder(dir, tmp -> extractOne(pdf, doc, tmp));
                } catch (PdfException e) {
                    if (options.onBadFile() == PdfOptions.OnBadFile.STOP) {
                        throw e;
                    }
                    AtomicFiles.writeFolder(dir, tmp -> writeReport(tmp, new FileReport(pdf.toString(), doc,
                            e.getMessage(), skipped(), List.of(), List.of(), List.of()), List.of()));
                }
            }
            listener.fileDone(readReport(dir));
            done.add(dir);
        }
        Result[] result = new Result[1];
        AtomicFiles.writeFolder(out, tmp -> result[0] = assemble(done, tmp, out));
        AtomicFiles.deleteRecursively(work);
        return result[0];
    }

    private static PdfCounts skipped() {
        return new PdfCounts(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Reads one PDF and writes its pairs, crops and report into {@code dir}. */
    private void extractOne(Path pdf, String doc, Path dir) throws IOException {
        try (PDDocument document = open(pdf)) {
            int n = document.getNumberOfPages();
            if (n == 0) {
                throw new PdfException(pdf, "the PDF has no pages (damaged or truncated?)");
            }
            PageReader reader = new PageReader(document);
            List<PageContent> pages = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                try {
                    pages.add(reader.read(i));
                } catch (IOException | RuntimeException e) {
                    throw new PdfException(pdf, "page " + (i + 1) + " cannot be read (damaged?): " + e.getMessage(), e);
                }
                listener.page(pdf, i + 1, n);
            }
            FigureFinder.Found found = FigureFinder.find(pages, options);
            PDFRenderer renderer = new PDFRenderer(document);
            renderer.setSubsamplingAllowed(false);
            List<Sample> samples = new ArrayList<>();
            List<Unmatched> unmatched = new ArrayList<>();
            List<String> headings = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            int panelPairs = 0;
            int rejected = 0;
            for (FigureFinder.Figure f : found.figures()) {
                Caption c = f.caption();
                String id = uniqueId(doc + "/figure-" + c.label(), f.page(), ids);
                String stem = String.format(Locale.ROOT, "p%02d-figure-%s", f.page(), c.label());
                double dpi = f.vector() ? Math.min(VECTOR_DPI, options.maxDpi()) : dpi(f.images());
                Box region = f.region().expand(1, pages.get(f.page() - 1).width(), pages.get(f.page() - 1).height());
                BufferedImage crop = render(renderer, f.page() - 1, region, dpi, pdf);
                String caption = c.text();
                Map<String, Object> extra = new LinkedHashMap<>();
                if (checker != null) {
                    FigureChecker.Verdict v = checker.check(crop, c.heading(), caption);
                    if (!v.keep()) {
                        rejected++;
                        String thumb = thumbnail(dir, doc, stem + "-rejected", crop);
                        unmatched.add(new Unmatched(f.page(), "rejected", c.heading() + ": " + v.note(),
                                region.rounded(), thumb));
                        continue;
                    }
                    if (v.box() != null) {
                        region = subRegion(region, v.box());
                        crop = render(renderer, f.page() - 1, region, dpi, pdf);
                    }
                    if (v.caption() != null && !v.caption().isBlank() && !v.caption().equals(caption)) {
                        extra.put("caption_extracted", caption);
                        caption = v.caption().strip();
                    }
                    extra.put("checker", v.note());
                }
                String image = writePng(dir, doc, stem, crop);
                Map<String, Object> meta = meta(pdf, f, region, dpi, PerceptualHash.of(crop), null);
                meta.putAll(extra);
                samples.add(pair(id, image, caption, doc, meta));
                headings.add(c.heading());
                Map<String, PlacedImage> panels = panels(f, pages.get(f.page() - 1));
                for (Map.Entry<String, PlacedImage> p : panels.entrySet()) {
                    Box pr = p.getValue().box();
                    BufferedImage pc = render(renderer, f.page() - 1, pr, dpi, pdf);
                    String pimage = writePng(dir, doc, stem + "-" + p.getKey(), pc);
                    Map<String, Object> pmeta = meta(pdf, f, pr, dpi, PerceptualHash.of(pc), p.getKey());
                    samples.add(pair(id + "/" + p.getKey(), pimage, c.panels().get(p.getKey()), doc, pmeta));
                    panelPairs++;
                }
            }
            for (FigureFinder.Unmatched u : found.unmatched()) {
                if (u.caption() != null) {
                    Caption c = u.caption();
                    unmatched.add(new Unmatched(u.page(), "caption", c.heading() + ": " + c.text(), c.box().rounded(),
                            null));
                } else {
                    Box b = u.image().box();
                    BufferedImage crop = render(renderer, u.page() - 1, b, 72, pdf);
                    String thumb = thumbnail(dir, doc, String.format(Locale.ROOT, "p%02d-image-%d-%d", u.page(),
                            Math.round(b.x0()), Math.round(b.y0())), crop);
                    unmatched.add(new Unmatched(u.page(), "image", u.image().pixelWidth() + "x"
                            + u.image().pixelHeight() + " px", b.rounded(), thumb));
                }
            }
            PdfCounts counts = found.counts().withPairs(headings.size(), panelPairs, 0, rejected);
            FileReport report = new FileReport(pdf.toString(), doc, null, counts, headings, unmatched, found.warnings());
            writeReport(dir, report, samples);
        }
    }

    private static PDDocument open(Path pdf) {
        try {
            byte[] head = new byte[1024];
            int n;
            try (InputStream in = Files.newInputStream(pdf)) {
                n = in.readNBytes(head, 0, head.length);
            }
            if (!new String(head, 0, n, StandardCharsets.ISO_8859_1).contains("%PDF-")) {
                throw new PdfException(pdf, "not a PDF (no %PDF- header in its first bytes)");
            }
            return Loader.loadPDF(pdf.toFile());
        } catch (InvalidPasswordException e) {
            throw new PdfException(pdf, "the PDF is encrypted with a password; decrypt it first", e);
        } catch (IOException e) {
            throw new PdfException(pdf, "not a readable PDF (damaged or truncated?): " + e.getMessage(), e);
        }
    }

    /** The id, made unique within the document by the page (and a counter) when a label repeats. */
    private static String uniqueId(String id, int page, Set<String> ids) {
        String out = id;
        if (!ids.add(out)) {
            out = id + "-p" + page;
            for (int k = 2; !ids.add(out); k++) {
                out = id + "-p" + page + "-" + k;
            }
        }
        return out;
    }

    /** The resolution that shows the figure's finest image pixel for pixel, within [72, maxDpi]. */
    private double dpi(List<PlacedImage> images) {
        double ppp = 1;
        for (PlacedImage im : images) {
            ppp = Math.max(ppp, im.pixelsPerPoint());
        }
        return Math.max(72, Math.min(options.maxDpi(), Math.round(72 * ppp)));
    }

    /** A page region rendered at {@code dpi}, on white. */
    static BufferedImage render(PDFRenderer renderer, int pageIndex, Box region, double dpi, Path pdf) {
        double s = dpi / 72;
        int w = Math.max(1, (int) Math.round(region.width() * s));
        int h = Math.max(1, (int) Math.round(region.height() * s));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setBackground(Color.WHITE);
            g.clearRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.translate(-region.x0() * s, -region.y0() * s);
            renderer.renderPageToGraphics(pageIndex, g, (float) s);
        } catch (IOException | RuntimeException e) {
            throw new PdfException(pdf, "page " + (pageIndex + 1) + " cannot be rendered: " + e.getMessage(), e);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Box subRegion(Box region, double[] f) {
        double x0 = clamp01(Math.min(f[0], f[2]));
        double x1 = clamp01(Math.max(f[0], f[2]));
        double y0 = clamp01(Math.min(f[1], f[3]));
        double y1 = clamp01(Math.max(f[1], f[3]));
        if (x1 - x0 < 0.05 || y1 - y0 < 0.05) {
            return region; // a box of nothing: keep the crop
        }
        return new Box(region.x0() + x0 * region.width(), region.y0() + y0 * region.height(),
                region.x0() + x1 * region.width(), region.y0() + y1 * region.height());
    }

    private static double clamp01(double v) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }

    /**
     * The figure's images by panel letter, when its caption names panels and there is one image per panel: by
     * the single-letter label printed on or next to each image if every image has its own, else in reading order.
     */
    static Map<String, PlacedImage> panels(FigureFinder.Figure f, PageContent page) {
        List<String> letters = f.caption().panelLetters();
        Map<String, PlacedImage> out = new LinkedHashMap<>();
        if (letters.size() < 2 || f.images().size() != letters.size()) {
            return out;
        }
        Map<String, PlacedImage> byLabel = new HashMap<>();
        for (PlacedImage im : f.images()) {
            Box near = im.box().expand(12, page.width(), page.height());
            String found = null;
            int count = 0;
            for (TextLine l : page.lines()) {
                Matcher m = SINGLE_LETTER.matcher(l.text().strip());
                if (m.matches() && near.contains(l.box().centerX(), l.box().centerY())) {
                    found = m.group(1).toUpperCase(Locale.ROOT);
                    count++;
                }
            }
            if (count == 1 && letters.contains(found) && !byLabel.containsKey(found)) {
                byLabel.put(found, im);
            }
        }
        if (byLabel.size() == letters.size()) {
            for (String l : letters) {
                out.put(l, byLabel.get(l));
            }
            return out;
        }
        for (int i = 0; i < letters.size(); i++) {
            out.put(letters.get(i), f.images().get(i));
        }
        return out;
    }

    private static Map<String, Object> meta(Path pdf, FigureFinder.Figure f, Box region, double dpi, long hash,
                                            String panel) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("source", pdf.getFileName().toString());
        meta.put("page", f.page());
        meta.put("bbox", region.rounded());
        meta.put("figure", f.caption().heading());
        meta.put("label", f.caption().label());
        if (panel != null) {
            meta.put("panel", panel);
        }
        meta.put("images", f.images().size());
        meta.put("vector", f.vector());
        meta.put("caption_side", f.side().name().toLowerCase(Locale.ROOT));
        meta.put("caption_bbox", f.caption().box().rounded());
        meta.put("phash", PerceptualHash.hex(hash));
        meta.put("dpi", (int) Math.round(dpi));
        return meta;
    }

    /** The one place caption samples are made. */
    private static Sample pair(String id, String image, String caption, String document, Map<String, Object> meta) {
        return new Sample(id, List.of(image), "", List.of(), null, null, null, caption, List.of(), Task.CAPTION,
                document, meta);
    }

    private static String writePng(Path dir, String doc, String stem, BufferedImage img) throws IOException {
        String rel = "images/" + doc + "/" + stem + ".png";
        Path file = dir.resolve(rel);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return rel;
    }

    private static String thumbnail(Path dir, String doc, String stem, BufferedImage img) throws IOException {
        double s = Math.min(1, THUMB_PX / (double) Math.max(img.getWidth(), img.getHeight()));
        int w = Math.max(1, (int) Math.round(img.getWidth() * s));
        int h = Math.max(1, (int) Math.round(img.getHeight() * s));
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        String rel = "review/" + doc + "/" + stem + ".png";
        Path file = dir.resolve(rel);
        Files.createDirectories(file.getParent());
        ImageIO.write(small, "png", file.toFile());
        return rel;
    }

    private static void writeReport(Path dir, FileReport report, List<Sample> samples) throws IOException {
        SampleJsonl.write(dir.resolve(PAIRS), samples);
        Json.PRETTY.writeValue(dir.resolve("report.json").toFile(), report);
    }

    private static FileReport readReport(Path dir) {
        try {
            return Json.MAPPER.readValue(dir.resolve("report.json").toFile(), FileReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("report.json") + ": " + e.getMessage(), e);
        }
    }

    /** Merges the per-file results into the output folder, leaving out figures that duplicate an earlier one. */
    private Result assemble(List<Path> dirs, Path tmp, Path out) throws IOException {
        List<Sample> pairs = new ArrayList<>();
        List<FileReport> reports = new ArrayList<>();
        List<Long> kept = new ArrayList<>();
        PdfCounts total = PdfCounts.ZERO;
        for (Path dir : dirs) {
            FileReport r = readReport(dir);
            for (String sub : List.of("images", "review")) {
                copyTree(dir.resolve(sub), tmp.resolve(sub));
            }
            List<Sample> samples = Files.exists(dir.resolve(PAIRS)) ? SampleJsonl.read(dir.resolve(PAIRS)) : List.of();
            Set<String> dropped = new HashSet<>();
            List<Unmatched> unmatched = new ArrayList<>(r.unmatched());
            List<String> figures = new ArrayList<>(r.figures());
            int panels = 0;
            int dups = 0;
            for (Sample s : samples) {
                boolean panel = s.meta().containsKey("panel");
                String figureId = panel ? s.id().substring(0, s.id().lastIndexOf('/')) : s.id();
                if (panel) {
                    if (!dropped.contains(figureId)) {
                        pairs.add(s);
                        panels++;
                    }
                    continue;
                }
                long h = Long.parseUnsignedLong((String) s.meta().get("phash"), 16);
                boolean dup = false;
                if (options.duplicateBits() >= 0) {
                    for (long k : kept) {
                        if (PerceptualHash.distance(h, k) <= options.duplicateBits()) {
                            dup = true;
                            break;
                        }
                    }
                }
                if (dup) {
                    dropped.add(s.id());
                    dups++;
                    figures.remove(s.meta().get("figure"));
                    unmatched.add(new Unmatched((Integer) s.meta().get("page"), "duplicate",
                            s.meta().get("figure") + ": " + s.caption(), bbox(s), s.images().get(0)));
                } else {
                    kept.add(h);
                    pairs.add(s);
                }
            }
            PdfCounts c = r.counts().withPairs(r.counts().pairs() - dups, panels, dups, r.counts().checkerRejected());
            FileReport fixed = new FileReport(r.file(), r.document(), r.error(), c, figures, unmatched, r.warnings());
            reports.add(fixed);
            total = total.plus(c);
        }
        SampleJsonl.write(tmp.resolve(PAIRS), pairs);
        String checkerName = checker == null ? null : checker.describe();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", total);
        counts.put("options", options);
        if (checkerName != null) {
            counts.put("checker", checkerName);
        }
        counts.put("files", reports);
        Json.PRETTY.writeValue(tmp.resolve(COUNTS).toFile(), counts);
        Files.writeString(tmp.resolve(CONTACT_SHEET), ContactSheet.html(pairs, reports, total), StandardCharsets.UTF_8);
        // the pairs' image paths are relative to the output folder, as written
        return new Result(out, pairs, reports, total, checkerName);
    }

    @SuppressWarnings("unchecked")
    private static List<Double> bbox(Sample s) {
        Object b = s.meta().get("bbox");
        List<Double> out = new ArrayList<>();
        if (b instanceof List<?> l) {
            for (Object o : l) {
                out.add(((Number) o).doubleValue());
            }
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** The file's stem, made safe for paths and ids, and unique within the run. */
    private static String documentName(Path pdf, Map<String, Integer> names) {
        String stem = pdf.getFileName().toString().replaceFirst("(?i)\\.pdf$", "");
        String safe = stem.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        if (safe.isEmpty()) {
            safe = "document";
        }
        int n = names.merge(safe, 1, Integer::sum);
        return n == 1 ? safe : safe + "-" + n;
    }

    /** Content hash of the PDF plus what shapes its results, for reusing finished work. */
    private String key(Path pdf) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(pdf), md)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            // what to do with bad files does not change a good file's results
            String shape = FORMAT + options.withOnBadFile(PdfOptions.OnBadFile.STOP)
                    + (checker == null ? "" : checker.describe());
            md.update(shape.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new PdfException(pdf, "cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
