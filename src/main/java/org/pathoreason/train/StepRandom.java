package org.pathoreason.train;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Random streams derived from (seed, step, purpose) instead of a generator carried along: a resumed run asks for
 * the stream of step N and gets exactly what the uninterrupted run got, so no generator state has to be saved.
 *
 * <p>Keys are mixed with SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014), which spreads neighbouring inputs (step 7 vs step 8) over the whole 64-bit range.
 */
public final class StepRandom {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private StepRandom() {
    }

    /** A 64-bit seed for (seed, keys...); equal inputs give equal outputs, different inputs unrelated ones. */
    public static long derive(long seed, long... keys) {
        long h = mix(seed + GOLDEN_GAMMA);
        for (long key : keys) {
            h = mix(h ^ mix(key + GOLDEN_GAMMA));
        }
        return h;
    }

    /** A seed for (seed, step, purpose): {@code purpose} names the stream ("data", "dropout", "sampling"). */
    public static long derive(long seed, long step, String purpose) {
        return derive(seed, step, purposeKey(purpose));
    }

    /** A fresh generator for (seed, step, purpose). */
    public static SplittableRandom at(long seed, long step, String purpose) {
        return new SplittableRandom(derive(seed, step, purpose));
    }

    /**
     * Seeds the engine's (PyTorch's) global generator for (seed, step, purpose), so engine-side sampling such as
     * dropout or multinomial draws repeats exactly after a resume. Call it at the start of every step.
     */
    public static void seedEngine(long seed, long step, String purpose) {
        // PyTorch's manual_seed takes a 64-bit value; DJL's API takes an int, so fold the derived seed.
        long s = derive(seed, step, purpose);
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) (s ^ (s >>> 32)));
    }

    private static long purposeKey(String purpose) {
        long h = 0xCBF29CE484222325L; // FNV-1a: stable across JVMs, unlike String.hashCode's spread
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
