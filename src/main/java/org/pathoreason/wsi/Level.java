package org.pathoreason.wsi;

/**
 * One pyramid level: its size in pixels, its downsample from level 0 (OpenSlide's: the mean of the width and height
 * ratios) and its tile size (0 when the backend does not say).
 */
public record Level(long width, long height, double downsample, int tileWidth, int tileHeight) {
}
