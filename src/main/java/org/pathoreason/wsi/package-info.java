/**
 * Whole-slide images: a slide API in OpenSlide's terms ({@link org.pathoreason.wsi.Slide}) with a pure-Java reader
 * for Aperio SVS and tiled pyramidal TIFF/BigTIFF ({@link org.pathoreason.wsi.TiffSlide}) and an OpenSlide backend
 * through JNA ({@link org.pathoreason.wsi.OpenSlideSlide}); tissue detection as CLAM does it, tiling at a
 * magnification or microns per pixel, coordinates and feature bags in CLAM's HDF5 layout, Deep Zoom tiles, and
 * synthetic pyramidal slides.
 */
package org.pathoreason.wsi;
