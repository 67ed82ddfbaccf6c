package org.pathoreason.generate;

/** Turns token ids into text (e.g. {@code ids -> tokenizer.decode(ids)}), special tokens left out. */
@FunctionalInterface
public interface TokenDecoder {

    String decode(long[] ids);
}
