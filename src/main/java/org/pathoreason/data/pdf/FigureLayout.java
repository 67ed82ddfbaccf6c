package org.pathoreason.data.pdf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds images to captions on one page by layout. Images close together with no prose between them form one group
 * (the panels of a figure), unless its images have different captions of their own (two captioned figures across
 * a gutter), which splits it. A group's candidate captions are those directly above or below it (or, failing that,
 * beside it) that share its column, within {@code maxGap} of the page height, with no prose line or other caption
 * in between. Groups with one candidate decide first; the side they found their caption on (above or below) is
 * the page's habit and counts for the ambiguous ones, which then take the nearest caption, weighing a caption on
 * the other side, or one that already has a group on its other side, less.
 */
final class FigureLayout {

    /** Text lines at least this long are prose that separates a figure from a caption. */
    private static final int PROSE_CHARS = 25;

    /** Where a caption sits relative to its images. */
    enum Side { ABOVE, BELOW, BESIDE }

    /** Images bound to one caption. */
    record Bound(Caption caption, List<PlacedImage> images, Side side) {
        Box region() {
            return Box.union(images.stream().map(PlacedImage::box).toList());
        }
    }

    /**
     * What a page's layout gives.
     *
     * @param bound figure, table and scheme captions with their images (captions without images are absent)
     * @param unboundImages images no caption claims
     * @param unboundCaptions captions without images
     */
    record Result(List<Bound> bound, List<PlacedImage> unboundImages, List<Caption> unboundCaptions) {
    }

    private record Candidate(List<PlacedImage> group, Caption caption, Side side, double gap) {
    }

    private FigureLayout() {
    }

    static Result bind(PageContent page, List<PlacedImage> images, List<Caption> captions, double maxGapShare,
                       double groupGapShare) {
        List<Box> blockers = blockers(page, captions);
        double maxGap = maxGapShare * page.height();
        List<List<PlacedImage>> groups = new ArrayList<>();
        for (List<PlacedImage> g : groups(images, blockers, groupGapShare * page.height())) {
            groups.addAll(splitByOwnCaptions(g, captions, blockers, maxGap));
        }
        Map<List<PlacedImage>, List<Candidate>> byGroup = new IdentityHashMap<>();
        for (List<PlacedImage> g : groups) {
            byGroup.put(g, candidates(g, captions, blockers, maxGap));
        }
        Map<List<PlacedImage>, Candidate> chosen = new IdentityHashMap<>();
        int above = 0;
        int below = 0;
        for (List<PlacedImage> g : groups) {
            List<Candidate> c = byGroup.get(g);
            if (c.size() == 1) {
                chosen.put(g, c.get(0));
                above += c.get(0).side() == Side.ABOVE ? 1 : 0;
                below += c.get(0).side() == Side.BELOW ? 1 : 0;
            }
        }
        Side habit = above > below ? Side.ABOVE : Side.BELOW;
        // the ambiguous groups, nearest first, so a close pair is settled before a distant one weighs in
        List<List<PlacedImage>> open = new ArrayList<>();
        for (List<PlacedImage> g : groups) {
            if (byGroup.get(g).size() > 1) {
                open.add(g);
            }
        }
        open.sort(Comparator.comparingDouble(g -> byGroup.get(g).stream().mapToDouble(Candidate::gap).min().orElse(0)));
        for (List<PlacedImage> g : open) {
            Candidate best = null;
            double bestCost = Double.MAX_VALUE;
            for (Candidate c : byGroup.get(g)) {
                double cost = Math.max(c.gap(), 1) * (c.side() == habit ? 1 : 1.5);
                if (takenOnOtherSide(chosen, c)) {
                    cost *= 2;
                }
                if (cost < bestCost) {
                    bestCost = cost;
                    best = c;
                }
            }
            chosen.put(g, best);
        }
        Map<Caption, List<PlacedImage>> imagesOf = new LinkedHashMap<>();
        Map<Caption, Side> sideOf = new IdentityHashMap<>();
        List<PlacedImage> unbound = new ArrayList<>();
        for (List<PlacedImage> g : groups) {
            Candidate c = chosen.get(g);
            if (c == null) {
                unbound.addAll(g);
            } else {
                imagesOf.computeIfAbsent(c.caption(), k -> new ArrayList<>()).addAll(g);
                sideOf.putIfAbsent(c.caption(), c.side());
            }
        }
        List<Bound> bound = new ArrayList<>();
        List<Caption> unboundCaptions = new ArrayList<>();
        for (Caption k : captions) {
            List<PlacedImage> ims = imagesOf.get(k);
            if (ims == null) {
                unboundCaptions.add(k);
            } else {
                bound.add(new Bound(k, readingOrder(ims), sideOf.get(k)));
            }
        }
        return new Result(bound, unbound, unboundCaptions);
    }

    private static boolean takenOnOtherSide(Map<List<PlacedImage>, Candidate> chosen, Candidate c) {
        for (Candidate o : chosen.values()) {
            if (o.caption() == c.caption() && o.side() != c.side()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A group whose images have different nearest captions (two figures side by side across a narrow gutter, each
     * captioned) becomes one group per caption; an image with no caption of its own joins the nearest image's.
     */
    private static List<List<PlacedImage>> splitByOwnCaptions(List<PlacedImage> group, List<Caption> captions,
                                                              List<Box> blockers, double maxGap) {
        if (group.size() < 2) {
            return List.of(group);
        }
        Map<PlacedImage, Caption> own = new IdentityHashMap<>();
        Set<Caption> claimers = new HashSet<>();
        for (PlacedImage im : group) {
            Candidate best = null;
            for (Candidate c : candidates(List.of(im), captions, blockers, maxGap)) {
                if (c.side() != Side.BESIDE && (best == null || c.gap() < best.gap())) {
                    best = c;
                }
            }
            if (best != null) {
                own.put(im, best.caption());
                claimers.add(best.caption());
            }
        }
        if (claimers.size() < 2) {
            return List.of(group);
        }
        Map<Caption, List<PlacedImage>> parts = new LinkedHashMap<>();
        for (PlacedImage im : group) {
            Caption c = own.get(im);
            if (c == null) {
                PlacedImage nearest = null;
                for (PlacedImage o : own.keySet()) {
                    if (nearest == null || im.box().gap(o.box()) < im.box().gap(nearest.box())) {
                        nearest = o;
                    }
                }
                c = own.get(nearest);
            }
            parts.computeIfAbsent(c, k -> new ArrayList<>()).add(im);
        }
        return new ArrayList<>(parts.values());
    }

    /** Rows top to bottom, left to right within a row (images whose vertical extents overlap share a row). */
    static List<PlacedImage> readingOrder(List<PlacedImage> images) {
        List<PlacedImage> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparingDouble(i -> i.box().y0()));
        List<List<PlacedImage>> rows = new ArrayList<>();
        for (PlacedImage im : sorted) {
            List<PlacedImage> row = rows.isEmpty() ? null : rows.get(rows.size() - 1);
            if (row != null && row.stream().anyMatch(o -> o.box().overlapY(im.box())
                    > 0.5 * Math.min(o.box().height(), im.box().height()))) {
                row.add(im);
            } else {
                rows.add(new ArrayList<>(List.of(im)));
            }
        }
        List<PlacedImage> out = new ArrayList<>();
        for (List<PlacedImage> row : rows) {
            row.sort(Comparator.comparingDouble(i -> i.box().x0()));
            out.addAll(row);
        }
        return out;
    }

    /** Prose lines and every caption: what may not lie between a figure and its caption. */
    private static List<Box> blockers(PageContent page, List<Caption> captions) {
        List<Box> out = new ArrayList<>();
        for (Caption c : captions) {
            out.add(c.box());
        }
        outer:
        for (TextLine l : page.lines()) {
            if (l.text().length() < PROSE_CHARS) {
                continue;
            }
            for (Caption c : captions) {
                if (l.box().fractionInside(c.box()) > 0.5) {
                    continue outer;
                }
            }
            for (PlacedImage im : page.images()) {
                if (l.box().fractionInside(im.box()) > 0.5) {
                    continue outer; // text drawn over a figure is part of it
                }
            }
            out.add(l.box());
        }
        return out;
    }

    /** Whether a blocker lies in the vertical space between two boxes, across the columns they share. */
    private static boolean blockedVertically(Box a, Box b, List<Box> blockers, Box ignore) {
        Box upper = a.y0() <= b.y0() ? a : b;
        Box lower = upper == a ? b : a;
        double x0 = Math.max(upper.x0(), lower.x0());
        double x1 = Math.min(upper.x1(), lower.x1());
        for (Box k : blockers) {
            if (k == ignore) {
                continue;
            }
            boolean between = k.y0() >= upper.y1() - 1 && k.y1() <= lower.y0() + 1;
            boolean across = Math.min(k.x1(), x1) - Math.max(k.x0(), x0) > 0;
            if (between && across) {
                return true;
            }
        }
        return false;
    }

    /** Groups images joined by gaps of at most {@code maxGap} with nothing written between them. */
    private static List<List<PlacedImage>> groups(List<PlacedImage> images, List<Box> blockers, double maxGap) {
        int n = images.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                Box a = images.get(i).box();
                Box b = images.get(j).box();
                if (a.gap(b) > maxGap) {
                    continue;
                }
                boolean sideBySide = a.overlapY(b) > 0;
                boolean stacked = a.overlapX(b) > 0;
                if (sideBySide || (stacked && !blockedVertically(a, b, blockers, null))) {
                    parent[find(parent, i)] = find(parent, j);
                }
            }
        }
        Map<Integer, List<PlacedImage>> byRoot = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byRoot.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(images.get(i));
        }
        return new ArrayList<>(byRoot.values());
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static List<Candidate> candidates(List<PlacedImage> group, List<Caption> captions, List<Box> blockers,
                                              double maxGap) {
        Box g = Box.union(group.stream().map(PlacedImage::box).toList());
        List<Candidate> vertical = new ArrayList<>();
        List<Candidate> beside = new ArrayList<>();
        Set<Caption> seen = new HashSet<>();
        for (Caption k : captions) {
            Box c = k.box();
            if (!seen.add(k)) {
                continue;
            }
            if (g.overlapX(c) >= 0.3 * Math.min(g.width(), c.width())) {
                double below = c.y0() - g.y1();
                double above = g.y0() - c.y1();
                if (below >= -2 && below <= maxGap && !blockedVertically(g, c, blockers, c)) {
                    vertical.add(new Candidate(group, k, Side.BELOW, Math.max(0, below)));
                } else if (above >= -2 && above <= maxGap && !blockedVertically(g, c, blockers, c)) {
                    vertical.add(new Candidate(group, k, Side.ABOVE, Math.max(0, above)));
                }
            } else if (g.overlapY(c) >= 0.3 * Math.min(g.height(), c.height())) {
                double gap = Math.max(c.x0() - g.x1(), g.x0() - c.x1());
                if (gap >= -2 && gap <= 0.5 * maxGap) {
                    beside.add(new Candidate(group, k, Side.BESIDE, Math.max(0, gap)));
                }
            }
        }
        return vertical.isEmpty() ? beside : vertical;
    }
}
