package org.pathoreason.data.synth;

/**
 * Settings of one synthetic dataset.
 *
 * @param seed everything is derived from it: same seed and settings, byte-identical output
 * @param scale multiplies every split size (1.0 = PathVLM-R1 sizes: 3000 SFT, 1000 RL, 1385 test, plus 5000
 *     pretraining captions and 300 validation questions)
 * @param imageSize tile side in pixels
 * @param threads rendering threads (output does not depend on it)
 * @param unseenShare share of test and validation cases drawn from optional-finding combinations held out of the
 *     training splits
 */
public record SynthOptions(long seed, double scale, int imageSize, int threads, double unseenShare) {

    public SynthOptions {
        if (!(scale > 0) || scale > 100) {
            throw new IllegalArgumentException("scale must be in (0, 100], got " + scale);
        }
        if (imageSize < 64 || imageSize > 1024) {
            throw new IllegalArgumentException("image size must be between 64 and 1024 pixels, got " + imageSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (unseenShare < 0 || unseenShare > 1) {
            throw new IllegalArgumentException("unseen share must be in [0, 1], got " + unseenShare);
        }
    }

    /** Seed 0, scale 1, 224-pixel tiles, all cores, 40% unseen combinations in test. */
    public static SynthOptions defaults() {
        return new SynthOptions(0, 1.0, 224, Math.max(1, Runtime.getRuntime().availableProcessors()), 0.4);
    }

    public SynthOptions withSeed(long s) {
        return new SynthOptions(s, scale, imageSize, threads, unseenShare);
    }

    public SynthOptions withScale(double s) {
        return new SynthOptions(seed, s, imageSize, threads, unseenShare);
    }

    public SynthOptions withImageSize(int s) {
        return new SynthOptions(seed, scale, s, threads, unseenShare);
    }

    public SynthOptions withThreads(int t) {
        return new SynthOptions(seed, scale, imageSize, t, unseenShare);
    }
}
