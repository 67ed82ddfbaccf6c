package org.pathoreason.wsi;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens slides with a chosen or automatically picked backend. */
public final class Slides {

    private Slides() {
    }

    public static Slide open(Path path) {
        return open(path, SlideBackend.AUTO);
    }

    /**
     * Opens a slide. {@link SlideBackend#AUTO} takes the pure-Java reader for TIFF files it can read and OpenSlide
     * (when installed) for everything else, including TIFFs the Java reader refuses.
     */
    public static Slide open(Path path, SlideBackend backend) {
        if (!Files.isRegularFile(path)) {
            throw new SlideException("slide " + path + " does not exist or is not a file");
        }
        return switch (backend) {
            case JAVA -> TiffSlide.open(path);
            case OPENSLIDE -> OpenSlideSlide.open(path);
            case AUTO -> openAuto(path);
        };
    }

    private static Slide openAuto(Path path) {
        if (TiffFile.isTiff(path)) {
            try {
                return TiffSlide.open(path);
            } catch (SlideException e) {
                if (!OpenSlideLibrary.available() || OpenSlideSlide.detectVendor(path) == null) {
                    throw e;
                }
            }
        } else if (!OpenSlideLibrary.available()) {
            throw new SlideException(path + ": not a TIFF file, and the OpenSlide backend that reads other formats "
                    + "needs libopenslide (" + OpenSlideLibrary.loadError() + ")");
        }
        return OpenSlideSlide.open(path);
    }
}
