package org.pathoreason.text;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * GPT-2 / Qwen byte-level encoding: every byte maps to one printable character (printable Latin-1 bytes to
 * themselves, the rest to U+0100 onwards), so any text is a string over a 256-character alphabet and nothing is
 * ever unknown. Also holds Qwen2's pre-tokenization regex.
 */
public final class ByteLevel {

    /**
     * Qwen2's pre-tokenizer pattern (as in its {@code tokenizer.json}): contractions, letter runs with one
     * leading non-letter, single digits, punctuation runs, newline runs, other whitespace.
     */
    public static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** {@link #QWEN2_PATTERN} compiled with Unicode whitespace, as the Rust tokenizers library reads it. */
    public static final Pattern QWEN2_REGEX = Pattern.compile(QWEN2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The character standing for byte {@code b} (0-255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a byte-level character stands for, or -1 when {@code c} is not one. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte-level form of {@code text}'s UTF-8 bytes ({@code " the"} becomes {@code "Ġthe"}). */
    public static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The text a byte-level string stands for (invalid UTF-8 becomes U+FFFD, as Hugging Face decodes it). */
    public static String decode(String byteLevel) {
        byte[] bytes = new byte[byteLevel.length()];
        for (int i = 0; i < bytes.length; i++) {
            int b = byteOf(byteLevel.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException("not a byte-level character: U+"
                        + Integer.toHexString(byteLevel.charAt(i)));
            }
            bytes[i] = (byte) b;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
