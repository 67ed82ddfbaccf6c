package org.pathoreason.wsi;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.WritableDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Patch coordinates as CLAM writes them ({@code coords}, int64 {@code [N, 2]} level-0 corners, with
 * {@code patch_size}, {@code patch_level}, {@code downsample}, {@code downsampled_level_dim}, {@code level_dim} and
 * {@code name} attributes, plus TRIDENT's {@code patch_size_level0}, {@code target_magnification},
 * {@code level0_magnification} and {@code overlap}) in HDF5 through jHDF, and the same as JSON or CSV.
 */
public final class CoordsFiles {

    private CoordsFiles() {
    }

    /** Writes {@code grid} as HDF5 (atomically). */
    public static void writeH5(Path target, TileGrid grid) {
        requirePatches(target, grid);
        writeH5(target, dataset -> putGridAttributes(dataset, grid), "coords", coordsArray(grid.coords()), null,
                null);
    }

    static void requirePatches(Path target, TileGrid grid) {
        if (grid.size() == 0) {
            // HDF5 through jHDF cannot hold an empty dataset; CLAM writes no file for such a slide either
            throw new SlideException(grid.slideName() + ": no patches to write to " + target + " (no tissue under "
                    + "any patch at these settings)");
        }
    }

    static long[][] coordsArray(List<long[]> coords) {
        long[][] a = new long[coords.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = coords.get(i).clone();
        }
        return a;
    }

    static void putGridAttributes(WritableDataset d, TileGrid g) {
        // CLAM's attributes (create_patches_fp.py / wsi_core): patch_size is the side read at patch_level
        d.putAttribute("patch_size", (long) g.patchSizeAtLevel());
        d.putAttribute("patch_level", (long) g.patchLevel());
        d.putAttribute("downsample", new double[] {g.levelDownsample(), g.levelDownsample()});
        d.putAttribute("downsampled_level_dim", new long[] {g.levelWidth(), g.levelHeight()});
        d.putAttribute("level_dim", new long[] {g.slideWidth(), g.slideHeight()});
        d.putAttribute("name", g.slideName());
        // TRIDENT's
        d.putAttribute("patch_size_level0", (long) g.patchSizeLevel0());
        d.putAttribute("target_magnification", g.targetMagnification());
        d.putAttribute("level0_magnification", g.level0Magnification());
        d.putAttribute("overlap", (long) g.overlap());
        // ours: the output side after resizing
        d.putAttribute("target_patch_size", (long) g.patchSize());
    }

    interface Attributes {
        void put(WritableDataset dataset);
    }

    /** Writes one or two datasets ({@code first} with attributes, optional {@code second}) into a new HDF5 file. */
    static void writeH5(Path target, Attributes attributes, String first, Object firstData, String second,
            Object secondData) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (WritableHdfFile hdf = HdfFile.write(tmp)) {
                WritableDataset d = hdf.putDataset(first, firstData);
                attributes.put(d);
                if (second != null) {
                    hdf.putDataset(second, secondData);
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover dot file is harmless
                }
            }
        }
    }

    /** Coordinates read back from a CLAM-style HDF5 file ({@code coords} dataset), with its attributes. */
    public record H5Coords(long[][] coords, Map<String, Object> attributes) {
    }

    public static H5Coords readH5(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SlideException("coordinates file " + file + " does not exist");
        }
        try (HdfFile hdf = new HdfFile(file)) {
            Dataset d = hdf.getDatasetByPath("coords");
            Object data = d.getData();
            long[][] coords;
            if (data instanceof long[][] l) {
                coords = l;
            } else if (data instanceof int[][] ints) {
                coords = new long[ints.length][];
                for (int i = 0; i < ints.length; i++) {
                    coords[i] = new long[] {ints[i][0], ints[i][1]};
                }
            } else {
                throw new SlideException(file + ": dataset 'coords' is " + data.getClass().getSimpleName()
                        + ", expected an integer [N, 2] array");
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (Map.Entry<String, Attribute> e : d.getAttributes().entrySet()) {
                attrs.put(e.getKey(), e.getValue().getData());
            }
            return new H5Coords(coords, attrs);
        } catch (io.jhdf.exceptions.HdfException e) {
            throw new SlideException(file + ": not a readable HDF5 coordinates file: " + e.getMessage(), e);
        }
    }

    /** JSON: the grid's settings and one {@code [x, y, tissue]} per patch. */
    public static void writeJson(Path target, TileGrid g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.slideName());
        m.put("level_dim", new long[] {g.slideWidth(), g.slideHeight()});
        m.put("resolution", g.resolution().toString());
        m.put("patch_size", g.patchSizeAtLevel());
        m.put("patch_level", g.patchLevel());
        m.put("patch_size_level0", g.patchSizeLevel0());
        m.put("target_patch_size", g.patchSize());
        m.put("target_magnification", g.targetMagnification());
        m.put("overlap", g.overlap());
        List<Object> patches = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            patches.add(List.of(g.coords().get(i)[0], g.coords().get(i)[1],
                    Math.round(g.tissueFractions()[i] * 1e4) / 1e4));
        }
        m.put("coords", patches);
        try {
            AtomicFiles.writeString(target, Json.PRETTY.writeValueAsString(m) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** CSV: {@code x,y,tissue_fraction} (level-0 corners). */
    public static void writeCsv(Path target, TileGrid g) {
        StringBuilder sb = new StringBuilder("x,y,tissue_fraction\n");
        for (int i = 0; i < g.size(); i++) {
            sb.append(g.coords().get(i)[0]).append(',').append(g.coords().get(i)[1]).append(',')
                    .append(String.format(Locale.ROOT, "%.4f", g.tissueFractions()[i])).append('\n');
        }
        AtomicFiles.writeString(target, sb.toString());
    }
}
