package org.pathoreason.data.pdf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encrypted, damaged, truncated, image-less and scanned PDFs: a clear message naming the file, nothing half-written. */
class PdfBadInputTest {

    @TempDir
    Path dir;

    private PdfFigureExtractor.Result extract(PdfOptions o, Path out, Path... pdfs) {
        return new PdfFigureExtractor(o).extract(List.of(pdfs), out);
    }

    private Path textbook() throws IOException {
        Path p = dir.resolve("textbook.pdf");
        new TextbookPdf().write(p);
        return p;
    }

    private Path encrypted() throws IOException {
        Path p = dir.resolve("locked.pdf");
        try (PDDocument doc = new PDDocument()) {
            doc.addPage(new PDPage(PDRectangle.A4));
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "user-secret",
                    new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(p.toFile());
        }
        return p;
    }

    private void assertNothingWritten(Path out) throws IOException {
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".partial-"));
        }
    }

    @Test
    void anEncryptedPdfIsNamedAndNothingIsWritten() throws IOException {
        Path locked = encrypted();
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> extract(PdfOptions.defaults(), out, locked))
                .isInstanceOf(PdfException.class)
                .hasMessageStartingWith(locked.toString())
                .hasMessageContaining("encrypted with a password");
        assertNothingWritten(out);
    }

    @Test
    void damagedAndTruncatedFilesAreNamedWithWhatIsWrong() throws IOException {
        Path junk = dir.resolve("junk.pdf");
        Files.writeString(junk, "this is a text file with a .pdf name\n");
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> extract(PdfOptions.defaults(), out, junk))
                .isInstanceOf(PdfException.class).hasMessage(junk + ": not a PDF (no %PDF- header in its first bytes)");

        byte[] whole = Files.readAllBytes(textbook());
        Path cut = dir.resolve("cut.pdf");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 3));
        assertThatThrownBy(() -> extract(PdfOptions.defaults(), out, cut))
                .isInstanceOf(PdfException.class).hasMessageStartingWith(cut + ": ")
                .hasMessageContaining("damaged or truncated");
        assertNothingWritten(out);
    }

    @Test
    void aFailedRunLeavesAnEarlierOutputWholeAndResumesTheFilesItFinished() throws IOException {
        Path good = textbook();
        Path out = dir.resolve("out");
        PdfFigureExtractor.Result first = extract(PdfOptions.defaults(), out, good);
        byte[] pairs = Files.readAllBytes(out.resolve(PdfFigureExtractor.PAIRS));

        Path locked = encrypted();
        List<String> pagesRead = new ArrayList<>();
        PdfFigureExtractor.Listener listener = new PdfFigureExtractor.Listener() {
            @Override
            public void page(Path pdf, int page, int pages) {
                pagesRead.add(pdf.getFileName() + ":" + page);
            }
        };
        assertThatThrownBy(() -> new PdfFigureExtractor(PdfOptions.defaults()).listener(listener)
                .extract(List.of(good, locked), out)).hasMessageContaining("locked.pdf");
        assertThat(Files.readAllBytes(out.resolve(PdfFigureExtractor.PAIRS))).isEqualTo(pairs);
        assertThat(pagesRead).containsExactly("textbook.pdf:1", "textbook.pdf:2", "textbook.pdf:3");

        pagesRead.clear();
        PdfFigureExtractor.Result skipped = new PdfFigureExtractor(PdfOptions.defaults()
                .withOnBadFile(PdfOptions.OnBadFile.SKIP)).listener(listener).extract(List.of(good, locked), out);
        assertThat(pagesRead).as("the finished file is not read again").isEmpty();
        assertThat(skipped.pairs()).hasSameSizeAs(first.pairs());
        assertThat(skipped.total().skippedFiles()).isEqualTo(1);
        assertThat(skipped.files().get(1).error()).contains("locked.pdf", "encrypted");
        assertThat(Files.readString(out.resolve(PdfFigureExtractor.CONTACT_SHEET))).contains("skipped: ");
        assertThat(out.resolveSibling(".out.work")).doesNotExist();
    }

    @Test
    void aPdfWithoutImagesAndAScannedPageGiveNoPairsAndSaySo() throws IOException {
        PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        Path text = dir.resolve("text-only.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(font, 10);
                cs.newLineAtOffset(50, 700);
                cs.showText("Figure 1. A caption of a figure that is not there.");
                cs.endText();
            }
            doc.save(text.toFile());
        }
        Path scan = dir.resolve("scan.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            BufferedImage paper = TextbookPdf.tile("tiatoolbox-he.png");
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.drawImage(LosslessFactory.createFromImage(doc, paper), 0, 0, PDRectangle.A4.getWidth(),
                        PDRectangle.A4.getHeight());
            }
            doc.save(scan.toFile());
        }
        PdfFigureExtractor.Result r = extract(PdfOptions.defaults(), dir.resolve("out"), text, scan);
        assertThat(r.pairs()).isEmpty();
        PdfFigureExtractor.FileReport t = r.files().get(0);
        assertThat(t.warnings()).containsExactly("no images in the file");
        assertThat(t.counts().unmatchedCaptions()).isEqualTo(1);
        PdfFigureExtractor.FileReport s = r.files().get(1);
        assertThat(s.counts().scanImages()).isEqualTo(1);
        assertThat(s.counts().pagesWithoutText()).isEqualTo(1);
        assertThat(s.warnings()).singleElement().asString().contains("1 of 1 pages have no text layer");
        assertThat(dir.resolve("out").resolve(PdfFigureExtractor.PAIRS)).isRegularFile().isEmptyFile();
    }

    @Test
    void aFolderIsReadForItsPdfsAndAnEmptyOneIsAnError() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("books/a"));
        new TextbookPdf().write(folder.resolve("one.PDF"));
        Files.writeString(dir.resolve("books/notes.txt"), "not a pdf");
        assertThat(PdfFigureExtractor.inputs(dir.resolve("books"))).containsExactly(folder.resolve("one.PDF"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> PdfFigureExtractor.inputs(empty)).hasMessage(empty + ": no .pdf files in this folder");
        assertThatThrownBy(() -> PdfFigureExtractor.inputs(dir.resolve("nope")))
                .hasMessageContaining("no such file or folder");
    }
}
