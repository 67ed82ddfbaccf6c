package org.pathoreason.wsi;

/** Which reader opens a slide. */
public enum SlideBackend {
    /** The pure-Java reader for the formats it covers (Aperio SVS, tiled TIFF/BigTIFF), else OpenSlide if installed. */
    AUTO,
    /** The pure-Java reader ({@link TiffSlide}). */
    JAVA,
    /** libopenslide through JNA ({@link OpenSlideSlide}); fails when the library is not installed. */
    OPENSLIDE
}
