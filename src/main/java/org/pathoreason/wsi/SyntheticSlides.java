package org.pathoreason.wsi;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.data.synth.TileRenderer;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Whole slides for the synthetic world: a near-white glass background with a few pieces of tissue, each painted
 * with the world's tile painter ({@link TileRenderer}) showing its own findings. Lesion pieces show the slide
 * diagnosis's required findings and some of its optional ones; normal pieces show none. The slide is written as a
 * tiled pyramidal TIFF (JPEG tiles, mpp in the resolution tags) with a JSON sidecar saying what is where.
 */
public final class SyntheticSlides {

    /** The painter's tile side; slides are painted one such cell at a time. */
    public static final int CELL = 256;

    /**
     * @param width level-0 width in pixels
     * @param height level-0 height
     * @param lesions pieces showing the diagnosis's findings
     * @param normals pieces of normal tissue
     */
    public record Options(int width, int height, int lesions, int normals) {
        public Options {
            if (width < 4 * CELL || height < 4 * CELL || width > 65536 || height > 65536) {
                throw new IllegalArgumentException("synthetic slide size must be " + 4 * CELL + "..65536 a side, got "
                        + width + " x " + height);
            }
            if (lesions < 1 || normals < 0 || lesions + normals > 12) {
                throw new IllegalArgumentException("a synthetic slide needs 1..12 pieces, at least one lesion; got "
                        + lesions + " lesions and " + normals + " normal pieces");
            }
        }

        public static Options defaults() {
            return new Options(4096, 3072, 2, 1);
        }
    }

    /** A piece of tissue: its findings (empty for normal tissue) and bounding box in level-0 pixels. */
    public record Piece(String kind, List<String> findings, int x, int y, int width, int height) {
    }

    /** What a synthetic slide shows. */
    public record Spec(String id, String diagnosis, long seed, int width, int height, double micronsPerPixel,
            List<Piece> pieces) {

        /** Findings seen anywhere on the slide, in order of first appearance. */
        public List<String> findings() {
            Set<String> all = new LinkedHashSet<>();
            for (Piece p : pieces) {
                all.addAll(p.findings());
            }
            return List.copyOf(all);
        }
    }

    private SyntheticSlides() {
    }

    /** Plans a slide of {@code diagnosis}: where the pieces go and what each shows. */
    public static Spec plan(SynthWorld world, String id, String diagnosis, long seed, Options o) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Piece> pieces = new ArrayList<>();
        int n = o.lesions() + o.normals();
        // pieces on a rough grid of slots so that they do not overlap
        int cols = (int) Math.ceil(Math.sqrt(n * (double) o.width() / o.height()));
        int rows = (int) Math.ceil((double) n / cols);
        int slotW = o.width() / cols;
        int slotH = o.height() / rows;
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < cols * rows; i++) {
            slots.add(i);
        }
        for (int i = slots.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = slots.get(i);
            slots.set(i, slots.get(j));
            slots.set(j, t);
        }
        List<String> optional = world.optional(diagnosis);
        for (int i = 0; i < n; i++) {
            int slot = slots.get(i);
            int w = (int) (slotW * (0.55 + 0.35 * rnd.nextDouble()));
            int h = (int) (slotH * (0.55 + 0.35 * rnd.nextDouble()));
            int x = (slot % cols) * slotW + rnd.nextInt(Math.max(1, slotW - w));
            int y = (slot / cols) * slotH + rnd.nextInt(Math.max(1, slotH - h));
            List<String> findings = new ArrayList<>();
            String kind = i < o.lesions() ? "lesion" : "normal";
            if (kind.equals("lesion")) {
                findings.addAll(world.required(diagnosis));
                for (String f : optional) {
                    if (rnd.nextBoolean()) {
                        findings.add(f);
                    }
                }
            }
            pieces.add(new Piece(kind, List.copyOf(findings), x, y, w, h));
        }
        return new Spec(id, diagnosis, seed, o.width(), o.height(), new TileRenderer(CELL).micronsPerPixel(),
                List.copyOf(pieces));
    }

    /** Paints the slide's level 0. */
    public static BufferedImage paint(SynthWorld world, Spec spec) {
        BufferedImage img = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
        SplittableRandom rnd = new SplittableRandom(spec.seed() ^ 0x5EED5L);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(0xF3F1F2));
            g.fillRect(0, 0, spec.width(), spec.height());
            TileRenderer renderer = new TileRenderer(CELL);
            for (int i = 0; i < spec.pieces().size(); i++) {
                Piece p = spec.pieces().get(i);
                Shape shape = blob(p, rnd);
                g.setClip(shape);
                var drawable = world.drawable(new LinkedHashSet<>(p.findings()));
                for (int cy = p.y() / CELL * CELL; cy < p.y() + p.height(); cy += CELL) {
                    for (int cx = p.x() / CELL * CELL; cx < p.x() + p.width(); cx += CELL) {
                        if (!shape.intersects(cx, cy, CELL, CELL)) {
                            continue;
                        }
                        long tileSeed = spec.seed() * 1_000_003L + i * 65_537L + (long) cy * 131 + cx;
                        g.drawImage(renderer.render(drawable, tileSeed), cx, cy, null);
                    }
                }
            }
            g.setClip(null);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** An irregular closed outline inside the piece's box. */
    private static Shape blob(Piece p, SplittableRandom rnd) {
        int points = 28;
        double cx = p.x() + p.width() / 2.0;
        double cy = p.y() + p.height() / 2.0;
        double[] r = new double[points];
        for (int i = 0; i < points; i++) {
            r[i] = 0.78 + 0.22 * rnd.nextDouble();
        }
        Polygon poly = new Polygon();
        for (int i = 0; i < points; i++) {
            // smooth the radii with their neighbours so the outline is lobed, not spiky
            double rr = (r[(i + points - 1) % points] + 2 * r[i] + r[(i + 1) % points]) / 4;
            double a = 2 * Math.PI * i / points;
            poly.addPoint((int) Math.round(cx + Math.cos(a) * rr * p.width() / 2),
                    (int) Math.round(cy + Math.sin(a) * rr * p.height() / 2));
        }
        return new Area(poly);
    }

    /** Paints and writes {@code dir/ID.tiff} and {@code dir/ID.json}; returns the slide file. */
    public static Path write(SynthWorld world, Spec spec, Path dir) {
        BufferedImage img = paint(world, spec);
        Path tiff = dir.resolve(spec.id() + ".tiff");
        String description = "PathoReason synthetic slide|id = " + spec.id() + "|diagnosis = " + spec.diagnosis()
                + "|seed = " + spec.seed();
        PyramidTiffWriter.write(tiff, PyramidTiffWriter.source(img), PyramidTiffWriter.Options.defaults()
                .withMicronsPerPixel(spec.micronsPerPixel()).withDescription(description));
        Map<String, Object> side = new LinkedHashMap<>();
        side.put("id", spec.id());
        side.put("slide", tiff.getFileName().toString());
        side.put("diagnosis", spec.diagnosis());
        side.put("diagnosis_name", world.name(spec.diagnosis()));
        side.put("seed", spec.seed());
        side.put("width", spec.width());
        side.put("height", spec.height());
        side.put("mpp", spec.micronsPerPixel());
        side.put("pieces", spec.pieces());
        try {
            AtomicFiles.writeString(dir.resolve(spec.id() + ".json"), Json.PRETTY.writeValueAsString(side) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return tiff;
    }
}
