package org.pathoreason.wsi;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded tiles, least recently used first out, bounded by memory (4 bytes a pixel). Thread-safe; two threads that
 * miss the same tile at once may both decode it, which costs time but never gives a wrong pixel.
 */
final class TileCache {

    record Key(int image, int chunk) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, int[]> tiles = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    TileCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("tile cache size must be >= 0 bytes, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    synchronized int[] get(Key key) {
        int[] t = tiles.get(key);
        if (t == null) {
            misses++;
        } else {
            hits++;
        }
        return t;
    }

    synchronized void put(Key key, int[] tile) {
        long size = 4L * tile.length;
        if (size > maxBytes) {
            return;
        }
        int[] old = tiles.put(key, tile);
        bytes += size - (old == null ? 0 : 4L * old.length);
        Iterator<Map.Entry<Key, int[]>> it = tiles.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<Key, int[]> e = it.next();
            if (e.getKey().equals(key)) {
                continue;
            }
            bytes -= 4L * e.getValue().length;
            it.remove();
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return tiles.size();
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized void clear() {
        tiles.clear();
        bytes = 0;
    }

    long maxBytes() {
        return maxBytes;
    }
}
