package org.pathoreason.data.readers;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.pathoreason.data.Sample;
import org.pathoreason.util.FuzzFiles;
import org.pathoreason.util.PathoReasonException;

/**
 * Any bytes as a dataset file of every format read from a file (canonical JSONL, PathMMU's {@code data.json} and
 * per-subset files, WSI-VQA, SlideBench CSV, LLaVA conversations), and through format detection: each read either
 * gives samples or fails with the project's own exception naming the file. Seeds:
 * {@code src/test/resources/org/pathoreason/data/readers/DatasetReadersFuzzTestInputs/}.
 */
@Tag("fuzz")
class DatasetReadersFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyBytesAsEveryDatasetFormat(byte[] bytes) {
        Path dir = FuzzFiles.folder("datasets");
        read(DatasetFormat.JSONL, FuzzFiles.write(dir, "samples.jsonl", bytes), ReadOptions.DEFAULTS);
        read(DatasetFormat.PATHMMU, FuzzFiles.write(dir, "data.json", bytes), ReadOptions.DEFAULTS);
        read(DatasetFormat.PATHMMU, FuzzFiles.write(dir, "socialpath_mapping.json", bytes),
                ReadOptions.DEFAULTS.withSplits(java.util.Set.of("test")));
        Path json = FuzzFiles.write(dir, "records.json", bytes);
        read(DatasetFormat.WSI_VQA, json, ReadOptions.DEFAULTS.withSlidePattern("slides/{slide}-{tumor}.svs"));
        read(DatasetFormat.LLAVA, json, ReadOptions.DEFAULTS);
        read(DatasetFormat.SLIDEBENCH, FuzzFiles.write(dir, "slidebench.csv", bytes), ReadOptions.DEFAULTS);
        for (Path p : List.of(json, dir.resolve("slidebench.csv"), dir.resolve("samples.jsonl"))) {
            try {
                read(DatasetFormat.detect(p), p, ReadOptions.DEFAULTS);
            } catch (PathoReasonException expected) {
                // not recognisable: a clear error
            }
        }
    }

    private static void read(DatasetFormat format, Path file, ReadOptions options) {
        try {
            List<Sample> samples = format.read(file, options);
            DatasetStats.of(samples);
        } catch (PathoReasonException expected) {
            // a clear error naming the file: what the property allows
        }
    }
}
