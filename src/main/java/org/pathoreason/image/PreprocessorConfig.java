package org.pathoreason.image;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.pathoreason.util.PathoReasonException;

/**
 * Settings of the Qwen2-VL / Qwen2.5-VL image processor, read from and written to {@code preprocessor_config.json}
 * with Hugging Face's key names. Pixel bounds may be given as {@code min_pixels}/{@code max_pixels} or (newer files)
 * as {@code size: {shortest_edge, longest_edge}}; as in transformers, explicit {@code min_pixels}/{@code max_pixels}
 * win. Only bicubic resampling ({@code resample: 3}) is supported.
 */
public record PreprocessorConfig(long minPixels, long maxPixels, int patchSize, int temporalPatchSize,
        int mergeSize, double[] imageMean, double[] imageStd, double rescaleFactor, boolean doResize,
        boolean doRescale, boolean doNormalize, boolean doConvertRgb) {

    /** OpenAI CLIP normalisation, the processor's default. */
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** Pillow's BICUBIC filter id, as stored under {@code resample}. */
    public static final int PIL_BICUBIC = 3;

    public PreprocessorConfig {
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
        String problem = problem(minPixels, maxPixels, patchSize, temporalPatchSize, mergeSize, imageMean,
                imageStd, rescaleFactor);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static String problem(long minPixels, long maxPixels, int patchSize, int temporalPatchSize,
            int mergeSize, double[] mean, double[] std, double rescaleFactor) {
        if (minPixels <= 0 || maxPixels <= 0 || minPixels > maxPixels) {
            return "pixel bounds must satisfy 0 < min_pixels <= max_pixels, got " + minPixels + " and " + maxPixels;
        }
        if (patchSize <= 0 || temporalPatchSize <= 0 || mergeSize <= 0) {
            return "patch_size, temporal_patch_size and merge_size must be positive, got " + patchSize + ", "
                    + temporalPatchSize + ", " + mergeSize;
        }
        if (mean.length != 3 || std.length != 3) {
            return "image_mean and image_std need 3 values (R, G, B), got " + mean.length + " and " + std.length;
        }
        for (double s : std) {
            if (!(s > 0)) {
                return "image_std values must be positive, got " + Arrays.toString(std);
            }
        }
        if (!(rescaleFactor > 0)) {
            return "rescale_factor must be positive, got " + rescaleFactor;
        }
        return null;
    }

    /** Transformers' defaults for {@code Qwen2VLImageProcessor}: 56*56 to 28*28*1280 pixels, patch 14, CLIP. */
    public static PreprocessorConfig defaults() {
        return new PreprocessorConfig(56 * 56, 28 * 28 * 1280, 14, 2, 2, CLIP_MEAN, CLIP_STD, 1 / 255.0, true, true,
                true, true);
    }

    /** The same settings with other pixel bounds. */
    public PreprocessorConfig withPixelBounds(long min, long max) {
        return new PreprocessorConfig(min, max, patchSize, temporalPatchSize, mergeSize, imageMean, imageStd,
                rescaleFactor, doResize, doRescale, doNormalize, doConvertRgb);
    }

    @Override
    public double[] imageMean() {
        return imageMean.clone();
    }

    @Override
    public double[] imageStd() {
        return imageStd.clone();
    }

    /** Side lengths are rounded to multiples of this: {@code patchSize * mergeSize} (28 by default). */
    public int factor() {
        return patchSize * mergeSize;
    }

    /**
     * Reads {@code preprocessor_config.json}.
     *
     * @throws PathoReasonException when the content is not a Qwen2-VL preprocessor config (the message names the
     *     file and the field)
     * @throws IOException when the file cannot be read
     */
    public static PreprocessorConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new PathoReasonException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (CharConversionException e) {
            // Jackson guessed UTF-16/32 from the first bytes and found them invalid: bad content, not bad I/O
            throw new PathoReasonException(file + ": not valid JSON text: " + e.getMessage(), e);
        }
        return fromJson(root, file);
    }

    /**
     * Parses a preprocessor config; {@code source} names it in errors. Missing keys take transformers' defaults.
     *
     * @throws PathoReasonException naming the source and the field that is wrong
     */
    public static PreprocessorConfig fromJson(JsonNode n, Object source) {
        if (n == null || !n.isObject()) {
            throw new PathoReasonException(source + ": expected a JSON object");
        }
        String type = n.path("image_processor_type").asText("");
        if (!type.isEmpty() && !type.startsWith("Qwen2VLImageProcessor")) {
            throw new PathoReasonException(source + ": image_processor_type is '" + type + "'; only Qwen2VLImageProcessor "
                    + "(used by Qwen2-VL and Qwen2.5-VL) is supported");
        }
        if (n.has("resample") && integer(n, "resample", source, PIL_BICUBIC) != PIL_BICUBIC) {
            throw new PathoReasonException(source + ": resample is " + n.get("resample") + "; only 3 (bicubic) is supported");
        }
        PreprocessorConfig d = defaults();
        long min = d.minPixels();
        long max = d.maxPixels();
        JsonNode size = n.get("size");
        if (size != null && size.isObject()) {
            if (size.has("shortest_edge") || size.has("longest_edge")) {
                if (!size.has("shortest_edge") || !size.has("longest_edge")) {
                    throw new PathoReasonException(source + ": size must contain both 'shortest_edge' and 'longest_edge'");
                }
                min = longValue(size, "shortest_edge", source, min);
                max = longValue(size, "longest_edge", source, max);
            } else {
                // files written by older transformers versions
                min = longValue(size, "min_pixels", source, min);
                max = longValue(size, "max_pixels", source, max);
            }
        }
        min = longValue(n, "min_pixels", source, min);
        max = longValue(n, "max_pixels", source, max);
        try {
            return new PreprocessorConfig(min, max,
                    integer(n, "patch_size", source, d.patchSize()),
                    integer(n, "temporal_patch_size", source, d.temporalPatchSize()),
                    integer(n, "merge_size", source, d.mergeSize()),
                    triple(n, "image_mean", source, CLIP_MEAN),
                    triple(n, "image_std", source, CLIP_STD),
                    number(n, "rescale_factor", source, d.rescaleFactor()),
                    bool(n, "do_resize", source, true),
                    bool(n, "do_rescale", source, true),
                    bool(n, "do_normalize", source, true),
                    bool(n, "do_convert_rgb", source, true));
        } catch (IllegalArgumentException e) {
            throw new PathoReasonException(source + ": " + e.getMessage(), e);
        }
    }

    private static long longValue(JsonNode n, String key, Object source, long dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new PathoReasonException(source + ": '" + key + "' must be an integer, got " + v);
        }
        return v.asLong();
    }

    private static int integer(JsonNode n, String key, Object source, int dflt) {
        long v = longValue(n, key, source, dflt);
        if (v != (int) v) {
            throw new PathoReasonException(source + ": '" + key + "' is out of range: " + v);
        }
        return (int) v;
    }

    private static double number(JsonNode n, String key, Object source, double dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new PathoReasonException(source + ": '" + key + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode n, String key, Object source, boolean dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new PathoReasonException(source + ": '" + key + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static double[] triple(JsonNode n, String key, Object source, double[] dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt.clone();
        }
        if (v.isNumber()) {
            return new double[] {v.asDouble(), v.asDouble(), v.asDouble()};
        }
        if (!v.isArray() || v.size() != 3) {
            throw new PathoReasonException(source + ": '" + key + "' must be a number or a list of 3 numbers, got " + v);
        }
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) {
                throw new PathoReasonException(source + ": '" + key + "' entry " + i + " must be a number, got " + v.get(i));
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    /** The {@code preprocessor_config.json} content, as transformers writes it for Qwen2.5-VL. */
    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("do_convert_rgb", doConvertRgb);
        n.put("do_normalize", doNormalize);
        n.put("do_rescale", doRescale);
        n.put("do_resize", doResize);
        ArrayNode mean = n.putArray("image_mean");
        Arrays.stream(imageMean).forEach(mean::add);
        n.put("image_processor_type", "Qwen2VLImageProcessor");
        ArrayNode std = n.putArray("image_std");
        Arrays.stream(imageStd).forEach(std::add);
        n.put("max_pixels", maxPixels);
        n.put("merge_size", mergeSize);
        n.put("min_pixels", minPixels);
        n.put("patch_size", patchSize);
        n.put("processor_class", "Qwen2_5_VLProcessor");
        n.put("resample", PIL_BICUBIC);
        n.put("rescale_factor", rescaleFactor);
        ObjectNode size = n.putObject("size");
        size.put("longest_edge", maxPixels);
        size.put("shortest_edge", minPixels);
        n.put("temporal_patch_size", temporalPatchSize);
        return n;
    }

    /** Writes {@code preprocessor_config.json} atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> out.write(Json.PRETTY.writeValueAsBytes(toJson())));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessorConfig c && minPixels == c.minPixels && maxPixels == c.maxPixels
                && patchSize == c.patchSize && temporalPatchSize == c.temporalPatchSize && mergeSize == c.mergeSize
                && Arrays.equals(imageMean, c.imageMean) && Arrays.equals(imageStd, c.imageStd)
                && rescaleFactor == c.rescaleFactor && doResize == c.doResize && doRescale == c.doRescale
                && doNormalize == c.doNormalize && doConvertRgb == c.doConvertRgb;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {minPixels, maxPixels, patchSize, temporalPatchSize, mergeSize,
            Arrays.hashCode(imageMean), Arrays.hashCode(imageStd), rescaleFactor, doResize, doRescale, doNormalize,
            doConvertRgb});
    }

    @Override
    public String toString() {
        return "PreprocessorConfig[pixels " + minPixels + ".." + maxPixels + ", patch " + patchSize + ", temporal "
                + temporalPatchSize + ", merge " + mergeSize + ", mean " + Arrays.toString(imageMean) + ", std "
                + Arrays.toString(imageStd) + ", rescale " + rescaleFactor + "]";
    }
}
