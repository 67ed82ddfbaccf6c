package org.pathoreason.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pathoreason.util.Progress;

/**
 * Trains a byte-level BPE tokenizer (GPT-2 / Qwen2 style) on a small corpus: text is NFC-normalised, split by
 * Qwen2's pre-tokenizer regex, mapped to byte-level characters, and the most frequent adjacent pair is merged
 * until the vocabulary reaches its target size. Ties go to the pair with the smaller ids (left, then right), so
 * training is deterministic. Pair counts are updated incrementally: each merge touches only the words that
 * contain the merged pair.
 *
 * <p>The vocabulary starts with the 256 byte characters (ids 0-255, in GPT-2's order), so no text is ever
 * unknown; merged tokens follow, then the added tokens (Qwen2.5-VL's specials, then the reasoning tags), as in
 * Qwen's own tokenizer where the specials come after the byte-level vocabulary. Added tokens are cut out of the
 * training text first, so no merge learns pieces of them.
 */
public final class BpeTokenizerTrainer {

    /**
     * Training settings.
     *
     * @param vocabSize target number of ids, added tokens included
     * @param minFrequency a pair seen fewer times than this is never merged (training may then stop short)
     * @param specialTokens added tokens marked special (skipped when decoding with skipSpecialTokens)
     * @param addedTokens added tokens that are not special (kept in decoded text)
     * @param progress show a progress bar on stderr
     */
    public record Options(int vocabSize, int minFrequency, List<String> specialTokens, List<String> addedTokens,
            boolean progress) {

        public static final int DEFAULT_VOCAB_SIZE = 4096;

        public Options {
            specialTokens = List.copyOf(specialTokens);
            addedTokens = List.copyOf(addedTokens);
            if (minFrequency < 1) {
                throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
            }
            Set<String> all = new LinkedHashSet<>(specialTokens);
            for (String t : addedTokens) {
                if (!all.add(t)) {
                    throw new IllegalArgumentException("added token listed twice: " + t);
                }
            }
            for (String t : all) {
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("an added token is empty");
                }
            }
            int least = 256 + all.size() + 1;
            if (vocabSize < least) {
                throw new IllegalArgumentException("vocab size " + vocabSize + " is too small: it needs at least "
                        + least + " (256 byte tokens + " + all.size() + " added tokens + 1 merge)");
            }
        }

        /** Vocabulary of 4096, pairs seen at least twice, Qwen2.5-VL's specials and the reasoning tags. */
        public static Options defaults() {
            return new Options(DEFAULT_VOCAB_SIZE, 2, SpecialTokens.QWEN_SPECIALS, SpecialTokens.REASONING_TAGS,
                    false);
        }

        public Options withVocabSize(int n) {
            return new Options(n, minFrequency, specialTokens, addedTokens, progress);
        }

        public Options withMinFrequency(int n) {
            return new Options(vocabSize, n, specialTokens, addedTokens, progress);
        }

        public Options withProgress(boolean on) {
            return new Options(vocabSize, minFrequency, specialTokens, addedTokens, on);
        }
    }

    private static final Comparator<Candidate> BEST_FIRST = Comparator.comparingLong((Candidate c) -> -c.count)
            .thenComparingInt(c -> c.left).thenComparingInt(c -> c.right);

    private final Options options;

    public BpeTokenizerTrainer() {
        this(Options.defaults());
    }

    public BpeTokenizerTrainer(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Options options() {
        return options;
    }

    /**
     * Trains on a UTF-8 text file, read line by line (line ends are kept, so newline tokens are learned).
     *
     * @throws TokenizerException when the file is missing, not UTF-8 or holds no text
     */
    public BpeModel train(Path corpus) {
        if (!Files.isRegularFile(corpus)) {
            throw new TokenizerException(corpus + ": corpus file not found");
        }
        String text;
        try {
            text = readUtf8(corpus);
        } catch (IOException e) {
            throw new TokenizerException(corpus + ": cannot read corpus: " + e.getMessage(), e);
        }
        if (text.isBlank()) {
            throw new TokenizerException(corpus + ": corpus is empty, nothing to train on");
        }
        return train(splitLines(text));
    }

    /**
     * Trains on texts in memory.
     *
     * @throws TokenizerException when there is no text at all
     */
    public BpeModel train(Iterable<String> texts) {
        Map<String, int[]> pieceCounts = countPieces(texts);
        if (pieceCounts.isEmpty()) {
            throw new TokenizerException("no text to train a tokenizer on");
        }
        return merge(pieceCounts);
    }

    // ---- counting ----

    private Map<String, int[]> countPieces(Iterable<String> texts) {
        Pattern added = addedTokenPattern();
        // Most lines hold no added token: only lines with one of their first characters go through the regex.
        BitSet firstChars = new BitSet();
        for (String t : options.specialTokens()) {
            firstChars.set(t.charAt(0));
        }
        for (String t : options.addedTokens()) {
            firstChars.set(t.charAt(0));
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (String raw : texts) {
            if (raw == null || raw.isEmpty()) {
                continue;
            }
            String text = needsNormalising(raw) ? Normalizer.normalize(raw, Normalizer.Form.NFC) : raw;
            int from = 0;
            if (containsAny(text, firstChars)) {
                Matcher a = added.matcher(text);
                while (a.find()) {
                    countSegment(text.substring(from, a.start()), counts);
                    from = a.end();
                }
            }
            countSegment(from == 0 ? text : text.substring(from), counts);
        }
        return counts;
    }

    private static boolean containsAny(String text, BitSet chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.get(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Text below U+0300 (ASCII, Latin-1, Latin Extended) holds no combining marks: NFC leaves it alone. */
    private static boolean needsNormalising(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x300) {
                return true;
            }
        }
        return false;
    }

    private Pattern addedTokenPattern() {
        List<String> all = new ArrayList<>(options.specialTokens());
        all.addAll(options.addedTokens());
        all.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder sb = new StringBuilder();
        for (String t : all) {
            sb.append(sb.length() == 0 ? "" : "|").append(Pattern.quote(t));
        }
        return Pattern.compile(sb.toString());
    }

    private static void countSegment(String segment, Map<String, int[]> counts) {
        if (segment.isEmpty()) {
            return;
        }
        Matcher m = ByteLevel.QWEN2_REGEX.matcher(segment);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                bump(counts, segment.substring(last, m.start()));
            }
            if (m.end() > m.start()) {
                bump(counts, segment.substring(m.start(), m.end()));
            }
            last = m.end();
        }
        if (last < segment.length()) {
            bump(counts, segment.substring(last));
        }
    }

    private static void bump(Map<String, int[]> counts, String piece) {
        counts.computeIfAbsent(piece, k -> new int[1])[0]++;
    }

    // ---- merging ----

    /** A pair and its count when it was queued; stale once the live count differs. */
    private record Candidate(long count, int left, int right) {
    }

    private BpeModel merge(Map<String, int[]> pieceCounts) {
        // Base vocabulary: the 256 byte characters ordered by code point, which is GPT-2's order.
        List<String> vocab = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        char[] alphabet = new char[256];
        for (int b = 0; b < 256; b++) {
            alphabet[b] = ByteLevel.charOf(b);
        }
        Arrays.sort(alphabet);
        int[] byteId = new int[256];
        for (int i = 0; i < 256; i++) {
            String s = String.valueOf(alphabet[i]);
            vocab.add(s);
            ids.put(s, i);
            byteId[ByteLevel.byteOf(alphabet[i])] = i;
        }

        // Words with at least one pair, as symbol ids.
        int n = 0;
        int[][] symbols = new int[pieceCounts.size()][];
        int[] lengths = new int[pieceCounts.size()];
        long[] freq = new long[pieceCounts.size()];
        for (Map.Entry<String, int[]> e : pieceCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 2) {
                continue;
            }
            int[] s = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                s[i] = byteId[bytes[i] & 0xFF];
            }
            symbols[n] = s;
            lengths[n] = s.length;
            freq[n] = e.getValue()[0];
            n++;
        }

        LongLongMap pairCount = new LongLongMap();
        Map<Long, IntList> where = new HashMap<>();
        for (int w = 0; w < n; w++) {
            int[] s = symbols[w];
            for (int i = 0; i + 1 < lengths[w]; i++) {
                long k = key(s[i], s[i + 1]);
                if (pairCount.add(k, freq[w]) == freq[w]) {
                    where.put(k, new IntList());
                }
                where.get(k).add(w);
            }
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Math.max(16, pairCount.size()), BEST_FIRST);
        pairCount.forEach((k, c) -> queue.add(new Candidate(c, left(k), right(k))));

        int budget = options.vocabSize() - 256 - options.specialTokens().size() - options.addedTokens().size();
        List<String[]> merges = new ArrayList<>();
        Delta delta = new Delta();
        Progress.Task bar = options.progress() ? Progress.bar("BPE merges", budget, "merges") : null;
        try {
            while (merges.size() < budget && !queue.isEmpty()) {
                Candidate best = queue.poll();
                long k = key(best.left, best.right);
                long live = pairCount.get(k);
                if (live != best.count) {
                    continue; // stale entry: a fresher one with the live count is queued
                }
                if (live < options.minFrequency()) {
                    break;
                }
                String a = vocab.get(best.left);
                String b = vocab.get(best.right);
                String merged = a + b;
                Integer newId = ids.get(merged);
                if (newId == null) {
                    newId = vocab.size();
                    vocab.add(merged);
                    ids.put(merged, newId);
                }
                merges.add(new String[] {a, b});
                applyMerge(best.left, best.right, newId, where.remove(k), symbols, lengths, freq, pairCount, where,
                        delta, queue);
                if (bar != null) {
                    bar.step();
                }
            }
        } finally {
            if (bar != null) {
                bar.maxHint(merges.size()); // training may stop short of the budget
                bar.close();
            }
        }
        return new BpeModel(vocab, merges, options.specialTokens(), options.addedTokens());
    }

    private static void applyMerge(int a, int b, int newId, IntList words, int[][] symbols, int[] lengths,
            long[] freq, LongLongMap pairCount, Map<Long, IntList> where, Delta delta,
            PriorityQueue<Candidate> queue) {
        if (words == null) {
            return;
        }
        // Each affected word's pairs are taken out before the merge and put back after it; pairs the merge did
        // not touch cancel out in the delta and are left alone.
        for (int w : words.sortedDistinct()) {
            int[] s = symbols[w];
            int len = lengths[w];
            if (!containsPair(s, len, a, b)) {
                continue; // stale index entry: an earlier merge removed the pair from this word
            }
            long f = freq[w];
            for (int i = 0; i + 1 < len; i++) {
                delta.add(key(s[i], s[i + 1]), -f);
            }
            int j = 0;
            for (int i = 0; i < len; ) {
                if (i + 1 < len && s[i] == a && s[i + 1] == b) {
                    s[j++] = newId;
                    i += 2;
                } else {
                    s[j++] = s[i++];
                }
            }
            lengths[w] = j;
            for (int i = 0; i + 1 < j; i++) {
                long k = key(s[i], s[i + 1]);
                delta.add(k, f);
                if (s[i] == newId || s[i + 1] == newId) {
                    where.computeIfAbsent(k, x -> new IntList()).add(w);
                }
            }
        }
        delta.drain((k, d) -> {
            long c = pairCount.add(k, d);
            if (c <= 0) {
                where.remove(k);
            } else {
                queue.add(new Candidate(c, left(k), right(k)));
            }
        });
    }

    private static boolean containsPair(int[] s, int len, int a, int b) {
        for (int i = 0; i + 1 < len; i++) {
            if (s[i] == a && s[i + 1] == b) {
                return true;
            }
        }
        return false;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int left(long key) {
        return (int) (key >>> 32);
    }

    private static int right(long key) {
        return (int) key;
    }

    /** A growable int array; duplicates are allowed and removed when read. */
    private static final class IntList {
        private int[] data = new int[4];
        private int size;

        void add(int v) {
            if (size > 0 && data[size - 1] == v) {
                return;
            }
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        int[] sortedDistinct() {
            int[] copy = Arrays.copyOf(data, size);
            Arrays.sort(copy);
            int j = 0;
            for (int i = 0; i < copy.length; i++) {
                if (j == 0 || copy[j - 1] != copy[i]) {
                    copy[j++] = copy[i];
                }
            }
            return Arrays.copyOf(copy, j);
        }
    }

    /** Receives a key and a value. */
    @FunctionalInterface
    private interface LongLongConsumer {
        void accept(long key, long value);
    }

    /**
     * Pair counts by pair key without boxing (open addressing, linear probing). A count of 0 means absent;
     * keys are never removed, which is fine for the few hundred thousand pairs of a small corpus.
     */
    private static final class LongLongMap {
        private static final long EMPTY = -1L; // pair keys are non-negative
        private long[] keys = newKeys(1 << 12);
        private long[] values = new long[1 << 12];
        private int used;

        private static long[] newKeys(int n) {
            long[] k = new long[n];
            Arrays.fill(k, EMPTY);
            return k;
        }

        private int slot(long key) {
            int mask = keys.length - 1;
            int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
            while (keys[i] != EMPTY && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        long get(long key) {
            int i = slot(key);
            return keys[i] == key ? values[i] : 0;
        }

        /** Adds {@code d} to the value of {@code key} and returns the new value. */
        long add(long key, long d) {
            int i = slot(key);
            if (keys[i] != key) {
                keys[i] = key;
                used++;
                if (used * 2 > keys.length) {
                    values[i] = d;
                    grow();
                    return d;
                }
            }
            values[i] += d;
            return values[i];
        }

        int size() {
            return used;
        }

        void forEach(LongLongConsumer consumer) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != EMPTY && values[i] != 0) {
                    consumer.accept(keys[i], values[i]);
                }
            }
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldValues = values;
            keys = newKeys(oldKeys.length * 2);
            values = new long[oldKeys.length * 2];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY) {
                    int j = slot(oldKeys[i]);
                    keys[j] = oldKeys[i];
                    values[j] = oldValues[i];
                }
            }
        }
    }

    /** Net change of pair counts during one merge; drained (and so emptied) once the merge is done. */
    private static final class Delta {
        private final LongLongMap map = new LongLongMap();
        private long[] touched = new long[1024];
        private int size;

        void add(long key, long d) {
            if (map.add(key, d) == d) { // was zero: remember the key once per non-zero stretch
                if (size == touched.length) {
                    touched = Arrays.copyOf(touched, size * 2);
                }
                touched[size++] = key;
            }
        }

        /** Hands each non-zero change to {@code consumer} (in first-touch order) and resets all to zero. */
        void drain(LongLongConsumer consumer) {
            for (int i = 0; i < size; i++) {
                long k = touched[i];
                long d = map.get(k);
                if (d != 0) {
                    map.add(k, -d);
                    consumer.accept(k, d);
                }
            }
            size = 0;
        }
    }

    // ---- input ----

    private static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new TokenizerException(file + ":" + line + ": not valid UTF-8 text (bad byte at offset " + at + ")");
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        int from = 0;
        int nl;
        while ((nl = text.indexOf('\n', from)) >= 0) {
            lines.add(text.substring(from, nl + 1));
            from = nl + 1;
        }
        if (from < text.length()) {
            lines.add(text.substring(from));
        }
        return lines;
    }
}
