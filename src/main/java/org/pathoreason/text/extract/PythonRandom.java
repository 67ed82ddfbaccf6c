package org.pathoreason.text.extract;

/**
 * CPython's {@code random.Random}: the 32-bit Mersenne Twister (MT19937) with CPython's seeding of an integer
 * ({@code init_by_array} over the seed's 32-bit words), {@code getrandbits}, {@code random()} and
 * {@code choice()} (through {@code _randbelow}, which draws {@code bit_length(n)} bits and rejects values
 * {@code >= n}). Used to reproduce PathMMU's random fallback, which calls {@code random.choice} after
 * {@code random.seed(42)}; a draw here equals the draw Python makes from the same state.
 */
public final class PythonRandom {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int index;

    /** A generator in the state {@code random.seed(seed)} leaves. */
    public PythonRandom(long seed) {
        seed(seed);
    }

    /** Python's {@code random.seed(n)} for an int: the key is |n| split into 32-bit words, least significant first. */
    public void seed(long seed) {
        long magnitude = Math.abs(seed);
        int[] key;
        if (seed == Long.MIN_VALUE) {
            key = new int[] {0, 0x80000000};
        } else if ((magnitude >>> 32) == 0) {
            key = new int[] {(int) magnitude};
        } else {
            key = new int[] {(int) magnitude, (int) (magnitude >>> 32)};
        }
        initByArray(key);
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
        index = N;
    }

    /** The next raw 32-bit output, as an unsigned value in a long. */
    public long nextUint32() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
            mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        index = 0;
    }

    /** Python's {@code random.getrandbits(k)} for {@code 1 <= k <= 63}. */
    public long getrandbits(int k) {
        if (k < 1 || k > 63) {
            throw new IllegalArgumentException("getrandbits supports 1..63 bits here, not " + k);
        }
        if (k <= 32) {
            return nextUint32() >>> (32 - k);
        }
        // CPython fills 32-bit words least significant first; the last word keeps its top bits.
        long low = nextUint32();
        long high = nextUint32() >>> (64 - k);
        return (high << 32) | low;
    }

    /** Python's {@code random.random()}: 53 random bits in [0, 1). */
    public double random() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /** Python's {@code _randbelow(n)}: uniform in [0, n) by rejection on {@code bit_length(n)} bits. */
    public int randbelow(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("randbelow needs n > 0, not " + n);
        }
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return (int) r;
    }

    /** Python's {@code random.choice(seq)}. */
    public <T> T choice(java.util.List<T> seq) {
        if (seq.isEmpty()) {
            throw new IllegalArgumentException("cannot choose from an empty sequence");
        }
        return seq.get(randbelow(seq.size()));
    }
}
