package org.pathoreason.knowledge;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable string map with keys in sorted order. Relations share instances (PrimeKG has millions of
 * relations but a few distinct attribute sets), so {@link #freeze} returns an already frozen map unchanged.
 */
final class AttributeMap extends AbstractMap<String, String> {

    static final AttributeMap EMPTY = new AttributeMap(new String[0], new String[0]);

    private final String[] keys;
    private final String[] values;

    private AttributeMap(String[] keys, String[] values) {
        this.keys = keys;
        this.values = values;
    }

    static Map<String, String> freeze(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return EMPTY;
        }
        if (map instanceof AttributeMap a) {
            return a;
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "attribute key");
            if (key.isBlank()) {
                throw new IllegalArgumentException("blank attribute key");
            }
            sorted.put(key, Objects.requireNonNull(e.getValue(), () -> "attribute '" + key + "' has no value"));
        }
        return new AttributeMap(sorted.keySet().toArray(new String[0]), sorted.values().toArray(new String[0]));
    }

    @Override
    public String get(Object key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    int i;

                    @Override
                    public boolean hasNext() {
                        return i < keys.length;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (i >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, String> e = new SimpleImmutableEntry<>(keys[i], values[i]);
                        i++;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return keys.length;
            }
        };
    }
}
