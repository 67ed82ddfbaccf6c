package org.pathoreason.data.pdf;

import java.util.List;

/**
 * A rectangle on a page in PDF points, origin at the top-left corner of the visible page (the crop box), y
 * growing downwards: the coordinates a reader of the page would use.
 */
public record Box(double x0, double y0, double x1, double y1) {

    public Box {
        if (x1 < x0 || y1 < y0) {
            throw new IllegalArgumentException("box corners out of order: " + x0 + "," + y0 + " " + x1 + "," + y1);
        }
    }

    public double width() {
        return x1 - x0;
    }

    public double height() {
        return y1 - y0;
    }

    public double area() {
        return width() * height();
    }

    public double centerX() {
        return (x0 + x1) / 2;
    }

    public double centerY() {
        return (y0 + y1) / 2;
    }

    public Box union(Box o) {
        return new Box(Math.min(x0, o.x0), Math.min(y0, o.y0), Math.max(x1, o.x1), Math.max(y1, o.y1));
    }

    public static Box union(List<Box> boxes) {
        Box u = boxes.get(0);
        for (Box b : boxes) {
            u = u.union(b);
        }
        return u;
    }

    /** This box grown by {@code margin} on every side and clipped to {@code [0, w] x [0, h]}. */
    public Box expand(double margin, double w, double h) {
        return new Box(Math.max(0, x0 - margin), Math.max(0, y0 - margin), Math.min(w, x1 + margin),
                Math.min(h, y1 + margin));
    }

    /** The width both boxes cover horizontally (0 when they do not overlap). */
    public double overlapX(Box o) {
        return Math.max(0, Math.min(x1, o.x1) - Math.max(x0, o.x0));
    }

    public double overlapY(Box o) {
        return Math.max(0, Math.min(y1, o.y1) - Math.max(y0, o.y0));
    }

    /** Distance between the boxes along x and along y, the larger of the two (0 when they touch or overlap). */
    public double gap(Box o) {
        double dx = Math.max(0, Math.max(o.x0 - x1, x0 - o.x1));
        double dy = Math.max(0, Math.max(o.y0 - y1, y0 - o.y1));
        return Math.max(dx, dy);
    }

    public boolean contains(double x, double y) {
        return x >= x0 && x <= x1 && y >= y0 && y <= y1;
    }

    /** The share of this box's area inside {@code o}. */
    public double fractionInside(Box o) {
        double a = area();
        return a <= 0 ? 0 : overlapX(o) * overlapY(o) / a;
    }

    /** [x0, y0, x1, y1] rounded to 0.1 pt, for JSON. */
    public List<Double> rounded() {
        return List.of(round(x0), round(y0), round(x1), round(y1));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
