package org.pathoreason.model.half;

import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Products of float32 activations with 16-bit (BF16, F16) or float32 weights kept where they lie (memory-mapped
 * safetensors or off-heap), accumulated in float32: {@code y[rows, out] = x[rows, in] W^T} for {@code W [out, in]}.
 *
 * <p>Two implementations, chosen at run time as Lucene chooses its vectorization provider: the Java Vector API one
 * ({@code VectorKernels}, compiled for Java 25 into {@code META-INF/versions/25} of the multi-release jar; it needs
 * {@code --add-modules jdk.incubator.vector}), which streams the weights at about the memory bandwidth, and a plain
 * Java one ({@link ScalarKernels}: correct, several times slower) for Java 17 or when the module is not added.
 * System property {@value #PROPERTY} ({@code auto}, {@code vector}, {@code scalar}) forces one; {@value
 * #THREADS_PROPERTY} sets the threads (default: available processors).
 *
 * <p>Inference only: nothing here records gradients.
 */
public abstract class HalfKernels {

    public static final String PROPERTY = "pathoreason.kernels";
    public static final String THREADS_PROPERTY = "pathoreason.kernels.threads";
    static final String VECTOR_CLASS = "org.pathoreason.model.half.VectorKernels";
    /** Bytes of weight rows one task reads: small enough to stay in L2 while every activation row passes over it. */
    static final int TILE_BYTES = 64 * 1024;
    /** Activation rows computed together, so that each weight vector loaded is used this many times. */
    static final int ROW_BLOCK = 4;

    private static final Logger LOG = LoggerFactory.getLogger(HalfKernels.class);
    private static volatile HalfKernels shared;

    /** Which implementation {@link #create} returns. */
    public enum Choice {
        /** The Vector API kernels when they can run here, else the scalar ones (with a log line saying why). */
        AUTO,
        /** The Vector API kernels, or an error saying why they cannot run. */
        VECTOR,
        /** The plain Java kernels. */
        SCALAR
    }

    private final int threads;
    private final ForkJoinPool pool;

    protected HalfKernels(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** The process-wide kernels, chosen once from the system properties. */
    public static HalfKernels get() {
        HalfKernels k = shared;
        if (k == null) {
            synchronized (HalfKernels.class) {
                k = shared;
                if (k == null) {
                    k = create(choiceProperty(), threadsProperty());
                    LOG.info("16-bit kernels: {}", k.description());
                    shared = k;
                }
            }
        }
        return k;
    }

    public static HalfKernels create(Choice choice, int threads) {
        switch (choice) {
            case SCALAR:
                return new ScalarKernels(threads);
            case VECTOR:
                return vector(threads);
            default:
                try {
                    return vector(threads);
                } catch (ModelException e) {
                    LOG.info("16-bit kernels: using the plain Java fallback: {}", e.getMessage());
                    return new ScalarKernels(threads);
                }
        }
    }

    /** Why the Vector API kernels cannot run in this JVM, or null when they can. */
    public static String vectorUnavailableReason() {
        int feature = Runtime.version().feature();
        if (feature < 25) {
            return "the Vector API kernels need Java 25 or later; this JVM is Java " + feature;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the JVM was started without --add-modules jdk.incubator.vector";
        }
        try {
            Class.forName(VECTOR_CLASS);
        } catch (ClassNotFoundException e) {
            return "this build has no Java 25 classes (it was compiled by a JDK older than 25)";
        }
        return null;
    }

    private static HalfKernels vector(int threads) {
        String reason = vectorUnavailableReason();
        if (reason != null) {
            throw new ModelException(reason);
        }
        try {
            return (HalfKernels) Class.forName(VECTOR_CLASS).getConstructor(int.class).newInstance(threads);
        } catch (InvocationTargetException e) {
            throw new ModelException("the Vector API kernels failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ModelException("the Vector API kernels failed to load: " + e, e);
        }
    }

    static Choice choiceProperty() {
        String v = System.getProperty(PROPERTY, "auto").trim().toUpperCase(Locale.ROOT);
        try {
            return Choice.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new ModelException("system property " + PROPERTY + "=" + System.getProperty(PROPERTY)
                    + ": expected auto, vector or scalar");
        }
    }

    static int threadsProperty() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new ModelException("system property " + THREADS_PROPERTY + "=" + v + ": expected a whole number >= 1");
    }

    /** For example "Java Vector API, 256-bit, 2 threads". */
    public abstract String description();

    public int threads() {
        return threads;
    }

    /** Maps a whole file read-only; matrices are slices of it. */
    public abstract MappedFile map(Path file);

    /**
     * An off-heap copy of a matrix given as little-endian bytes of {@code dtype} (tests and benchmarks; checkpoints
     * are {@linkplain #map mapped}).
     */
    public abstract WeightMatrix copyOf(String name, DType dtype, int rows, int cols, ByteBuffer littleEndian);

    /**
     * {@code y[r * out + j] = sum_k x[r * in + k] * W[j, k]} for {@code r < rows}, float32 accumulation.
     *
     * @param x    activations {@code [rows, in]}, row-major
     * @param rows activation rows (1 for a decode step)
     * @param w    weights {@code [out, in]}
     * @param y    output {@code [rows, out]}, overwritten
     */
    public final void matmul(float[] x, int rows, WeightMatrix w, float[] y) {
        int in = w.cols();
        int out = w.rows();
        if (rows < 0 || (long) rows * in > x.length || (long) rows * out > y.length) {
            throw new IllegalArgumentException(w + ": x has " + x.length + " values and y " + y.length + " for "
                    + rows + " rows (need " + (long) rows * in + " and " + (long) rows * out + ")");
        }
        if (rows == 0 || out == 0) {
            return;
        }
        int rowBytes = Math.max(1, in * w.dtype().byteSize());
        // one row (decode): a few big tasks (nothing to reuse); several rows: tiles that stay in cache
        int tile = rows < ROW_BLOCK ? (out + threads * 2 - 1) / (threads * 2)
                : Math.max(1, Math.min(TILE_BYTES / rowBytes, (out + threads * 4 - 1) / (threads * 4)));
        int tiles = (out + tile - 1) / tile;
        if (pool == null || tiles == 1) {
            for (int t = 0; t < tiles; t++) {
                product(x, rows, w, y, t * tile, Math.min(out, (t + 1) * tile));
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, tiles).parallel()
                .forEach(t -> product(x, rows, w, y, t * tile, Math.min(out, (t + 1) * tile)))).join();
    }

    /**
     * Rows {@code [from, to)} of {@code W}, for all activation rows: for each block of {@link #ROW_BLOCK} activation
     * rows, every weight row of the tile is read once (the tile stays in cache between blocks).
     */
    protected abstract void product(float[] x, int rows, WeightMatrix w, float[] y, int from, int to);

    /** Row {@code row} of {@code w} widened to float32 into {@code dst[off ..]} (embedding look-up). */
    public abstract void readRow(WeightMatrix w, int row, float[] dst, int off);

    /** Rows {@code ids} of {@code w} (an embedding table), widened: {@code [ids.length, cols]}. */
    public final float[] gatherRows(WeightMatrix w, int[] ids) {
        float[] out = new float[Math.multiplyExact(ids.length, w.cols())];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= w.rows()) {
                throw new ModelException(w + ": row " + ids[i] + " is out of range (the table has " + w.rows()
                        + " rows)");
            }
            readRow(w, ids[i], out, i * w.cols());
        }
        return out;
    }

    /**
     * Measured read bandwidth of main memory in bytes per second: every thread sums its share of an off-heap buffer
     * of {@code bytes} (much larger than the caches), best of {@code repeats}. The floor for a product that streams
     * its weights once.
     */
    public abstract double readBandwidth(long bytes, int repeats);

    /** Runs {@code task(i)} for {@code i < n} on this kernel's threads. */
    protected final void parallelFor(int n, java.util.function.IntConsumer task) {
        if (pool == null || n == 1) {
            for (int i = 0; i < n; i++) {
                task.accept(i);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(task)).join();
    }

    protected static void checkFloating(Path file, String name, DType dtype) {
        if (dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.F32) {
            throw new ModelException((file == null ? "" : file + ": ") + "tensor '" + name + "' is "
                    + dtype.safetensorsName() + "; the 16-bit kernels take BF16, F16 or F32 weights");
        }
    }

    protected static void checkRange(Path file, String name, long offset, long bytes, long fileSize) {
        if (offset < 0 || bytes < 0 || offset + bytes > fileSize) {
            throw new SafetensorsException(file + ": tensor '" + name + "' bytes [" + offset + ", "
                    + (offset + bytes) + ") lie outside the file (" + fileSize + " bytes)");
        }
    }
}
