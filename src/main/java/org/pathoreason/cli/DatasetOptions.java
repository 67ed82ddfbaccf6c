package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.ReadOptions;
import picocli.CommandLine.Option;

/** Options shared by commands that read a dataset in any supported format. */
public final class DatasetOptions {

    @Option(names = "--format", paramLabel = "F",
            description = "Dataset format: jsonl, pathmmu, wsi-vqa, slidebench, llava, image-folder, webdataset "
                    + "(default: detected from the file).")
    String format;

    @Option(names = "--split", split = ",", paramLabel = "SPLIT",
            description = "PathMMU splits to read (val, test, test_tiny; default all).")
    List<String> splits;

    @Option(names = "--subset", paramLabel = "NAME",
            description = "PathMMU subset (PubMed, EduContent, Atlas, SocialPath, PathCLS): the one a per-subset file "
                    + "such as socialpath_mapping.json holds (default: from its name), or the one to keep from data.json.")
    String subset;

    @Option(names = "--slide-pattern", paramLabel = "PATTERN",
            description = "Image path for slide-level benchmarks (WSI-VQA, SlideBench), e.g. slides/{slide}.svs; "
                    + "{tumor} is filled in too.")
    String slidePattern;

    /** The format given, or the one detected from {@code input}. */
    public DatasetFormat format(Path input) {
        return format == null ? DatasetFormat.detect(input) : DatasetFormat.parse(format);
    }

    public ReadOptions readOptions() {
        Set<String> s = splits == null ? Set.of() : new HashSet<>(splits);
        return new ReadOptions(s, slidePattern, subset);
    }

    /** Reads the dataset. */
    public List<Sample> read(Path input) {
        return format(input).read(input, readOptions());
    }
}
