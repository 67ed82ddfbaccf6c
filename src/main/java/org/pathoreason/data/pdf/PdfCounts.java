package org.pathoreason.data.pdf;

/**
 * What extraction found, per file or summed over files.
 *
 * @param files PDFs read
 * @param skippedFiles PDFs that could not be read and were skipped
 * @param pages pages read
 * @param pagesWithoutText pages with no text layer (scanned pages need OCR for their captions)
 * @param images raster images drawn (every placement)
 * @param decorations images repeated at one place on many pages (logos, headers, footers)
 * @param smallImages images below the minimum size
 * @param scanImages whole-page images of pages without text
 * @param candidateImages images left to bind to captions
 * @param figureCaptions captions starting "Figure"/"Fig."
 * @param otherCaptions table and scheme captions
 * @param figures figure captions bound to images (or, with vector figures on, to drawings)
 * @param vectorFigures of those, figures rendered from drawings
 * @param pairs figure-caption pairs written (figures less duplicates and checker rejections)
 * @param panelPairs per-panel pairs written besides
 * @param tableImages images claimed by a table or scheme caption
 * @param unmatchedImages candidate images no caption claims
 * @param unmatchedCaptions figure captions with no image
 * @param duplicates figures left out as perceptual duplicates of an earlier one
 * @param checkerRejected figures the vision checker rejected
 */
public record PdfCounts(int files, int skippedFiles, int pages, int pagesWithoutText, int images, int decorations,
                        int smallImages, int scanImages, int candidateImages, int figureCaptions, int otherCaptions,
                        int figures, int vectorFigures, int pairs, int panelPairs, int tableImages,
                        int unmatchedImages, int unmatchedCaptions, int duplicates, int checkerRejected) {

    public static final PdfCounts ZERO = new PdfCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public PdfCounts plus(PdfCounts o) {
        return new PdfCounts(files + o.files, skippedFiles + o.skippedFiles, pages + o.pages,
                pagesWithoutText + o.pagesWithoutText, images + o.images, decorations + o.decorations,
                smallImages + o.smallImages, scanImages + o.scanImages, candidateImages + o.candidateImages,
                figureCaptions + o.figureCaptions, otherCaptions + o.otherCaptions, figures + o.figures,
                vectorFigures + o.vectorFigures, pairs + o.pairs, panelPairs + o.panelPairs,
                tableImages + o.tableImages, unmatchedImages + o.unmatchedImages,
                unmatchedCaptions + o.unmatchedCaptions, duplicates + o.duplicates, checkerRejected + o.checkerRejected);
    }

    public PdfCounts withPairs(int pairs, int panelPairs, int duplicates, int checkerRejected) {
        return new PdfCounts(files, skippedFiles, pages, pagesWithoutText, images, decorations, smallImages,
                scanImages, candidateImages, figureCaptions, otherCaptions, figures, vectorFigures, pairs, panelPairs,
                tableImages, unmatchedImages, unmatchedCaptions, duplicates, checkerRejected);
    }
}
