package org.pathoreason.wsi;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A slide read by libopenslide through JNA, for the vendors the pure-Java reader does not cover (Hamamatsu, MIRAX,
 * Leica, Ventana, Philips, DICOM, ...). OpenSlide's pixels are premultiplied ARGB; they come back un-premultiplied
 * as TYPE_INT_ARGB, the same as {@link TiffSlide}'s.
 */
public final class OpenSlideSlide implements Slide {

    private final Path path;
    private final OpenSlideLibrary.Api api;
    private Pointer osr;
    private final List<Level> levels;
    private final Map<String, String> properties;
    private final Set<String> associated;

    private OpenSlideSlide(Path path, OpenSlideLibrary.Api api, Pointer osr) {
        this.path = path;
        this.api = api;
        this.osr = osr;
        int n = api.openslide_get_level_count(osr);
        checkError();
        Map<String, String> props = new TreeMap<>();
        for (String name : strings(api.openslide_get_property_names(osr))) {
            props.put(name, api.openslide_get_property_value(osr, name));
        }
        List<Level> ls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] w = new long[1];
            long[] h = new long[1];
            api.openslide_get_level_dimensions(osr, i, w, h);
            double ds = api.openslide_get_level_downsample(osr, i);
            int tw = parseInt(props.get("openslide.level[" + i + "].tile-width"));
            int th = parseInt(props.get("openslide.level[" + i + "].tile-height"));
            ls.add(new Level(w[0], h[0], ds, tw, th));
        }
        this.levels = List.copyOf(ls);
        this.properties = Collections.unmodifiableMap(props);
        this.associated = Collections.unmodifiableSet(new LinkedHashSet<>(
                strings(api.openslide_get_associated_image_names(osr))));
    }

    /** True when libopenslide is installed. */
    public static boolean available() {
        return OpenSlideLibrary.available();
    }

    /** The installed libopenslide's version. */
    public static String version() {
        return OpenSlideLibrary.version();
    }

    /** The vendor OpenSlide detects for a file, or null when it cannot read it. */
    public static String detectVendor(Path path) {
        return OpenSlideLibrary.api().openslide_detect_vendor(path.toString());
    }

    public static OpenSlideSlide open(Path path) {
        OpenSlideLibrary.Api api = OpenSlideLibrary.api();
        if (!Files.isRegularFile(path)) {
            throw new SlideException("slide " + path + " does not exist");
        }
        Pointer osr = api.openslide_open(path.toString());
        if (osr == null) {
            throw new SlideException(path + ": OpenSlide does not recognise this file as a slide");
        }
        String error = api.openslide_get_error(osr);
        if (error != null) {
            api.openslide_close(osr);
            throw new SlideException(path + ": OpenSlide cannot read it: " + error);
        }
        return new OpenSlideSlide(path, api, osr);
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static List<String> strings(Pointer array) {
        List<String> out = new ArrayList<>();
        if (array == null) {
            return out;
        }
        for (int i = 0; ; i++) {
            Pointer p = array.getPointer((long) i * Native.POINTER_SIZE);
            if (p == null) {
                return out;
            }
            out.add(p.getString(0));
        }
    }

    private void checkError() {
        String error = api.openslide_get_error(osr);
        if (error != null) {
            throw new SlideException(path + ": OpenSlide: " + error);
        }
    }

    private synchronized Pointer handle() {
        if (osr == null) {
            throw new SlideException(path + ": slide is closed");
        }
        return osr;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public SlideBackend backend() {
        return SlideBackend.OPENSLIDE;
    }

    @Override
    public int levelCount() {
        return levels.size();
    }

    @Override
    public Level level(int level) {
        if (level < 0 || level >= levels.size()) {
            throw new SlideException(path + ": level " + level + " does not exist (the slide has " + levels.size()
                    + " levels)");
        }
        return levels.get(level);
    }

    @Override
    public int bestLevelForDownsample(double downsample) {
        return api.openslide_get_best_level_for_downsample(handle(), downsample);
    }

    @Override
    public BufferedImage readRegion(long x, long y, int level, int width, int height) {
        checkRegion(x, y, level, width, height);
        int[] dest = new int[width * height];
        api.openslide_read_region(handle(), dest, x, y, level, width, height);
        checkError();
        unpremultiply(dest);
        return Images.argb(dest, width, height);
    }

    static void unpremultiply(int[] px) {
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            int a = p >>> 24;
            if (a == 255 || a == 0) {
                continue;
            }
            int r = Math.min(255, (((p >> 16) & 0xFF) * 255 + a / 2) / a);
            int g = Math.min(255, (((p >> 8) & 0xFF) * 255 + a / 2) / a);
            int b = Math.min(255, ((p & 0xFF) * 255 + a / 2) / a);
            px[i] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public Set<String> associatedImageNames() {
        return associated;
    }

    @Override
    public BufferedImage associatedImage(String name) {
        if (!associated.contains(name)) {
            throw new SlideException(path + ": no associated image '" + name + "' (the slide has " + associated
                    + ")");
        }
        long[] w = new long[1];
        long[] h = new long[1];
        api.openslide_get_associated_image_dimensions(handle(), name, w, h);
        int[] dest = new int[(int) (w[0] * h[0])];
        api.openslide_read_associated_image(handle(), name, dest);
        checkError();
        unpremultiply(dest);
        return Images.argb(dest, (int) w[0], (int) h[0]);
    }

    @Override
    public synchronized void close() {
        if (osr != null) {
            api.openslide_close(osr);
            osr = null;
        }
    }
}
