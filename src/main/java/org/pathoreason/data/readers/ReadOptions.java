package org.pathoreason.data.readers;

import java.util.Set;

/**
 * Choices a reader needs beyond the file itself.
 *
 * @param splits PathMMU splits to keep ({@code val}, {@code test}, {@code test_tiny}); empty keeps all
 * @param slidePattern for slide-level benchmarks (WSI-VQA, SlideBench) whose records name a slide, not a file:
 *     the image path to give each sample, with {@code {slide}} replaced by the slide id and {@code {tumor}} by the
 *     tumour type where known (e.g. {@code slides/{slide}.svs}); null leaves {@code images} empty and keeps the
 *     slide id in {@code meta.slide}
 * @param subset the PathMMU subset (e.g. {@code SocialPath}): the subset a per-subset file
 *     ({@code {split: [items]}}, such as {@code socialpath_mapping.json}) holds, or the one subset to keep from the
 *     whole {@code data.json}; null takes a per-subset file's subset from its name and keeps every subset of
 *     {@code data.json}
 */
public record ReadOptions(Set<String> splits, String slidePattern, String subset) {

    public static final ReadOptions DEFAULTS = new ReadOptions(Set.of(), null, null);

    public ReadOptions {
        splits = splits == null ? Set.of() : Set.copyOf(splits);
    }

    public ReadOptions withSplits(Set<String> s) {
        return new ReadOptions(s, slidePattern, subset);
    }

    public ReadOptions withSlidePattern(String pattern) {
        return new ReadOptions(splits, pattern, subset);
    }

    public ReadOptions withSubset(String name) {
        return new ReadOptions(splits, slidePattern, name);
    }

    boolean keepsSplit(String split) {
        return splits.isEmpty() || splits.contains(split);
    }

    /** The image list for a slide-level record. */
    java.util.List<String> slideImages(String slide, String tumor) {
        if (slidePattern == null || slide == null || slide.isBlank()) {
            return java.util.List.of();
        }
        return java.util.List.of(slidePattern.replace("{slide}", slide).replace("{tumor}", tumor == null ? "" : tumor));
    }
}
