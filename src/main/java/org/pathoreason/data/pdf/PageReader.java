package org.pathoreason.data.pdf;

import java.awt.geom.AffineTransform;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pdfbox.contentstream.PDFGraphicsStreamEngine;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDFontDescriptor;
import org.apache.pdfbox.pdmodel.graphics.image.PDImage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.apache.pdfbox.util.Matrix;

/**
 * Reads a page's content stream twice: once as graphics (every raster image with the rectangle its current
 * transformation matrix maps the unit square to, and the boxes of painted vector paths; form XObjects are entered),
 * once as text (PDFBox's text stripper in content-stream order, lines split where a run jumps across a column
 * gutter). Coordinates are points from the visible page's top-left corner.
 */
final class PageReader {

    /** Runs on one baseline further apart than this many font sizes are separate lines (a column gutter). */
    private static final double GUTTER_EMS = 1.5;

    private final PDDocument document;
    /** Hashes of images already decoded, so a logo on every page is decoded once. */
    private final Map<Object, Long> hashes = new IdentityHashMap<>();

    PageReader(PDDocument document) {
        this.document = document;
    }

    /** The content of page {@code index} (0-based). */
    PageContent read(int index) throws IOException {
        PDPage page = document.getPage(index);
        PDRectangle crop = page.getCropBox();
        Graphics graphics = new Graphics(page, index + 1, crop);
        graphics.processPage(page);
        List<TextLine> lines = text(index + 1);
        return new PageContent(index + 1, crop.getWidth(), crop.getHeight(), graphics.images, lines, graphics.drawings);
    }

    private List<TextLine> text(int pageNumber) throws IOException {
        Lines stripper = new Lines();
        stripper.setStartPage(pageNumber);
        stripper.setEndPage(pageNumber);
        stripper.setSortByPosition(false);
        stripper.setSuppressDuplicateOverlappingText(true);
        Writer sink = new StringWriter();
        stripper.writeText(document, sink);
        stripper.flush();
        return stripper.lines;
    }

    /** Collects images and painted paths. */
    private final class Graphics extends PDFGraphicsStreamEngine {
        private final int pageNumber;
        private final double llx;
        private final double lly;
        private final double width;
        private final double height;
        final List<PlacedImage> images = new ArrayList<>();
        final List<Box> drawings = new ArrayList<>();
        private double px0 = Double.MAX_VALUE;
        private double py0 = Double.MAX_VALUE;
        private double px1 = -Double.MAX_VALUE;
        private double py1 = -Double.MAX_VALUE;
        private final Point2D.Float current = new Point2D.Float();

        Graphics(PDPage page, int pageNumber, PDRectangle crop) {
            super(page);
            this.pageNumber = pageNumber;
            this.llx = crop.getLowerLeftX();
            this.lly = crop.getLowerLeftY();
            this.width = crop.getWidth();
            this.height = crop.getHeight();
        }

        @Override
        public void drawImage(PDImage image) throws IOException {
            Matrix ctm = getGraphicsState().getCurrentTransformationMatrix();
            AffineTransform at = ctm.createAffineTransform();
            double[] pts = {0, 0, 1, 0, 0, 1, 1, 1};
            at.transform(pts, 0, pts, 0, 4);
            Box box = toPage(pts);
            if (box == null) {
                return;
            }
            images.add(new PlacedImage(pageNumber, box, image.getWidth(), image.getHeight(), key(image), hash(image)));
        }

        /** The user-space points' bounding box in page coordinates, clipped to the page; null when off the page. */
        private Box toPage(double[] pts) {
            double x0 = Double.MAX_VALUE;
            double y0 = Double.MAX_VALUE;
            double x1 = -Double.MAX_VALUE;
            double y1 = -Double.MAX_VALUE;
            for (int i = 0; i < pts.length; i += 2) {
                double x = pts[i] - llx;
                double y = height - (pts[i + 1] - lly);
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
            }
            x0 = Math.max(0, x0);
            y0 = Math.max(0, y0);
            x1 = Math.min(width, x1);
            y1 = Math.min(height, y1);
            return x1 <= x0 || y1 <= y0 ? null : new Box(x0, y0, x1, y1);
        }

        private String key(PDImage image) {
            if (image instanceof PDImageXObject x) {
                COSObjectKey k = x.getCOSObject().getKey();
                return k != null ? k.getNumber() + " " + k.getGeneration()
                        : "direct@" + System.identityHashCode(x.getCOSObject());
            }
            return null;
        }

        private long hash(PDImage image) {
            Object id = image instanceof PDImageXObject x ? x.getCOSObject() : image;
            Long known = hashes.get(id);
            if (known != null) {
                return known;
            }
            long h;
            try {
                int sub = Math.max(1, Math.min(image.getWidth(), image.getHeight()) / 256);
                BufferedImage img = image instanceof PDImageXObject x ? x.getImage(null, sub) : image.getImage();
                h = img == null ? 0 : PerceptualHash.of(img);
            } catch (IOException | RuntimeException e) {
                h = 0; // an image PDFBox cannot decode (e.g. JPEG 2000 without a codec) still has a place
            }
            hashes.put(id, h);
            return h;
        }

        private void extend(Point2D p) {
            px0 = Math.min(px0, p.getX());
            py0 = Math.min(py0, p.getY());
            px1 = Math.max(px1, p.getX());
            py1 = Math.max(py1, p.getY());
        }

        private void paint() {
            if (px1 >= px0 && py1 >= py0) {
                Box b = toPage(new double[] {px0, py0, px1, py1});
                if (b != null) {
                    drawings.add(b);
                }
            }
            reset();
        }

        private void reset() {
            px0 = Double.MAX_VALUE;
            py0 = Double.MAX_VALUE;
            px1 = -Double.MAX_VALUE;
            py1 = -Double.MAX_VALUE;
        }

        @Override
        public void appendRectangle(Point2D p0, Point2D p1, Point2D p2, Point2D p3) {
            extend(p0);
            extend(p1);
            extend(p2);
            extend(p3);
            current.setLocation(p0.getX(), p0.getY());
        }

        @Override
        public void moveTo(float x, float y) {
            current.setLocation(x, y);
            extend(current);
        }

        @Override
        public void lineTo(float x, float y) {
            current.setLocation(x, y);
            extend(current);
        }

        @Override
        public void curveTo(float x1, float y1, float x2, float y2, float x3, float y3) {
            extend(new Point2D.Float(x1, y1));
            extend(new Point2D.Float(x2, y2));
            current.setLocation(x3, y3);
            extend(current);
        }

        @Override
        public Point2D getCurrentPoint() {
            return current;
        }

        @Override
        public void closePath() {
            // the path's extent is already known
        }

        @Override
        public void endPath() {
            reset(); // "n": a clipping path, nothing painted
        }

        @Override
        public void strokePath() {
            paint();
        }

        @Override
        public void fillPath(int windingRule) {
            paint();
        }

        @Override
        public void fillAndStrokePath(int windingRule) {
            paint();
        }

        @Override
        public void clip(int windingRule) {
            // clipping paints nothing; the path is ended by the next painting or "n" operator
        }

        @Override
        public void shadingFill(COSName shadingName) {
            // gradients fill the clip; not a figure's outline on its own
        }
    }

    /** Collects lines from the text stripper's words. */
    private static final class Lines extends PDFTextStripper {
        final List<TextLine> lines = new ArrayList<>();
        private final List<List<TextPosition>> words = new ArrayList<>();

        Lines() {
            super();
        }

        @Override
        protected void writeString(String text, List<TextPosition> positions) {
            if (!positions.isEmpty()) {
                words.add(new ArrayList<>(positions));
            }
        }

        @Override
        protected void writeLineSeparator() {
            flush();
        }

        @Override
        protected void writeParagraphEnd() {
            flush();
        }

        @Override
        protected void endPage(PDPage page) {
            flush();
        }

        /** Turns the words gathered since the last line break into lines, split at column gutters. */
        void flush() {
            List<List<TextPosition>> run = new ArrayList<>();
            for (List<TextPosition> w : words) {
                if (!run.isEmpty()) {
                    List<TextPosition> prev = run.get(run.size() - 1);
                    TextPosition last = prev.get(prev.size() - 1);
                    TextPosition first = w.get(0);
                    double gap = first.getXDirAdj() - (last.getXDirAdj() + last.getWidthDirAdj());
                    double em = Math.max(1, last.getFontSizeInPt());
                    boolean otherLine = Math.abs(first.getYDirAdj() - last.getYDirAdj()) > 0.6 * em;
                    if (gap > GUTTER_EMS * em || gap < -2 * em || otherLine) {
                        emit(run);
                        run = new ArrayList<>();
                    }
                }
                run.add(w);
            }
            emit(run);
            words.clear();
        }

        private void emit(List<List<TextPosition>> run) {
            if (run.isEmpty()) {
                return;
            }
            StringBuilder text = new StringBuilder();
            double x0 = Double.MAX_VALUE;
            double y0 = Double.MAX_VALUE;
            double x1 = -Double.MAX_VALUE;
            double y1 = -Double.MAX_VALUE;
            for (List<TextPosition> w : run) {
                if (text.length() > 0) {
                    text.append(' ');
                }
                for (TextPosition t : w) {
                    text.append(t.getUnicode());
                    double h = Math.max(t.getHeightDir(), 0.5 * t.getFontSizeInPt());
                    x0 = Math.min(x0, t.getXDirAdj());
                    x1 = Math.max(x1, t.getXDirAdj() + t.getWidthDirAdj());
                    y0 = Math.min(y0, t.getYDirAdj() - h);
                    y1 = Math.max(y1, t.getYDirAdj());
                }
            }
            String s = text.toString().replaceAll("\\s+", " ").strip();
            if (s.isEmpty() || x1 < x0 || y1 < y0) {
                return;
            }
            TextPosition first = run.get(0).get(0);
            List<TextPosition> lastWord = run.get(run.size() - 1);
            TextPosition last = lastWord.get(lastWord.size() - 1);
            lines.add(new TextLine(s, new Box(x0, y0, x1, y1), first.getFontSizeInPt(), bold(first.getFont()),
                    bold(last.getFont())));
        }

        private static boolean bold(PDFont font) {
            if (font == null) {
                return false;
            }
            String name = font.getName() == null ? "" : font.getName().toLowerCase(Locale.ROOT);
            if (name.contains("bold") || name.contains("black") || name.contains("heavy") || name.contains("semibold")
                    || name.contains("demi")) {
                return true;
            }
            PDFontDescriptor d = font.getFontDescriptor();
            return d != null && (d.isForceBold() || d.getFontWeight() >= 600);
        }
    }
}
