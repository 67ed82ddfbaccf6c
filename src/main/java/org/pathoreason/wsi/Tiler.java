package org.pathoreason.wsi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Cuts a slide into patches at a level, a magnification or microns per pixel, keeping those over tissue. */
public final class Tiler {

    private Tiler() {
    }

    /**
     * The patch grid of a slide.
     *
     * @param mask tissue mask; null keeps every patch
     * @throws SlideException when the resolution needs an objective power or mpp the slide does not give, or is
     *     finer than level 0
     */
    public static TileGrid tile(Slide slide, TissueMask mask, TilingOptions o) {
        TilingOptions.Resolution r = o.resolution();
        double footprint = switch (r.kind()) {
            case LEVEL -> {
                int level = (int) r.value();
                if (level >= slide.levelCount()) {
                    throw new SlideException(slide.path() + ": level " + level + " does not exist (the slide has "
                            + slide.levelCount() + " levels)");
                }
                yield o.patchSize() * slide.level(level).downsample();
            }
            case MAGNIFICATION -> {
                double power = slide.objectivePower().orElseThrow(() -> new SlideException(slide.path()
                        + ": the slide gives no objective power (" + Slide.PROPERTY_OBJECTIVE_POWER + "), so "
                        + "patches cannot be taken at " + r + "; give a level or --mpp"));
                yield o.patchSize() * power / r.value();
            }
            case MPP -> {
                double mpp = slide.mppX().orElseThrow(() -> new SlideException(slide.path()
                        + ": the slide gives no microns per pixel (" + Slide.PROPERTY_MPP_X + "), so patches "
                        + "cannot be taken at " + r + "; give a level or --magnification"));
                yield o.patchSize() * r.value() / mpp;
            }
        };
        if (footprint < o.patchSize() - 1e-6) {
            throw new SlideException(slide.path() + ": " + r + " is finer than the slide's level 0 (a "
                    + o.patchSize() + "-pixel patch would cover " + String.format("%.1f", footprint)
                    + " level-0 pixels); upsampling is not done");
        }
        int level = r.kind() == TilingOptions.Resolution.Kind.LEVEL ? (int) r.value()
                : slide.bestLevelForDownsample(footprint / o.patchSize());
        Level l = slide.level(level);
        int fp = (int) Math.round(footprint);
        int atLevel = (int) Math.round(footprint / l.downsample());
        int step = (int) Math.round((o.patchSize() - o.overlap()) * footprint / o.patchSize());
        List<long[]> coords = new ArrayList<>();
        List<Double> fractions = new ArrayList<>();
        // as CLAM with its default use_padding: patches at the right and bottom edges may run past the slide
        // (that part reads as white), so tissue there is not lost
        for (long y = 0; y < slide.height(); y += step) {
            for (long x = 0; x < slide.width(); x += step) {
                double f = mask == null ? 1 : mask.fractionIn(x, y, fp, fp);
                if (mask == null || (f >= o.minTissueFraction() && f > 0)) {
                    coords.add(new long[] {x, y});
                    fractions.add(f);
                }
            }
        }
        double[] fr = fractions.stream().mapToDouble(Double::doubleValue).toArray();
        return new TileGrid(name(slide.path()), slide.width(), slide.height(), coords, fr, o.patchSize(), level,
                atLevel, fp, step, r, slide.objectivePower().orElse(0.0), o.overlap(), l.downsample(), l.width(),
                l.height());
    }

    /** A slide's name without its extension, as CLAM names its outputs. */
    public static String name(Path path) {
        String n = path.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
