package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A whole-slide image in OpenSlide's terms: a pyramid of levels (level 0 the largest), regions read at any level with
 * their top-left corner in level-0 pixels, transparent where the slide holds no tissue data, OpenSlide's property
 * names ({@code openslide.vendor}, {@code openslide.mpp-x}, ...) and associated images (label, macro, thumbnail).
 * Reads are thread-safe. Close the slide to release its file and tile cache.
 */
public interface Slide extends AutoCloseable {

    String PROPERTY_VENDOR = "openslide.vendor";
    String PROPERTY_MPP_X = "openslide.mpp-x";
    String PROPERTY_MPP_Y = "openslide.mpp-y";
    String PROPERTY_OBJECTIVE_POWER = "openslide.objective-power";
    String PROPERTY_COMMENT = "openslide.comment";
    String PROPERTY_BOUNDS_X = "openslide.bounds-x";
    String PROPERTY_BOUNDS_Y = "openslide.bounds-y";
    String PROPERTY_BOUNDS_WIDTH = "openslide.bounds-width";
    String PROPERTY_BOUNDS_HEIGHT = "openslide.bounds-height";

    /** Regions larger than this many pixels are refused (a 16k x 16k region is already 1 GiB of ARGB). */
    long MAX_REGION_PIXELS = 1L << 28;

    Path path();

    SlideBackend backend();

    int levelCount();

    Level level(int level);

    default List<Level> levels() {
        List<Level> out = new ArrayList<>();
        for (int i = 0; i < levelCount(); i++) {
            out.add(level(i));
        }
        return out;
    }

    /** Width and height of level 0. */
    default long width() {
        return level(0).width();
    }

    default long height() {
        return level(0).height();
    }

    /**
     * The level to read for a wanted downsample, as OpenSlide picks it: the most downsampled level whose downsample is
     * not above the wanted one (level 0 for anything below 1).
     */
    default int bestLevelForDownsample(double downsample) {
        int best = 0;
        for (int i = 0; i < levelCount(); i++) {
            if (level(i).downsample() <= downsample + 1e-9) {
                best = i;
            }
        }
        return best;
    }

    /**
     * A region as ARGB pixels (TYPE_INT_ARGB), transparent (alpha 0) where the slide has no data, as OpenSlide's
     * {@code read_region}.
     *
     * @param x left edge in level-0 pixels
     * @param y top edge in level-0 pixels
     * @param level pyramid level to read
     * @param width width in pixels of that level
     * @param height height in pixels of that level
     * @throws SlideException for a level that does not exist, a non-positive or absurd size, or a region wholly
     *     outside the slide
     */
    BufferedImage readRegion(long x, long y, int level, int width, int height);

    /** {@link #readRegion} composited over white: RGB (TYPE_INT_RGB), white where there is no tissue data. */
    default BufferedImage readRegionRgb(long x, long y, int level, int width, int height) {
        return Images.overWhite(readRegion(x, y, level, width, height));
    }

    /** Properties under OpenSlide's names, sorted by name. */
    Map<String, String> properties();

    default Optional<String> property(String name) {
        return Optional.ofNullable(properties().get(name));
    }

    default Optional<Double> doubleProperty(String name) {
        String v = properties().get(name);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Double.parseDouble(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Microns per pixel along x at level 0, when the slide says. */
    default Optional<Double> mppX() {
        return doubleProperty(PROPERTY_MPP_X);
    }

    default Optional<Double> mppY() {
        return doubleProperty(PROPERTY_MPP_Y);
    }

    /** Objective power of level 0 (20, 40, ...), when the slide says. */
    default Optional<Double> objectivePower() {
        return doubleProperty(PROPERTY_OBJECTIVE_POWER);
    }

    default String vendor() {
        return properties().getOrDefault(PROPERTY_VENDOR, "unknown");
    }

    Set<String> associatedImageNames();

    /** An associated image (label, macro, thumbnail, ...) as ARGB. */
    BufferedImage associatedImage(String name);

    /**
     * A thumbnail of the whole slide that fits in {@code maxWidth x maxHeight} keeping the aspect ratio, area-averaged
     * from the best level, over white, as openslide-python's {@code get_thumbnail}.
     */
    default BufferedImage thumbnail(int maxWidth, int maxHeight) {
        return Images.thumbnail(this, maxWidth, maxHeight);
    }

    @Override
    void close();

    /** Checks a region request against the slide; shared by the backends so that both refuse the same requests. */
    default void checkRegion(long x, long y, int level, long width, long height) {
        if (level < 0 || level >= levelCount()) {
            throw new SlideException(path() + ": level " + level + " does not exist (the slide has "
                    + levelCount() + " levels, 0.." + (levelCount() - 1) + ")");
        }
        if (width <= 0 || height <= 0) {
            throw new SlideException(path() + ": region size " + width + " x " + height
                    + " must be positive");
        }
        if (width * height > MAX_REGION_PIXELS) {
            throw new SlideException(path() + ": region " + width + " x " + height + " is larger than "
                    + MAX_REGION_PIXELS + " pixels; read it in tiles");
        }
        Level l = level(level);
        double ds = l.downsample();
        double x1 = x + width * ds;
        double y1 = y + height * ds;
        if (x1 <= 0 || y1 <= 0 || x >= width() || y >= height()) {
            throw new SlideException(path() + ": region x=" + x + " y=" + y + " " + width + " x " + height
                    + " at level " + level + " lies wholly outside the slide (level 0 is " + width() + " x "
                    + height() + ")");
        }
    }
}
