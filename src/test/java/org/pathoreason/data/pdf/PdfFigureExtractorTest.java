package org.pathoreason.data.pdf;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.util.Json;

class PdfFigureExtractorTest {

    static final Path RESOURCES = Path.of("src/test/resources/org/pathoreason/data/pdf");
    static final Path DOUGLAS = RESOURCES.resolve("douglas-2014-clin-sci-ace-inhibitors.pdf");
    static final Path DATTA = RESOURCES.resolve("datta-2010-jtmo-no-figures.pdf");

    @TempDir
    static Path dir;
    static PdfFigureExtractor.Result journal;
    static TextbookPdf book;
    static Path bookPdf;
    static PdfFigureExtractor.Result textbook;

    @BeforeAll
    static void extract() throws IOException {
        journal = new PdfFigureExtractor(PdfOptions.defaults()).extract(List.of(DOUGLAS, DATTA), dir.resolve("journal"));
        book = new TextbookPdf();
        bookPdf = dir.resolve("textbook.pdf");
        book.write(bookPdf);
        textbook = new PdfFigureExtractor(PdfOptions.defaults()).extract(List.of(bookPdf), dir.resolve("book"));
    }

    private static List<Sample> figures(PdfFigureExtractor.Result r) {
        return r.pairs().stream().filter(s -> !s.meta().containsKey("panel")).toList();
    }

    @Test
    void theJournalArticleGivesItsNineFiguresWithTheirCaptions() {
        List<Sample> figs = figures(journal);
        assertThat(figs).extracting(s -> s.meta().get("figure")).containsExactly("Figure 1", "Figure 2", "Figure 3",
                "Figure 4", "Figure 5", "Figure 6", "Figure 7", "Figure S1", "Figure S2");
        assertThat(figs).extracting(s -> s.meta().get("page")).containsExactly(2, 5, 5, 5, 6, 6, 7, 12, 13);
        Map<String, String> captions = figs.stream().collect(Collectors.toMap(s -> (String) s.meta().get("label"),
                Sample::caption));
        assertThat(captions.get("1")).isEqualTo("Structure of compound 33RE");
        assertThat(captions.get("4")).startsWith("Logarithmic scale comparison of the relative 33RE-binding affinity "
                + "of N-domain mutants with that of the wild-type domains (black bars). Relative binding affinity")
                .endsWith("towards more C-domain-like Ki.");
        assertThat(captions.get("5")).startsWith("Crystal structure of N-domain ACE in complex with compound 33RE. "
                + "ACE is shown in cartoon representation (cyan)");
        assertThat(captions.get("6")).startsWith("Binding of compound 33RE to N-domain ACE. (A) Residues of N-domain")
                .contains("(B) Schematic diagram");
        assertThat(captions.get("S1")).isEqualTo(
                "Query fragment that was used to define the region where the computation is performed");
        for (Sample s : figs) {
            assertThat(s.task()).isEqualTo(Task.CAPTION);
            assertThat(s.id()).isEqualTo("douglas-2014-clin-sci-ace-inhibitors/figure-" + s.meta().get("label"));
            assertThat(s.meta()).containsEntry("source", "douglas-2014-clin-sci-ace-inhibitors.pdf")
                    .containsEntry("caption_side", "below");
        }
        // the table of structure images (page 4) and the scheme (page 12) are not figures
        assertThat(figs).noneMatch(s -> s.meta().get("page").equals(4));
        PdfCounts c = journal.files().get(0).counts();
        assertThat(c.figureCaptions()).isEqualTo(9);
        assertThat(c.pairs()).isEqualTo(9);
        assertThat(c.unmatchedCaptions()).isZero();
        assertThat(c.decorations()).isEqualTo(20); // the footer on 13 pages and the header logo on 7
        assertThat(c.tableImages() + c.unmatchedImages() + c.smallImages()).isEqualTo(18 + 3);
    }

    @Test
    void cropsAreWhereIndependentReadersPutTheImagesAtTheirOwnResolution() throws IOException {
        JsonNode ref = Json.MAPPER.readTree(RESOURCES.resolve("pdfplumber-layout.json").toFile())
                .path("files").path(DOUGLAS.getFileName().toString());
        for (Sample s : figures(journal)) {
            int page = (Integer) s.meta().get("page");
            List<Double> bbox = doubles(s.meta().get("bbox"));
            JsonNode match = null;
            for (JsonNode im : ref.get(page - 1).path("images")) {
                if (Math.abs(im.path("bbox").get(0).asDouble() - (bbox.get(0) + 1)) < 0.5
                        && Math.abs(im.path("bbox").get(1).asDouble() - (bbox.get(1) + 1)) < 0.5) {
                    match = im;
                }
            }
            assertThat(match).as("pdfplumber image at %s on page %d", bbox, page).isNotNull();
            for (int i = 0; i < 4; i++) {
                double expected = match.path("bbox").get(i).asDouble() + (i < 2 ? -1 : 1); // crops take 1 pt more
                assertThat(bbox.get(i)).isCloseTo(expected, within(0.3));
            }
            BufferedImage crop = ImageIO.read(journal.out().resolve(s.images().get(0)).toFile());
            int pixels = match.path("pixels").get(0).asInt();
            assertThat(crop.getWidth()).as("crop width of %s", s.id()).isBetween(pixels, pixels + 8);
            // the caption label is where pdfplumber reads it
            List<Double> cap = doubles(s.meta().get("caption_bbox"));
            boolean found = false;
            for (JsonNode l : ref.get(page - 1).path("labels")) {
                found |= Math.abs(l.path("x0").asDouble() - cap.get(0)) < 0.5
                        && Math.abs(l.path("top").asDouble() - cap.get(1)) < 2.5;
            }
            assertThat(found || s.meta().get("label").equals("4")).as("caption of %s at %s", s.id(), cap).isTrue();
        }
    }

    @Test
    void anArticleWithoutFiguresGivesNoPairsAndNoError() {
        PdfFigureExtractor.FileReport datta = journal.files().get(1);
        assertThat(datta.error()).isNull();
        assertThat(datta.counts().pages()).isEqualTo(4);
        assertThat(datta.counts().pairs()).isZero();
        assertThat(datta.counts().images()).isZero();
        assertThat(datta.warnings()).contains("no images in the file");
        assertThat(journal.pairs()).noneMatch(s -> s.id().startsWith("datta"));
    }

    @Test
    void theOutputFolderHoldsPairsCountsAndAContactSheet() throws IOException {
        Path out = journal.out();
        assertThat(SampleJsonl.read(out.resolve(PdfFigureExtractor.PAIRS))).hasSize(9);
        JsonNode counts = Json.MAPPER.readTree(out.resolve(PdfFigureExtractor.COUNTS).toFile());
        assertThat(counts.at("/total/pairs").asInt()).isEqualTo(9);
        assertThat(counts.at("/total/files").asInt()).isEqualTo(2);
        assertThat(counts.at("/files/0/figures").size()).isEqualTo(9);
        String html = Files.readString(out.resolve(PdfFigureExtractor.CONTACT_SHEET));
        assertThat(html).contains("Structure of compound 33RE", "images/douglas-2014-clin-sci-ace-inhibitors/"
                + "p02-figure-1.png", "Left out");
        for (Sample s : journal.pairs()) {
            assertThat(out.resolve(s.images().get(0))).isRegularFile();
        }
        assertThat(out.resolveSibling(".journal.work")).doesNotExist();
    }

    @Test
    void aGeneratedTextbookGivesExactlyTheFiguresItWasBuiltWith() {
        List<Sample> figs = figures(textbook);
        List<TextbookPdf.Expected> raster = book.expected.stream().filter(e -> !e.vector()).toList();
        assertThat(figs).extracting(s -> s.meta().get("label"))
                .containsExactlyInAnyOrderElementsOf(raster.stream().map(TextbookPdf.Expected::label).toList());
        for (TextbookPdf.Expected e : raster) {
            Sample s = figs.stream().filter(f -> f.meta().get("label").equals(e.label())).findFirst().orElseThrow();
            assertThat(s.meta().get("page")).isEqualTo(e.page());
            assertThat(s.meta().get("figure")).isEqualTo(e.heading());
            assertThat(s.caption()).isEqualTo(e.caption());
            List<Double> b = doubles(s.meta().get("bbox"));
            assertThat(b.get(0)).isCloseTo(e.box().x0() - 1, within(0.5));
            assertThat(b.get(1)).isCloseTo(e.box().y0() - 1, within(0.5));
            assertThat(b.get(2)).isCloseTo(e.box().x1() + 1, within(0.5));
            assertThat(b.get(3)).isCloseTo(e.box().y1() + 1, within(0.5));
        }
        assertThat(figs.stream().filter(s -> s.meta().get("label").equals("2-1")).findFirst().orElseThrow().meta())
                .containsEntry("caption_side", "above");
        PdfCounts c = textbook.total();
        assertThat(c.decorations()).isEqualTo(3);             // the logo on each page
        assertThat(c.figureCaptions()).isEqualTo(10);         // "Figure 3 shows ..." in the body is not one
        assertThat(c.otherCaptions()).isEqualTo(1);
        assertThat(c.tableImages()).isEqualTo(4);
        assertThat(c.unmatchedImages()).isEqualTo(1);
        assertThat(c.smallImages()).isEqualTo(1);
        assertThat(c.duplicates()).isEqualTo(1);              // Figure 7 prints Figure 1's image again
        assertThat(c.pairs()).isEqualTo(6);
        assertThat(c.unmatchedCaptions()).isEqualTo(3);       // 5 has no image, 6 is drawn, 8 is too small
        List<String> left = textbook.files().get(0).unmatched().stream()
                .map(u -> u.what() + ":" + u.text().split(":")[0]).toList();
        assertThat(left).contains("caption:Figure 5", "caption:Figure 6", "caption:Figure 8", "duplicate:Figure 7");
    }

    @Test
    void panelCaptionsGoWithTheirPanelsByLabelOrByReadingOrder() throws IOException {
        Map<String, Sample> panels = textbook.pairs().stream().filter(s -> s.meta().containsKey("panel"))
                .collect(Collectors.toMap(Sample::id, s -> s));
        assertThat(panels.keySet()).containsExactlyInAnyOrder("textbook/figure-3/A", "textbook/figure-3/B",
                "textbook/figure-3/C", "textbook/figure-4/A", "textbook/figure-4/B", "textbook/figure-4/C",
                "textbook/figure-4/D");
        for (TextbookPdf.Expected e : book.expected) {
            e.panels().forEach((letter, caption) ->
                    assertThat(panels.get("textbook/figure-" + e.label() + "/" + letter).caption()).isEqualTo(caption));
        }
        // the crops show the tiles that were placed: A of Figure 4 is the fat tile, D the nuclei
        assertThat(hashDistance("textbook/figure-4/A", "crc-adi.png", panels)).isLessThanOrEqualTo(6);
        assertThat(hashDistance("textbook/figure-4/D", "histolab-nuclei.png", panels)).isLessThanOrEqualTo(6);
        assertThat(hashDistance("textbook/figure-3/C", "tiatoolbox-he.png", panels)).isLessThanOrEqualTo(8);
        assertThat(hashDistance("textbook/figure-4/A", "histolab-nuclei.png", panels)).isGreaterThan(12);
        assertThat(textbook.total().panelPairs()).isEqualTo(7);
    }

    private int hashDistance(String id, String tile, Map<String, Sample> pairs) throws IOException {
        BufferedImage crop = ImageIO.read(textbook.out().resolve(pairs.get(id).images().get(0)).toFile());
        return PerceptualHash.distance(PerceptualHash.of(crop), PerceptualHash.of(TextbookPdf.tile(tile)));
    }

    @Test
    void vectorFiguresAreRenderedFromTheirDrawingsWhenAsked() {
        PdfFigureExtractor.Result r = new PdfFigureExtractor(PdfOptions.defaults().withVectorFigures(true))
                .extract(List.of(bookPdf), dir.resolve("book-vector"));
        Sample chart = figures(r).stream().filter(s -> s.meta().get("label").equals("6")).findFirst().orElseThrow();
        TextbookPdf.Expected e = book.expected.stream().filter(TextbookPdf.Expected::vector).findFirst().orElseThrow();
        assertThat(chart.meta()).containsEntry("vector", true).containsEntry("caption_side", "above");
        List<Double> b = doubles(chart.meta().get("bbox"));
        assertThat(b.get(0)).isCloseTo(e.box().x0() - 1, within(1.0));
        assertThat(b.get(1)).isCloseTo(e.box().y0() - 1, within(1.0));
        assertThat(b.get(2)).isCloseTo(e.box().x1() + 1, within(1.0));
        assertThat(b.get(3)).isCloseTo(e.box().y1() + 1, within(2.5));
        assertThat(r.total().vectorFigures()).isEqualTo(1);
        assertThat(r.total().pairs()).isEqualTo(7);
    }

    private static List<Double> doubles(Object o) {
        List<Double> out = new ArrayList<>();
        for (Object v : (List<?>) o) {
            out.add(((Number) v).doubleValue());
        }
        return out;
    }

    @Test
    void optionsRejectNonsense() {
        assertThatThrownBy(() -> PdfOptions.defaults().withMaxDpi(10)).hasMessageContaining("maxDpi");
        assertThatThrownBy(() -> PdfOptions.OnBadFile.parse("later")).hasMessageContaining("stop or skip");
    }
}
