package org.pathoreason.data.pdf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the figures of a document in its pages: leaves out page decorations, small images and scanned pages,
 * finds captions, binds images to them by layout ({@link FigureLayout}) and, when asked, takes drawings under
 * captions that have no image as vector figures.
 */
final class FigureFinder {

    /** Page-wide drawings thinner than this many points are rules (header and footer lines), not figures. */
    private static final double RULE_POINTS = 2;

    /**
     * A figure: its caption, the images that make it (reading order) and the page region to crop.
     *
     * @param vector true when drawn with vector graphics (no images)
     */
    record Figure(int page, Caption caption, List<PlacedImage> images, Box region, FigureLayout.Side side,
                  boolean vector) {
    }

    /** A caption without a figure, or an image without a caption, with its page. */
    record Unmatched(int page, Caption caption, PlacedImage image) {
    }

    record Found(List<Figure> figures, List<Unmatched> unmatched, PdfCounts counts, List<String> warnings) {
    }

    private FigureFinder() {
    }

    static Found find(List<PageContent> pages, PdfOptions o) {
        Set<PlacedImage> decorations = decorations(pages, o.decorationShare());
        List<Figure> figures = new ArrayList<>();
        List<Unmatched> unmatched = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int images = 0;
        int small = 0;
        int scans = 0;
        int candidates = 0;
        int noText = 0;
        int figureCaptions = 0;
        int otherCaptions = 0;
        int tableImages = 0;
        int unmatchedImages = 0;
        int unmatchedCaptions = 0;
        int vectors = 0;
        for (PageContent page : pages) {
            images += page.images().size();
            boolean text = page.hasText();
            if (!text) {
                noText++;
            }
            List<PlacedImage> keep = new ArrayList<>();
            for (PlacedImage im : page.images()) {
                if (decorations.contains(im)) {
                    continue;
                }
                if (!text && im.box().area() >= 0.5 * page.width() * page.height()) {
                    scans++;
                } else if (Math.min(im.box().width(), im.box().height()) < o.minSidePoints()
                        || Math.min(im.pixelWidth(), im.pixelHeight()) < o.minSidePixels()) {
                    small++;
                } else {
                    keep.add(im);
                }
            }
            candidates += keep.size();
            List<Caption> captions = CaptionFinder.find(page);
            for (Caption c : captions) {
                if (c.kind() == Caption.Kind.FIGURE) {
                    figureCaptions++;
                } else {
                    otherCaptions++;
                }
            }
            FigureLayout.Result r = FigureLayout.bind(page, keep, captions, o.maxCaptionGap(), o.groupGap());
            for (FigureLayout.Bound b : r.bound()) {
                if (b.caption().kind() == Caption.Kind.FIGURE) {
                    figures.add(new Figure(page.page(), b.caption(), b.images(), b.region(), b.side(), false));
                } else {
                    tableImages += b.images().size();
                }
            }
            for (PlacedImage im : r.unboundImages()) {
                unmatched.add(new Unmatched(page.page(), null, im));
                unmatchedImages++;
            }
            for (Caption c : r.unboundCaptions()) {
                if (c.kind() != Caption.Kind.FIGURE) {
                    continue;
                }
                VectorRegions.Drawn drawn = o.vectorFigures() ? VectorRegions.under(page, c, captions, o.maxCaptionGap() * page.height(),
                        o.minSidePoints()) : null;
                if (drawn != null) {
                    figures.add(new Figure(page.page(), c, List.of(), drawn.region(), drawn.side(), true));
                    vectors++;
                } else {
                    unmatched.add(new Unmatched(page.page(), c, null));
                    unmatchedCaptions++;
                }
            }
        }
        if (noText > 0) {
            warnings.add(noText + " of " + pages.size() + " pages have no text layer (scanned?); captions on them "
                    + "cannot be found without OCR");
        }
        if (images == 0) {
            warnings.add("no images in the file");
        }
        figures.sort(Comparator.comparingInt(Figure::page).thenComparingDouble(f -> f.region().y0()));
        PdfCounts counts = new PdfCounts(1, 0, pages.size(), noText, images, decorations.size(), small, scans,
                candidates, figureCaptions, otherCaptions, figures.size(), vectors, 0, 0, tableImages,
                unmatchedImages, unmatchedCaptions, 0, 0);
        return new Found(figures, unmatched, counts, warnings);
    }

    /**
     * Images drawn at the same place (centre within 8 pt, size within 10%) with the same look (the same image
     * object, or perceptual hashes within 4 bits) on at least {@code share} of the pages and on 3 pages or more.
     */
    static Set<PlacedImage> decorations(List<PageContent> pages, double share) {
        int need = Math.max(3, (int) Math.ceil(share * pages.size()));
        List<PlacedImage> all = new ArrayList<>();
        for (PageContent p : pages) {
            all.addAll(p.images());
        }
        Set<PlacedImage> out = new HashSet<>();
        for (PlacedImage a : all) {
            if (out.contains(a)) {
                continue;
            }
            Set<Integer> onPages = new HashSet<>();
            List<PlacedImage> same = new ArrayList<>();
            for (PlacedImage b : all) {
                if (sameDecoration(a, b)) {
                    onPages.add(b.page());
                    same.add(b);
                }
            }
            if (onPages.size() >= need) {
                out.addAll(same);
            }
        }
        return out;
    }

    private static boolean sameDecoration(PlacedImage a, PlacedImage b) {
        boolean look = (a.objectKey() != null && a.objectKey().equals(b.objectKey()))
                || PerceptualHash.distance(a.hash(), b.hash()) <= 4;
        return look && Math.abs(a.box().centerX() - b.box().centerX()) <= 8
                && Math.abs(a.box().centerY() - b.box().centerY()) <= 8
                && Math.abs(a.box().width() - b.box().width()) <= 0.1 * Math.max(a.box().width(), b.box().width())
                && Math.abs(a.box().height() - b.box().height()) <= 0.1 * Math.max(a.box().height(), b.box().height());
    }

    /** Vector drawings next to a caption. */
    static final class VectorRegions {

        record Drawn(Box region, FigureLayout.Side side) {
        }

        private VectorRegions() {
        }

        /**
         * The drawings directly above or below a caption (whichever is nearer) that hang together (gaps of at most
         * 6 pt), with the short text lines (labels) among them; null when there is none within {@code maxGap} or
         * the region is smaller than {@code minSide}.
         */
        static Drawn under(PageContent page, Caption caption, List<Caption> captions, double maxGap, double minSide) {
            List<Box> drawings = new ArrayList<>();
            for (Box d : page.drawings()) {
                boolean rule = d.width() >= 0.8 * page.width() && d.height() < RULE_POINTS;
                boolean pageFrame = d.width() >= 0.95 * page.width() && d.height() >= 0.95 * page.height();
                if (!rule && !pageFrame) {
                    drawings.add(d);
                }
            }
            Drawn best = null;
            for (FigureLayout.Side side : List.of(FigureLayout.Side.ABOVE, FigureLayout.Side.BELOW)) {
                Box region = grow(page, caption, captions, drawings, side, maxGap);
                if (region != null && Math.min(region.width(), region.height()) >= minSide
                        && (best == null || gap(caption.box(), region) < gap(caption.box(), best.region()))) {
                    best = new Drawn(region, side);
                }
            }
            return best;
        }

        private static double gap(Box caption, Box region) {
            return Math.max(region.y0() - caption.y1(), caption.y0() - region.y1());
        }

        private static Box grow(PageContent page, Caption caption, List<Caption> captions, List<Box> drawings,
                                FigureLayout.Side side, double maxGap) {
            Box c = caption.box();
            Box seed = null;
            double seedGap = Double.MAX_VALUE;
            for (Box d : drawings) {
                if (d.overlapX(c) <= 0) {
                    continue;
                }
                double g = side == FigureLayout.Side.ABOVE ? c.y0() - d.y1() : d.y0() - c.y1();
                if (g >= -1 && g <= maxGap && g < seedGap) {
                    seed = d;
                    seedGap = g;
                }
            }
            if (seed == null) {
                return null;
            }
            List<Box> pieces = new ArrayList<>(drawings);
            for (TextLine l : page.lines()) {
                if (l.text().length() < 25) {
                    pieces.add(l.box());
                }
            }
            Box region = seed;
            boolean grew = true;
            while (grew) {
                grew = false;
                for (Box d : pieces) {
                    if (d.fractionInside(region) >= 1 || region.gap(d) > 6) {
                        continue;
                    }
                    Box next = region.union(d);
                    boolean crossesCaption = false;
                    for (Caption k : captions) {
                        if (k.box().overlapX(next) > 0 && k.box().overlapY(next) > 0) {
                            crossesCaption = true;
                        }
                    }
                    if (!crossesCaption) {
                        region = next;
                        grew = true;
                    }
                }
            }
            return region;
        }
    }
}
