package org.pathoreason.data.readers;

import java.nio.file.Path;
import java.util.List;
import org.pathoreason.data.Sample;

/**
 * Reads one benchmark or training format into canonical {@link Sample}s. Image paths in the samples are relative
 * to {@link DatasetFormat#imageBase(Path)} of the input (or absolute), the same convention as canonical JSONL.
 * Bad input raises {@link org.pathoreason.data.DataException} naming the file, the line and the record.
 */
@FunctionalInterface
public interface DatasetReader {

    List<Sample> read(Path input, ReadOptions options);
}
