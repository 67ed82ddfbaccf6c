package org.pathoreason.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.pathoreason.util.Progress;
import org.pathoreason.wsi.ClipPatchEncoder;
import org.pathoreason.wsi.ClipTileSelector;
import org.pathoreason.wsi.CoordsFiles;
import org.pathoreason.wsi.ImageEncoder;
import org.pathoreason.wsi.DeepZoomWriter;
import org.pathoreason.wsi.FeatureExtractor;
import org.pathoreason.wsi.FeatureListener;
import org.pathoreason.wsi.Level;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.eval.SlideEvaluation;
import org.pathoreason.wsi.SlideIndex;
import org.pathoreason.wsi.SlideQuestions;
import org.pathoreason.wsi.SyntheticSlideSet;
import org.pathoreason.wsi.SyntheticSlides;
import org.pathoreason.wsi.TileSelector;
import org.pathoreason.wsi.Slide;
import org.pathoreason.wsi.SlideBackend;
import org.pathoreason.wsi.SlideException;
import org.pathoreason.wsi.Slides;
import org.pathoreason.wsi.Tiler;
import org.pathoreason.wsi.TileGrid;
import org.pathoreason.wsi.TilingOptions;
import org.pathoreason.wsi.TissueDetector;
import org.pathoreason.wsi.TissueMask;
import org.pathoreason.wsi.TissueOptions;
import org.pathoreason.wsi.TissueOverlay;
import org.pathoreason.wsi.VisionTowerEncoder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason wsi ...}: whole-slide images. */
@Command(name = "wsi", mixinStandardHelpOptions = true,
        description = "Whole-slide images: read slides (Aperio SVS, tiled TIFF/BigTIFF in Java; other vendors through "
                + "OpenSlide), find tissue, cut patches, extract features, write Deep Zoom tiles.",
        subcommands = {WsiCommand.Info.class, WsiCommand.Thumbnail.class, WsiCommand.Region.class,
            WsiCommand.Tissue.class, WsiCommand.Tiles.class, WsiCommand.Features.class, WsiCommand.Dzi.class,
            WsiCommand.Synth.class, WsiCommand.Prompt.class, WsiCommand.Ask.class, WsiCommand.Eval.class,
            WsiCommand.Mil.class})
public final class WsiCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The slide to open and the reader to open it with. */
    static final class SlideMixin {
        @Option(names = "--slide", required = true, paramLabel = "FILE", description = "The slide file.")
        Path slide;

        @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|java|openslide",
                description = "Reader: java (pure Java: Aperio SVS, tiled TIFF/BigTIFF), openslide (libopenslide, "
                        + "every vendor it knows) or auto (java where it can, else openslide; default).")
        String backend;

        SlideBackend backend() {
            try {
                return SlideBackend.valueOf(backend.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SlideException("--backend must be auto, java or openslide, got '" + backend + "'");
            }
        }

        Slide open() {
            return Slides.open(slide, backend());
        }
    }

    /** CLAM's segmentation parameters; unset ones come from the preset. */
    static final class TissueMixin {
        @Option(names = "--preset", defaultValue = "default", paramLabel = "default|tcga|biopsy",
                description = "CLAM's parameter preset (default: ${DEFAULT-VALUE}: areas of 100 reference patches "
                        + "suit whole slides; biopsy suits small pieces and crops).")
        String preset;

        @Option(names = "--seg-level", paramLabel = "L", description = "Level to segment (default: the one "
                + "nearest a downsample of 64).")
        Integer level;

        @Option(names = "--sthresh", paramLabel = "S", description = "Saturation threshold 0..255.")
        Integer sthresh;

        @Option(names = "--mthresh", paramLabel = "K", description = "Median blur size (odd).")
        Integer mthresh;

        @Option(names = "--otsu", description = "Threshold by Otsu's method.")
        boolean otsu;

        @Option(names = "--close", paramLabel = "K", description = "Morphological closing kernel side (0: none).")
        Integer close;

        @Option(names = "--min-area", paramLabel = "A", description = "Smallest tissue region, in 512 x 512 "
                + "level-0 reference patches (CLAM's a_t).")
        Double minArea;

        @Option(names = "--min-hole-area", paramLabel = "A", description = "Smallest hole kept (CLAM's a_h).")
        Double minHole;

        @Option(names = "--max-holes", paramLabel = "N", description = "Holes kept per region.")
        Integer maxHoles;

        TissueOptions options() {
            TissueOptions o;
            try {
                o = TissueOptions.Preset.valueOf(preset.toUpperCase(Locale.ROOT)).options();
            } catch (IllegalArgumentException e) {
                throw new SlideException("--preset must be default, tcga or biopsy, got '" + preset + "'");
            }
            try {
                if (level != null) {
                    o = o.withLevel(level);
                }
                if (sthresh != null) {
                    o = o.withSaturationThreshold(sthresh);
                }
                if (mthresh != null) {
                    o = o.withMedianKernel(mthresh);
                }
                if (otsu) {
                    o = o.withOtsu(true);
                }
                if (close != null) {
                    o = o.withCloseKernel(close);
                }
                if (minArea != null) {
                    o = o.withMinTissueArea(minArea);
                }
                if (minHole != null) {
                    o = o.withMinHoleArea(minHole);
                }
                if (maxHoles != null) {
                    o = o.withMaxHoles(maxHoles);
                }
            } catch (IllegalArgumentException e) {
                throw new SlideException(e.getMessage());
            }
            return o;
        }
    }

    /** One of --level, --magnification, --mpp. */
    static final class ResolutionGroup {
        @Option(names = "--level", paramLabel = "L", description = "Patches at this pyramid level.")
        Integer level;

        @Option(names = "--magnification", paramLabel = "X", description = "Patches at this magnification "
                + "(20 for 20x), from the slide's objective power.")
        Double magnification;

        @Option(names = "--mpp", paramLabel = "U", description = "Patches at this many microns per pixel.")
        Double mpp;
    }

    static final class TilingMixin {
        @Option(names = "--patch-size", defaultValue = "256", paramLabel = "N",
                description = "Patch side in output pixels (default: ${DEFAULT-VALUE}).")
        int patchSize;

        @ArgGroup(exclusive = true)
        ResolutionGroup resolution;

        @Option(names = "--overlap", defaultValue = "0", paramLabel = "N",
                description = "Pixels shared by neighbouring patches (default: ${DEFAULT-VALUE}).")
        int overlap;

        @Option(names = "--min-tissue", defaultValue = "0.25", paramLabel = "F",
                description = "Smallest tissue share under a kept patch (default: ${DEFAULT-VALUE}).")
        double minTissue;

        TilingOptions options() {
            TilingOptions.Resolution r = TilingOptions.Resolution.level(0);
            if (resolution != null) {
                if (resolution.level != null) {
                    r = TilingOptions.Resolution.level(resolution.level);
                } else if (resolution.magnification != null) {
                    r = TilingOptions.Resolution.magnification(resolution.magnification);
                } else if (resolution.mpp != null) {
                    r = TilingOptions.Resolution.mpp(resolution.mpp);
                }
            }
            try {
                return new TilingOptions(patchSize, r, overlap, minTissue);
            } catch (IllegalArgumentException e) {
                throw new SlideException(e.getMessage());
            }
        }
    }

    static void writePng(BufferedImage img, Path out) {
        AtomicFiles.write(out, stream -> {
            if (!ImageIO.write(img, formatOf(out), stream)) {
                throw new IOException("no image writer for " + out);
            }
        });
    }

    private static String formatOf(Path out) {
        String n = out.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") ? "jpeg" : "png";
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Levels, resolution, vendor, associated images and properties of a slide.")
    static final class Info implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(names = "--properties", description = "Also list every property (always in --json).")
        boolean properties;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            try (Slide s = slide.open()) {
                Map<String, int[]> associated = new LinkedHashMap<>();
                for (String a : s.associatedImageNames()) {
                    BufferedImage img = s.associatedImage(a);
                    associated.put(a, new int[] {img.getWidth(), img.getHeight()});
                }
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("slide", s.path().toString());
                    m.put("backend", s.backend().name().toLowerCase(Locale.ROOT));
                    m.put("vendor", s.vendor());
                    m.put("level_count", s.levelCount());
                    List<Map<String, Object>> levels = new ArrayList<>();
                    for (Level l : s.levels()) {
                        Map<String, Object> lm = new LinkedHashMap<>();
                        lm.put("width", l.width());
                        lm.put("height", l.height());
                        lm.put("downsample", l.downsample());
                        lm.put("tile_width", l.tileWidth());
                        lm.put("tile_height", l.tileHeight());
                        levels.add(lm);
                    }
                    m.put("levels", levels);
                    m.put("mpp_x", s.mppX().orElse(null));
                    m.put("mpp_y", s.mppY().orElse(null));
                    m.put("objective_power", s.objectivePower().orElse(null));
                    m.put("associated_images", associated);
                    m.put("properties", s.properties());
                    try {
                        w.println(Json.PRETTY.writeValueAsString(m));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                    return;
                }
                w.printf("slide       %s%n", s.path());
                w.printf("backend     %s%n", s.backend().name().toLowerCase(Locale.ROOT));
                w.printf("vendor      %s%n", s.vendor());
                w.printf("mpp         %s%n", s.mppX().map(x -> x + " x " + s.mppY().orElse(x) + " um/pixel")
                        .orElse("unknown"));
                w.printf("objective   %s%n", s.objectivePower().map(p -> p + "x").orElse("unknown"));
                w.printf("%-6s %10s %10s %12s %10s%n", "level", "width", "height", "downsample", "tile");
                for (int i = 0; i < s.levelCount(); i++) {
                    Level l = s.level(i);
                    w.printf("%-6d %10d %10d %12.4f %10s%n", i, l.width(), l.height(), l.downsample(),
                            l.tileWidth() + "x" + l.tileHeight());
                }
                associated.forEach((a, d) -> w.printf("associated  %s %dx%d%n", a, d[0], d[1]));
                if (properties) {
                    s.properties().forEach((k, v) -> w.printf("  %s = %s%n", k,
                            v.replace("\r", "\\r").replace("\n", "\\n")));
                }
            }
        }
    }

    @Command(name = "thumbnail", mixinStandardHelpOptions = true,
            description = "A thumbnail of the whole slide that fits a size, or an associated image.")
    static final class Thumbnail implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Option(names = "--max-size", defaultValue = "1024", paramLabel = "N",
                description = "Largest side in pixels (default: ${DEFAULT-VALUE}).")
        int maxSize;

        @Option(names = "--associated", paramLabel = "NAME",
                description = "Write this associated image instead (label, macro, thumbnail, ...).")
        String associated;

        @Option(names = "--out", required = true, paramLabel = "FILE.png")
        Path out;

        @Override
        public void run() {
            try (Slide s = slide.open()) {
                BufferedImage img = associated != null ? s.associatedImage(associated) : s.thumbnail(maxSize, maxSize);
                writePng(img, out);
                spec.commandLine().getOut().printf("wrote %s (%d x %d)%n", out, img.getWidth(), img.getHeight());
            }
        }
    }

    @Command(name = "region", mixinStandardHelpOptions = true,
            description = "Writes a region as OpenSlide's read_region reads it: x, y in level-0 pixels, width and "
                    + "height at the level; RGBA, transparent where the slide has no data (--rgb: over white).")
    static final class Region implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Option(names = "--level", defaultValue = "0", paramLabel = "L")
        int level;

        @Option(names = "--x", required = true, paramLabel = "X", description = "Left edge in level-0 pixels.")
        long x;

        @Option(names = "--y", required = true, paramLabel = "Y", description = "Top edge in level-0 pixels.")
        long y;

        @Option(names = "--width", required = true, paramLabel = "W")
        int width;

        @Option(names = "--height", required = true, paramLabel = "H")
        int height;

        @Option(names = "--rgb", description = "Composite over white (no alpha).")
        boolean rgb;

        @Option(names = "--out", required = true, paramLabel = "FILE.png")
        Path out;

        @Override
        public void run() {
            try (Slide s = slide.open()) {
                BufferedImage img = rgb ? s.readRegionRgb(x, y, level, width, height)
                        : s.readRegion(x, y, level, width, height);
                writePng(img, out);
                spec.commandLine().getOut().printf("wrote %s (%d x %d at level %d from %d,%d, %s backend)%n", out,
                        width, height, level, x, y, s.backend().name().toLowerCase(Locale.ROOT));
            }
        }
    }

    @Command(name = "tissue", mixinStandardHelpOptions = true,
            description = "Tissue detection as CLAM: writes the mask and a thumbnail with the mask (and, with "
                    + "--patch-size etc., the patch grid) drawn over it.")
    static final class Tissue implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Mixin
        TissueMixin tissue;

        @Option(names = "--mask", paramLabel = "FILE.png", description = "Write the mask (one pixel a cell).")
        Path mask;

        @Option(names = "--overlay", paramLabel = "FILE.png", description = "Write the thumbnail with the mask.")
        Path overlay;

        @Option(names = "--grid", description = "Draw the patch grid of the tiling options on the overlay.")
        boolean grid;

        @Mixin
        TilingMixin tiling;

        @Option(names = "--max-size", defaultValue = "1024", paramLabel = "N",
                description = "Largest side of the overlay (default: ${DEFAULT-VALUE}).")
        int maxSize;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            try (Slide s = slide.open()) {
                TissueMask m = TissueDetector.detect(s, tissue.options());
                w.printf("segmented level %d as %d x %d cells (%.1f x %.1f level-0 pixels each), threshold %d%n",
                        m.level(), m.width(), m.height(), m.downsampleX(), m.downsampleY(), m.threshold());
                w.printf("tissue %.1f%% of the slide in %d regions%n", 100 * m.tissueFraction(), m.regions().size());
                for (TissueMask.Region r : m.regions()) {
                    w.printf("  region at %d,%d (%d x %d cells): %d cells, %d holes%n", r.x(), r.y(), r.width(),
                            r.height(), r.area(), r.holes());
                }
                if (mask != null) {
                    writePng(m.toImage(), mask);
                    w.printf("wrote %s%n", mask);
                }
                if (overlay != null) {
                    TileGrid g = grid ? Tiler.tile(s, m, tiling.options()) : null;
                    writePng(TissueOverlay.render(s, m, g, maxSize), overlay);
                    w.printf("wrote %s%s%n", overlay, g == null ? "" : " with " + g.size() + " patches");
                }
            }
        }
    }

    /** Output formats of {@code wsi tiles}. */
    enum CoordsFormat { h5, json, csv }

    @Command(name = "tiles", mixinStandardHelpOptions = true,
            description = "Patch coordinates over tissue, written as CLAM does (OUT/patches/NAME.h5: 'coords' with "
                    + "patch_size and patch_level attributes), and as JSON or CSV; OUT/masks/NAME.png shows them.")
    static final class Tiles implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Mixin
        TissueMixin tissue;

        @Mixin
        TilingMixin tiling;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--format", split = ",", defaultValue = "h5", paramLabel = "h5,json,csv",
                description = "Coordinate files to write (default: ${DEFAULT-VALUE}).")
        List<CoordsFormat> formats;

        @Option(names = "--save-patches", paramLabel = "N", defaultValue = "0",
                description = "Also write the first N patches as PNG under OUT/patches/NAME/.")
        int savePatches;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            try (Slide s = slide.open()) {
                TissueMask m = TissueDetector.detect(s, tissue.options());
                TileGrid g = Tiler.tile(s, m, tiling.options());
                String name = g.slideName();
                w.printf("%d patches of %d px at %s: read %d px at level %d (%d level-0 px), step %d level-0 px, "
                        + "tissue %.1f%%%n", g.size(), g.patchSize(), g.resolution(), g.patchSizeAtLevel(),
                        g.patchLevel(), g.patchSizeLevel0(), g.stepLevel0(), 100 * m.tissueFraction());
                if (g.size() == 0) {
                    throw new SlideException(name + ": no patch has " + tiling.minTissue + " tissue or more at "
                            + "these settings (tissue " + String.format(Locale.ROOT, "%.1f%%",
                            100 * m.tissueFraction()) + " in " + m.regions().size() + " regions; try --preset biopsy "
                            + "or a smaller --min-area for small slides)");
                }
                for (CoordsFormat f : formats) {
                    Path file = out.resolve("patches").resolve(name + "." + f);
                    switch (f) {
                        case h5 -> CoordsFiles.writeH5(file, g);
                        case json -> CoordsFiles.writeJson(file, g);
                        case csv -> CoordsFiles.writeCsv(file, g);
                    }
                    w.printf("wrote %s%n", file);
                }
                Path maskFile = out.resolve("masks").resolve(name + ".png");
                writePng(TissueOverlay.render(s, m, g, 1024), maskFile);
                w.printf("wrote %s%n", maskFile);
                for (int i = 0; i < Math.min(savePatches, g.size()); i++) {
                    long[] c = g.coords().get(i);
                    writePng(g.read(s, i), out.resolve("patches").resolve(name).resolve(c[0] + "_" + c[1] + ".png"));
                }
                if (savePatches > 0) {
                    w.printf("wrote %d patches under %s%n", Math.min(savePatches, g.size()),
                            out.resolve("patches").resolve(name));
                }
            }
        }
    }

    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Encodes each slide's tissue patches with a Qwen2.5-VL checkpoint's vision tower or a CLIP "
                    + "image tower into "
                    + "CLAM's feature bags (OUT/h5_files/NAME.h5: 'features' and 'coords'); slides already done "
                    + "are skipped, so a run resumes where it stopped.")
    static final class Features implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--slide", required = true, arity = "1..*", paramLabel = "FILE",
                description = "Slide files (or folders of .svs/.tif/.tiff files).")
        List<Path> slides;

        @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|java|openslide")
        String backend;

        @Option(names = "--checkpoint", paramLabel = "DIR",
                description = "Qwen2.5-VL checkpoint folder whose vision tower encodes the patches.")
        Path checkpoint;

        @Option(names = "--clip", paramLabel = "DIR",
                description = "CLIP model folder (OpenCLIP or Hugging Face layout) whose image tower encodes the "
                        + "patches instead (L2-normalised embeddings).")
        Path clip;

        @Mixin
        TissueMixin tissue;

        @Mixin
        TilingMixin tiling;

        @Mixin
        EngineMixin engine;

        @Option(names = "--batch", defaultValue = "16", paramLabel = "N",
                description = "Patches per batch (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--max-patches", defaultValue = "0", paramLabel = "N",
                description = "Encode only the first N patches of each slide (0: all).")
        int maxPatches;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--no-progress", description = "Do not draw a progress bar.")
        boolean noProgress;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            SlideMixin sm = new SlideMixin();
            sm.backend = backend;
            SlideBackend b = sm.backend();
            List<Path> files = expand(slides);
            TissueOptions to = tissue.options();
            TilingOptions tl = tiling.options();
            if ((checkpoint == null) == (clip == null)) {
                throw new SlideException("give one encoder: --checkpoint DIR (a VLM's vision tower) or --clip DIR");
            }
            engine.start();
            try (ImageEncoder encoder = clip != null ? ClipPatchEncoder.load(clip)
                    : VisionTowerEncoder.load(checkpoint)) {
                w.printf("encoder %s, %d features per patch%n", encoder.name(), encoder.dimension());
                w.flush();
                ProgressListener listener = new ProgressListener(w, !noProgress);
                long t0 = System.nanoTime();
                List<Path> written = FeatureExtractor.extractAll(files, b, s -> {
                    TileGrid g = Tiler.tile(s, TissueDetector.detect(s, to), tl);
                    return maxPatches > 0 ? g.first(maxPatches) : g;
                }, encoder, batch, out, listener);
                listener.close();
                double secs = (System.nanoTime() - t0) / 1e9;
                w.printf("%d feature files under %s; %d patches encoded in %.1f s (%.2f patches/s)%n",
                        written.size(), out.resolve("h5_files"), listener.encoded, secs,
                        listener.encoded / Math.max(secs, 1e-9));
            }
        }

        private static List<Path> expand(List<Path> in) {
            List<Path> out = new ArrayList<>();
            for (Path p : in) {
                if (Files.isDirectory(p)) {
                    try (var s = Files.list(p)) {
                        s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT)
                                .matches(".*\\.(svs|tif|tiff|ndpi|mrxs|scn|bif|vms)")).sorted().forEach(out::add);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else {
                    out.add(p);
                }
            }
            return out;
        }
    }

    /** Draws feature extraction on the terminal. */
    static final class ProgressListener implements FeatureListener {
        private final PrintWriter w;
        private final boolean bars;
        private Progress.Task bar;
        long encoded;
        private int lastDone;

        ProgressListener(PrintWriter w, boolean bars) {
            this.w = w;
            this.bars = bars;
        }

        @Override
        public void slideStarted(String slide, int tiles) {
            lastDone = 0;
            if (bars) {
                bar = Progress.bar(slide, tiles, "patches");
            }
        }

        @Override
        public void tilesEncoded(String slide, int done, int total) {
            encoded += done - lastDone;
            lastDone = done;
            if (bar != null) {
                bar.stepTo(done);
            }
        }

        @Override
        public void slideSkipped(String slide, Path existing) {
            w.printf("%s: %s exists, skipped%n", slide, existing);
            w.flush();
        }

        @Override
        public void slideHasNoPatches(String slide) {
            w.printf("%s: no patch over tissue at these settings, no file written%n", slide);
            w.flush();
        }

        @Override
        public void slideFinished(String slide, Path written) {
            close();
            w.printf("%s: wrote %s%n", slide, written);
            w.flush();
        }

        void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    @Command(name = "dzi", mixinStandardHelpOptions = true,
            description = "Deep Zoom tiles for web viewers: OUT/NAME.dzi and OUT/NAME_files/.")
    static final class Dzi implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--tile-size", defaultValue = "254", paramLabel = "N")
        int tileSize;

        @Option(names = "--overlap", defaultValue = "1", paramLabel = "N")
        int overlap;

        @Option(names = "--format", defaultValue = "JPEG", paramLabel = "JPEG|PNG")
        DeepZoomWriter.Format format;

        @Override
        public void run() {
            try (Slide s = slide.open()) {
                String name = Tiler.name(s.path());
                DeepZoomWriter.Options o;
                try {
                    o = new DeepZoomWriter.Options(tileSize, overlap, format, 0.75f);
                } catch (IllegalArgumentException e) {
                    throw new SlideException(e.getMessage());
                }
                int[] n = {0};
                Path dzi = DeepZoomWriter.write(s, out, name, o, (done, total) -> n[0] = total);
                spec.commandLine().getOut().printf("wrote %s and %d tiles under %s%n", dzi, n[0],
                        out.resolve(name + "_files"));
            }
        }
    }

    /** How a slide question's patches are chosen: a rule, or CLIP similarity to the question. */
    static final class ChooserMixin {
        @Option(names = "--k", defaultValue = "6", paramLabel = "K", description = "Patches a question (default: "
                + "${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--rule", defaultValue = "tissue-diverse", paramLabel = "tissue-diverse|tissue|spread",
                description = "Rule without --clip (default: ${DEFAULT-VALUE}).")
        String rule;

        @Option(names = "--clip", paramLabel = "DIR", description = "CLIP model folder: rank patches by the cosine "
                + "of their image embedding to the question's (and each option's) text embedding.")
        Path clip;

        @Option(names = "--clip-diversity", defaultValue = "0.25", paramLabel = "L",
                description = "With --clip: maximal-marginal-relevance weight in [0, 1); 0 takes the K most "
                        + "similar patches (default: ${DEFAULT-VALUE}).")
        double diversity;

        /** Opens the chooser; close the returned resource (the CLIP model) after use. */
        Opened open() {
            if (clip == null) {
                return new Opened(TileSelector.chooser(rule(rule)), null);
            }
            if (!(diversity >= 0 && diversity < 1)) {
                throw new SlideException("--clip-diversity must be in [0, 1), got " + diversity);
            }
            ClipPatchEncoder e = ClipPatchEncoder.load(clip);
            return new Opened(new ClipTileSelector(e, diversity), e);
        }
    }

    /** A chooser and the model it holds (null for rules). */
    record Opened(TileSelector.Chooser chooser, ClipPatchEncoder encoder) implements AutoCloseable {
        @Override
        public void close() {
            if (encoder != null) {
                encoder.close();
            }
        }
    }

    static TileSelector.Rule rule(String name) {
        try {
            return TileSelector.Rule.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new SlideException("--rule must be tissue-diverse, tissue or spread, got '" + name + "'");
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Synthetic whole slides: pyramidal TIFFs painted with the synthetic world's lesions "
                    + "(OUT/slides/), their questions (OUT/slide-questions.jsonl, the slide in meta.slide) and the "
                    + "same questions as multi-image prompts of K selected patches (OUT/slide-prompts.jsonl).")
    static final class Synth implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--slides", defaultValue = "4", paramLabel = "N",
                description = "Slides to write, diagnoses in turn (default: ${DEFAULT-VALUE}).")
        int slides;

        @Option(names = "--size", defaultValue = "4096x3072", paramLabel = "WxH",
                description = "Level-0 size (default: ${DEFAULT-VALUE}).")
        String size;

        @Option(names = "--lesions", defaultValue = "2", paramLabel = "N")
        int lesions;

        @Option(names = "--normals", defaultValue = "1", paramLabel = "N")
        int normals;

        @Option(names = "--k", defaultValue = "6", paramLabel = "K", description = "Patches per prompt "
                + "(default: ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--patch-size", defaultValue = "224", paramLabel = "N")
        int patchSize;

        @Option(names = "--rule", defaultValue = "tissue-diverse", paramLabel = "tissue-diverse|tissue|spread")
        String rule;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--diagnoses", split = ",", paramLabel = "ID,ID,...",
                description = "Diagnoses to draw, in turn (default: all of the world's).")
        List<String> diagnoses;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            String[] wh = size.toLowerCase(Locale.ROOT).split("x");
            SyntheticSlideSet.Options o;
            try {
                o = new SyntheticSlideSet.Options(slides, seed, new SyntheticSlides.Options(
                        Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()), lesions, normals), k,
                        patchSize, rule(rule), diagnoses);
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                throw new SlideException("bad synthetic slide options (--size WxH, --slides, --k, --lesions, "
                        + "--normals): " + e.getMessage());
            }
            SyntheticSlideSet.Result r = SyntheticSlideSet.write(SynthWorld.builtIn(), out, o, (done, total, p) -> {
                w.printf("[%d/%d] %s%n", done, total, p);
                w.flush();
            });
            w.printf("wrote %d slides, %d questions to %s and their %d-patch prompts to %s%n", r.slides().size(),
                    r.questionCount(), r.questions(), k, r.prompts());
        }
    }

    @Command(name = "prompt", mixinStandardHelpOptions = true,
            description = "A question about a slide as a multi-image prompt: the K patches a rule selects (tissue "
                    + "and diversity by default) written as PNG, and one sample JSONL line with them as images.")
    static final class Prompt implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        SlideMixin slide;

        @Option(names = "--question", required = true, paramLabel = "TEXT")
        String question;

        @Option(names = "--option", paramLabel = "TEXT", description = "An answer option (repeat for multiple "
                + "choice; with --clip, patches are also matched to each option).")
        List<String> options;

        @Mixin
        ChooserMixin choice;

        @Mixin
        EngineMixin engine;

        @Mixin
        TissueMixin tissue;

        @Mixin
        TilingMixin tiling;

        @Option(names = "--out", required = true, paramLabel = "FILE.jsonl",
                description = "Sample to write; the patches go to a 'tiles' folder beside it.")
        Path out;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            if (choice.clip != null) {
                engine.start();
            }
            try (Slide s = slide.open(); Opened chooser = choice.open()) {
                TileGrid g = Tiler.tile(s, TissueDetector.detect(s, tissue.options()), tiling.options());
                String id = Tiler.name(s.path());
                Path base = out.toAbsolutePath().getParent();
                Sample q = SlideQuestions.openQuestion(id, question, s.path().toString());
                if (options != null && !options.isEmpty()) {
                    q = q.toBuilder().options(options).task(org.pathoreason.data.Task.MCQ).build();
                }
                Sample p = SlideQuestions.asMultiImage(q, s, g, choice.k, chooser.chooser(), base.resolve("tiles"),
                        base);
                SampleJsonl.write(out, List.of(p));
                w.printf("%d of %d candidate patches chosen (%s): %s%nwrote %s%n", p.images().size(), g.size(),
                        chooser.chooser().name(), p.meta().get("tile_coords"), out);
            }
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluates a checkpoint on a slide benchmark's questions (WSI-VQA's JSON or SlideBench's "
                    + "CSV), each slide found in --slides by its id, shown as K chosen patches in one multi-image "
                    + "prompt; writes predictions.jsonl, metrics.json, eval.json and report.html as eval does, and "
                    + "resumes.")
    static final class Eval implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--benchmark", required = true, paramLabel = "wsi-vqa|slidebench|jsonl",
                description = "Question file format: WSI-VQA's JSON, SlideBench's CSV, or slide questions JSONL "
                        + "(wsi synth's).")
        String benchmark;

        @Option(names = "--questions", required = true, paramLabel = "FILE",
                description = "WsiVQA_*.json or SlideBench-VQA (*).csv.")
        Path questions;

        @Option(names = "--slides", required = true, paramLabel = "DIR",
                description = "Folder of slide files, found by slide id (file stem, or stem prefix: a TCGA case "
                        + "finds its slide).")
        Path slidesDir;

        @Option(names = "--checkpoint", required = true, paramLabel = "DIR")
        Path checkpoint;

        @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|java|openslide")
        String backend;

        @Mixin
        ChooserMixin choice;

        @Mixin
        TissueMixin tissue;

        @Mixin
        TilingMixin tiling;

        @Option(names = "--style", defaultValue = "cot", paramLabel = "STYLE",
                description = "Prompt style, as eval's (default ${DEFAULT-VALUE}).")
        String style;

        @Option(names = "--extract", defaultValue = "strict", paramLabel = "MODE",
                description = "Answer extraction: strict, pathmmu, lenient (default ${DEFAULT-VALUE}).")
        String extract;

        @Option(names = "--max-new-tokens", defaultValue = "512", paramLabel = "N")
        int maxNewTokens;

        @Option(names = "--batch-size", defaultValue = "4", paramLabel = "B")
        int batchSize;

        @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
                description = "Only the first N questions (default: all).")
        int limit;

        @Option(names = "--examples", defaultValue = "8", paramLabel = "N")
        int examples;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--fresh", description = "Discard prompts and predictions left in --out.")
        boolean fresh;

        @Option(names = "--no-progress", description = "Do not draw a progress bar.")
        boolean noProgress;

        @Mixin
        EngineMixin engine;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            org.pathoreason.data.readers.DatasetFormat format = org.pathoreason.data.readers.DatasetFormat
                    .parse(benchmark);
            if (!List.of("wsi-vqa", "slidebench", "jsonl").contains(format.id())) {
                throw new SlideException("--benchmark must be wsi-vqa, slidebench or jsonl, got '" + benchmark + "'");
            }
            List<Sample> qs = format.read(questions, org.pathoreason.data.readers.ReadOptions.DEFAULTS);
            if (limit > 0 && qs.size() > limit) {
                qs = qs.subList(0, limit);
            }
            w.printf("%s: %d questions from %s (%d closed, %d open)%n", format.id(), qs.size(), questions,
                    qs.stream().filter(q -> !q.options().isEmpty()).count(),
                    qs.stream().filter(q -> q.options().isEmpty()).count());
            SlideIndex index = SlideIndex.of(slidesDir);
            SlideMixin sm = new SlideMixin();
            sm.backend = backend;
            engine.start();
            try (Opened chooser = choice.open()) {
                SlideEvaluation.Patches patches = new SlideEvaluation.Patches(choice.k, chooser.chooser(),
                        tissue.options(), tiling.options(), sm.backend());
                List<Sample> prompts = SlideEvaluation.prompts(qs, index, patches, out, fresh,
                        (done, total, slide, n) -> {
                            w.printf("[%d/%d] %s: %d questions, %d patches each (%s)%n", done, total,
                                    slide.getFileName(), n, choice.k, chooser.chooser().name());
                            w.flush();
                        });
                org.pathoreason.eval.ScoreOptions scoring = org.pathoreason.eval.ScoreOptions.DEFAULTS
                        .withExtraction(org.pathoreason.text.extract.ExtractionMode.parse(extract));
                try (org.pathoreason.model.CheckpointBundle ckpt = org.pathoreason.model.CheckpointBundle.open(
                        checkpoint)) {
                    org.pathoreason.eval.EvalOptions options = org.pathoreason.eval.EvalOptions.DEFAULTS
                            .withStyle(org.pathoreason.text.PromptStyle.parse(style)).withScoring(scoring)
                            .withBatchSize(batchSize).withMaxNewTokens(maxNewTokens).withOutDir(out)
                            .withExamples(examples).withFresh(fresh).withProgress(!noProgress)
                            .withModelName(ckpt.name()).withDataName(questions.toAbsolutePath().normalize() + " ("
                                    + format.id() + ", " + chooser.chooser().name() + ", K " + choice.k + ")");
                    org.pathoreason.eval.EvalResult result = SlideEvaluation.evaluate(ckpt, options, prompts);
                    org.pathoreason.eval.report.EvalReport.write(result, examples);
                    w.print(org.pathoreason.eval.ScoreTable.format(result.report()));
                    w.printf("evaluated %d questions (%d resumed, %d generated)%n", result.info().samples(),
                            result.info().resumed(), result.info().generated());
                    w.println("wrote " + result.predictionsFile());
                    w.println("wrote " + result.metricsFile());
                    w.println("wrote " + result.reportFile());
                    w.flush();
                }
            }
        }
    }

    @Command(name = "mil", mixinStandardHelpOptions = true,
            description = "Slide-level classifier on feature bags (gated attention MIL): train on OUT/h5_files and a "
                    + "labels CSV, or predict with a trained model.",
            subcommands = {MilTrain.class, MilPredict.class})
    static final class Mil implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** Feature files under a folder or its h5_files subfolder, by slide name. */
    static Map<String, Path> featureFiles(Path dir) {
        Path d = Files.isDirectory(dir.resolve("h5_files")) ? dir.resolve("h5_files") : dir;
        Map<String, Path> out = new java.util.TreeMap<>();
        try (var s = Files.list(d)) {
            s.filter(f -> f.getFileName().toString().endsWith(".h5"))
                    .forEach(f -> out.put(f.getFileName().toString().replaceFirst("\\.h5$", ""), f));
        } catch (IOException e) {
            throw new SlideException("cannot list feature files in " + d + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new SlideException("no .h5 feature files in " + d);
        }
        return out;
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Trains on the bags named in a CSV (columns slide_id or slide, and label; CLAM's dataset "
                    + "CSV works), holding out a share of slides to report accuracy on.")
    static final class MilTrain implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--features", required = true, paramLabel = "DIR")
        Path features;

        @Option(names = "--labels", required = true, paramLabel = "FILE.csv")
        Path labels;

        @Option(names = "--out", required = true, paramLabel = "FILE.json")
        Path out;

        @Option(names = "--epochs", defaultValue = "40")
        int epochs;

        @Option(names = "--hidden", defaultValue = "128")
        int hidden;

        @Option(names = "--lr", defaultValue = "2e-4")
        double lr;

        @Option(names = "--test-fraction", defaultValue = "0.25", paramLabel = "F",
                description = "Share of slides held out (default: ${DEFAULT-VALUE}).")
        double testFraction;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            Map<String, Path> files = featureFiles(features);
            Map<String, String> byslide = readLabels(labels);
            List<String> classes = byslide.values().stream().distinct().sorted().toList();
            List<String> names = new ArrayList<>();
            for (String slideName : byslide.keySet()) {
                if (!files.containsKey(slideName)) {
                    throw new SlideException(labels + ": slide " + slideName + " has no feature file in " + features);
                }
                names.add(slideName);
            }
            java.util.Collections.shuffle(names, new java.util.Random(seed));
            int test = (int) Math.round(names.size() * testFraction);
            List<String> testNames = names.subList(0, test);
            List<String> trainNames = names.subList(test, names.size());
            List<float[][]> bags = new ArrayList<>();
            int[] y = new int[trainNames.size()];
            for (int i = 0; i < trainNames.size(); i++) {
                bags.add(org.pathoreason.wsi.FeatureBag.read(files.get(trainNames.get(i))).features());
                y[i] = classes.indexOf(byslide.get(trainNames.get(i)));
            }
            org.pathoreason.wsi.AttentionMil m;
            try {
                m = org.pathoreason.wsi.AttentionMil.train(bags, y, classes.size(),
                        new org.pathoreason.wsi.AttentionMil.Options(hidden, epochs, lr, 1e-5, seed),
                        (e, loss, acc) -> {
                            if (e == 1 || e % 10 == 0 || e == epochs) {
                                w.printf("epoch %d: loss %.4f, train accuracy %.3f%n", e, loss, acc);
                                w.flush();
                            }
                        });
            } catch (IllegalArgumentException e) {
                throw new SlideException(e.getMessage());
            }
            int right = 0;
            for (String t : testNames) {
                var p = m.predict(org.pathoreason.wsi.FeatureBag.read(files.get(t)).features());
                right += classes.get(p.label()).equals(byslide.get(t)) ? 1 : 0;
            }
            m.save(out, classes);
            w.printf("%d training and %d held-out slides, %d classes %s; held-out accuracy %s%nwrote %s%n",
                    trainNames.size(), testNames.size(), classes.size(), classes,
                    testNames.isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f (%d/%d)",
                            (double) right / testNames.size(), right, testNames.size()), out);
        }
    }

    /** slide -> label from a CSV whose header has slide_id (or slide) and label. */
    static Map<String, String> readLabels(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (IOException e) {
            throw new SlideException("cannot read labels " + csv + ": " + e.getMessage());
        }
        if (lines.isEmpty()) {
            throw new SlideException(csv + ": empty; expected a header with slide_id (or slide) and label");
        }
        List<String> header = List.of(lines.get(0).trim().split("\\s*,\\s*"));
        int s = header.indexOf("slide_id") >= 0 ? header.indexOf("slide_id") : header.indexOf("slide");
        int l = header.indexOf("label");
        if (s < 0 || l < 0) {
            throw new SlideException(csv + ":1: header " + header + " lacks slide_id (or slide) and label");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split("\\s*,\\s*");
            if (f.length <= Math.max(s, l)) {
                throw new SlideException(csv + ":" + (i + 1) + ": expected " + header.size() + " fields");
            }
            out.put(f[s].trim().replaceFirst("\\.(svs|tiff?|ndpi|mrxs)$", ""), f[l].trim());
        }
        return out;
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Predicts each bag's label with a trained model, with the patch given most attention.")
    static final class MilPredict implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "FILE.json")
        Path model;

        @Option(names = "--features", required = true, paramLabel = "DIR")
        Path features;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            var saved = org.pathoreason.wsi.AttentionMil.load(model);
            for (var e : featureFiles(features).entrySet()) {
                var bag = org.pathoreason.wsi.FeatureBag.read(e.getValue());
                var p = saved.model().predict(bag.features());
                int top = 0;
                for (int i = 1; i < p.attention().length; i++) {
                    if (p.attention()[i] > p.attention()[top]) {
                        top = i;
                    }
                }
                w.printf("%s: %s (p=%.3f), most attention on the patch at %d,%d (%.3f)%n", e.getKey(),
                        saved.classNames().get(p.label()), p.probabilities()[p.label()], bag.coords()[top][0],
                        bag.coords()[top][1], p.attention()[top]);
            }
        }
    }

    @Command(name = "ask", mixinStandardHelpOptions = true,
            description = "Asks a vision-language checkpoint about a slide: the K patches a rule selects (tissue and "
                    + "diversity by default) go in one multi-image prompt. Either one --question about --slide, or "
                    + "--questions FILE.jsonl of slide questions (wsi synth writes them; meta.slide names each "
                    + "slide), scored for multiple-choice accuracy.")
    static final class Ask implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--checkpoint", required = true, paramLabel = "DIR")
        Path checkpoint;

        @Option(names = "--slide", paramLabel = "FILE", description = "The slide (with --question).")
        Path slide;

        @Option(names = "--question", paramLabel = "TEXT")
        String question;

        @Option(names = "--option", paramLabel = "TEXT", description = "An answer option (repeat for multiple "
                + "choice).")
        List<String> options;

        @Option(names = "--questions", paramLabel = "FILE.jsonl", description = "Slide questions to answer and "
                + "score.")
        Path questions;

        @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|java|openslide")
        String backend;

        @Mixin
        ChooserMixin choice;

        @Mixin
        TissueMixin tissue;

        @Mixin
        TilingMixin tiling;

        @Option(names = "--max-new-tokens", defaultValue = "256", paramLabel = "N")
        int maxNewTokens;

        @Option(names = "--tiles", paramLabel = "DIR", description = "Where the chosen patches are written "
                + "(default: a temporary folder, deleted afterwards).")
        Path tilesDir;

        @Mixin
        EngineMixin engine;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            if ((questions == null) == (question == null || slide == null)) {
                throw new SlideException("give either --slide and --question, or --questions FILE.jsonl");
            }
            SlideMixin sm = new SlideMixin();
            sm.backend = backend;
            SlideBackend b = sm.backend();
            TissueOptions to = tissue.options();
            TilingOptions tl = tiling.options();
            List<Sample> asked = new ArrayList<>();
            Path base;
            if (questions != null) {
                asked.addAll(SampleJsonl.read(questions));
                base = questions.toAbsolutePath().getParent();
            } else {
                Sample q = SlideQuestions.openQuestion(Tiler.name(slide), question, slide.toAbsolutePath()
                        .toString());
                if (options != null && !options.isEmpty()) {
                    q = q.toBuilder().options(options).task(org.pathoreason.data.Task.MCQ).build();
                }
                asked.add(q);
                base = Path.of("").toAbsolutePath();
            }
            Path tiles = tilesDir;
            boolean temporary = tiles == null;
            try {
                if (temporary) {
                    tiles = Files.createTempDirectory("pathoreason-wsi-ask-");
                }
                engine.start();
                var extractor = org.pathoreason.text.extract.AnswerExtractor.create(
                        org.pathoreason.text.extract.ExtractionMode.LENIENT, false);
                int scored = 0;
                int right = 0;
                try (var reasoner = org.pathoreason.generate.VisualReasoner.builder(checkpoint)
                        .optMaxNewTokens(maxNewTokens).build(); Opened chooser = choice.open()) {
                    for (Sample q : asked) {
                        Object slideRef = q.meta().get(SlideQuestions.META_SLIDE);
                        if (slideRef == null) {
                            throw new SlideException(questions + ": sample " + q.id() + " has no meta."
                                    + SlideQuestions.META_SLIDE);
                        }
                        Path slidePath = base.resolve(slideRef.toString());
                        Sample prompt;
                        try (Slide s = Slides.open(slidePath, b)) {
                            TileGrid g = Tiler.tile(s, TissueDetector.detect(s, to), tl);
                            prompt = SlideQuestions.asMultiImage(q, s, g, choice.k, chooser.chooser(), tiles,
                                    tiles);
                        }
                        List<Path> images = new ArrayList<>();
                        for (String img : prompt.images()) {
                            images.add(tiles.resolve(img));
                        }
                        var answer = reasoner.ask(new org.pathoreason.generate.Question(images, prompt.question(),
                                prompt.options()));
                        w.printf("%s: %d patches %s%n", q.id(), images.size(), prompt.meta().get("tile_coords"));
                        if (answer.observe() != null) {
                            w.printf("  observe: %s%n", answer.observe().strip());
                        }
                        if (answer.think() != null) {
                            w.printf("  think: %s%n", answer.think().strip());
                        }
                        w.printf("  answer: %s%n", answer.answer() == null ? answer.text().strip()
                                : answer.answer().strip());
                        if (!q.options().isEmpty() && q.answer() != null && !q.answer().isEmpty()) {
                            var choice = extractor.choice(answer.text(), q.options());
                            boolean ok = !choice.isMiss() && q.answer().equalsIgnoreCase(choice.value());
                            scored++;
                            right += ok ? 1 : 0;
                            w.printf("  gold %s, %s%n", q.answer(), ok ? "right" : "wrong"
                                    + (choice.isMiss() ? " (no option found)" : " (" + choice.value() + ")"));
                        }
                        w.flush();
                    }
                }
                if (scored > 0) {
                    w.printf("slide question accuracy %.3f (%d/%d) with %d patches a slide (%s)%n",
                            (double) right / scored, right, scored, choice.k, choice.clip != null
                                    ? "clip, diversity " + choice.diversity : choice.rule);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (temporary && tiles != null) {
                    AtomicFiles.deleteRecursively(tiles);
                }
            }
        }
    }
}
