package org.pathoreason.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.util.Json;
import org.pathoreason.wsi.DeepZoomWriter;
import org.pathoreason.wsi.Slide;
import org.pathoreason.wsi.SlideBackend;
import org.pathoreason.wsi.SlideException;
import org.pathoreason.wsi.SlideIndex;
import org.pathoreason.wsi.Slides;
import org.pathoreason.wsi.Tiler;

/**
 * The slides of a folder as Deep Zoom images made on the fly ({@code NAME.dzi}, {@code NAME_files/L/C_R.jpeg} in
 * openslide-python's layout, {@link DeepZoomWriter}'s tiles): slides are looked up by name in the folder's index
 * only, so no path from a request reaches the file system; a few slides stay open, and encoded tiles are kept in an
 * LRU cache bounded in bytes.
 */
final class SlideTiles {

    static final int OPEN_SLIDES = 8;

    private final Map<String, Path> files = new LinkedHashMap<>();
    private final DeepZoomWriter.Options options = DeepZoomWriter.Options.defaults();
    private final long cacheBytes;
    private long cached;
    private final LinkedHashMap<String, byte[]> tiles = new LinkedHashMap<>(64, 0.75f, true);
    private final LinkedHashMap<String, Slide> open = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Slide> eldest) {
            if (size() > OPEN_SLIDES) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    /** Indexes {@code dir}; two slides with one name keep the first in name order. */
    SlideTiles(Path dir, long cacheBytes) {
        for (Path f : SlideIndex.of(dir).files()) {
            files.putIfAbsent(Tiler.name(f), f);
        }
        this.cacheBytes = cacheBytes;
    }

    /** {@code {"object": "list", "data": [{"id", "width", "height", "levels", "mpp", "vendor", "dzi"}]}}. */
    ObjectNode list() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String name : files.keySet()) {
            ObjectNode o = data.addObject();
            o.put("id", name);
            o.put("object", "slide");
            try {
                Slide s = slide(name);
                o.put("width", s.width());
                o.put("height", s.height());
                o.put("levels", s.levelCount());
                String mpp = s.properties().get("openslide.mpp-x");
                if (mpp != null) {
                    o.put("mpp", Double.parseDouble(mpp));
                }
                o.put("vendor", s.properties().getOrDefault("openslide.vendor", ""));
                o.put("dzi", "/slides/" + name + ".dzi");
            } catch (SlideException | NumberFormatException e) {
                o.put("error", e.getMessage());
            }
        }
        return root;
    }

    String descriptor(String name) {
        return DeepZoomWriter.descriptor(slide(name), options);
    }

    /** One JPEG tile; an unknown slide, level or tile is a 404. */
    byte[] tile(String name, int level, int col, int row) {
        String key = name + "/" + level + "/" + col + "_" + row;
        synchronized (tiles) {
            byte[] hit = tiles.get(key);
            if (hit != null) {
                return hit;
            }
        }
        byte[] jpeg;
        try {
            jpeg = DeepZoomWriter.encode(DeepZoomWriter.tile(slide(name), level, col, row, options), options);
        } catch (SlideException e) {
            throw ApiException.notFound(null, e.getMessage());
        }
        synchronized (tiles) {
            if (tiles.put(key, jpeg) == null) {
                cached += jpeg.length;
            }
            var it = tiles.entrySet().iterator();
            while (cached > cacheBytes && it.hasNext()) {
                cached -= it.next().getValue().length;
                it.remove();
            }
        }
        return jpeg;
    }

    /** Bytes in the tile cache (for tests and metrics). */
    long cachedBytes() {
        synchronized (tiles) {
            return cached;
        }
    }

    List<String> names() {
        return List.copyOf(files.keySet());
    }

    private Slide slide(String name) {
        Path f = files.get(name);
        if (f == null) {
            throw ApiException.notFound(null, "no slide named '" + name + "'");
        }
        synchronized (open) {
            Slide s = open.get(name);
            if (s == null) {
                s = Slides.open(f, SlideBackend.AUTO);
                open.put(name, s);
            }
            return s;
        }
    }

    void close() {
        synchronized (open) {
            open.values().forEach(Slide::close);
            open.clear();
        }
    }
}
