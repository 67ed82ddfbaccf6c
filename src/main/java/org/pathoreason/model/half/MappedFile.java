package org.pathoreason.model.half;

import java.nio.file.Path;
import org.pathoreason.model.io.DType;

/** One file memory-mapped by a {@link HalfKernels}; its matrices stay valid until it is closed. */
public interface MappedFile extends AutoCloseable {

    Path path();

    /**
     * A matrix lying at {@code byteOffset} of the file (from the file's start), without copying.
     *
     * @throws org.pathoreason.model.ModelException when the range is outside the file or the type is not floating
     */
    WeightMatrix matrix(String name, DType dtype, long byteOffset, int rows, int cols);

    @Override
    void close();
}
