/**
 * Figure-caption pairs from PDFs with Apache PDFBox ({@link org.pathoreason.data.pdf.PdfFigureExtractor}): images
 * placed by the content stream's transformation matrix, text lines with positions, caption blocks found by their
 * labels and bound to figures by layout, page decorations, small images and duplicates left out, crops rendered
 * from the page, canonical caption samples, counts and an HTML contact sheet. An optional vision model checks each
 * pair ({@link org.pathoreason.data.pdf.VisionFigureChecker}).
 */
package org.pathoreason.data.pdf;
