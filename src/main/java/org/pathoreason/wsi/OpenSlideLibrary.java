package org.pathoreason.wsi;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * libopenslide (3.4 or later) through JNA, loaded on first use. {@link #available()} says whether it is installed
 * (Debian: {@code apt-get install libopenslide0}); everything else fails with a clear message when it is not.
 */
final class OpenSlideLibrary {

    /** The C API, as in openslide.h. */
    interface Api extends Library {
        Pointer openslide_open(String filename);

        String openslide_detect_vendor(String filename);

        String openslide_get_error(Pointer osr);

        int openslide_get_level_count(Pointer osr);

        void openslide_get_level_dimensions(Pointer osr, int level, long[] w, long[] h);

        double openslide_get_level_downsample(Pointer osr, int level);

        int openslide_get_best_level_for_downsample(Pointer osr, double downsample);

        void openslide_read_region(Pointer osr, int[] dest, long x, long y, int level, long w, long h);

        Pointer openslide_get_property_names(Pointer osr);

        String openslide_get_property_value(Pointer osr, String name);

        Pointer openslide_get_associated_image_names(Pointer osr);

        void openslide_get_associated_image_dimensions(Pointer osr, String name, long[] w, long[] h);

        void openslide_read_associated_image(Pointer osr, String name, int[] dest);

        void openslide_close(Pointer osr);

        String openslide_get_version();
    }

    private static final Object LOCK = new Object();
    private static volatile Api api;
    private static volatile String loadError;

    private OpenSlideLibrary() {
    }

    /** True when libopenslide can be loaded. */
    static boolean available() {
        return load() != null;
    }

    /** Why the library could not be loaded, or null. */
    static String loadError() {
        load();
        return loadError;
    }

    static Api api() {
        Api a = load();
        if (a == null) {
            throw new SlideException("the OpenSlide backend needs libopenslide, which is not installed ("
                    + loadError + "); on Debian or Ubuntu: apt-get install libopenslide0");
        }
        return a;
    }

    static String version() {
        return api().openslide_get_version();
    }

    private static Api load() {
        if (api != null || loadError != null) {
            return api;
        }
        synchronized (LOCK) {
            if (api == null && loadError == null) {
                String[] names = {"openslide", "libopenslide.so.1", "libopenslide.so.0"};
                StringBuilder errors = new StringBuilder();
                for (String name : names) {
                    try {
                        api = Native.load(name, Api.class);
                        break;
                    } catch (UnsatisfiedLinkError e) {
                        if (errors.length() == 0) {
                            errors.append(e.getMessage().lines().findFirst().orElse(""));
                        }
                    }
                }
                if (api == null) {
                    loadError = "cannot load libopenslide: " + errors;
                }
            }
            return api;
        }
    }
}
