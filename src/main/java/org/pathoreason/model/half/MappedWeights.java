package org.pathoreason.model.half;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.TensorInfo;

/**
 * A safetensors checkpoint (one file or shards) whose weight matrices are used where they lie: every file is
 * memory-mapped once by the {@link HalfKernels} and each matrix is a slice of it, so opening costs no copy and the
 * pages are read (and counted as resident) only when a product touches them. Headers are validated by
 * {@link SafetensorsReader}, which also reads the small tensors (norms, biases) as float32.
 */
public final class MappedWeights implements AutoCloseable {

    private final SafetensorsReader reader;
    private final HalfKernels kernels;
    private final Map<Path, MappedFile> files = new LinkedHashMap<>();

    private MappedWeights(SafetensorsReader reader, HalfKernels kernels) {
        this.reader = reader;
        this.kernels = kernels;
    }

    /** Opens a file, a sharded index or a folder, as {@link SafetensorsReader#open} does. */
    public static MappedWeights open(Path fileOrDir, HalfKernels kernels) throws SafetensorsException {
        return new MappedWeights(SafetensorsReader.open(fileOrDir), kernels);
    }

    public SafetensorsReader reader() {
        return reader;
    }

    public HalfKernels kernels() {
        return kernels;
    }

    /** A 2-D floating-point tensor as a matrix, without copying. */
    public WeightMatrix matrix(String name) throws SafetensorsException {
        TensorInfo t = reader.info(name);
        Path file = reader.fileOf(name);
        long[] shape = t.shape();
        if (shape.length != 2 || shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
            throw new SafetensorsException(file + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + "; a weight matrix must be 2-D [out, in]");
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new SafetensorsException(file + ": tensor '" + name + "' is " + t.dtype().safetensorsName()
                    + "; a weight matrix must be BF16, F16 or F32");
        }
        MappedFile mapped;
        synchronized (files) {
            mapped = files.computeIfAbsent(file, kernels::map);
        }
        return mapped.matrix(name, t.dtype(), reader.fileOffset(name), (int) shape[0], (int) shape[1]);
    }

    /** Unmaps every file: matrices taken from it must not be used afterwards. */
    @Override
    public void close() {
        synchronized (files) {
            files.values().forEach(MappedFile::close);
            files.clear();
        }
        reader.close();
    }
}
