package org.pathoreason.wsi;

import java.util.Arrays;

/** TIFF's LZW (MSB-first codes, early change, 9 to 12 bits), as libtiff decodes it. */
final class Lzw {

    private static final int CLEAR = 256;
    private static final int EOI = 257;

    private Lzw() {
    }

    /** Decodes up to {@code expected} bytes (the output stops there even if codes remain). */
    static byte[] decode(byte[] in, int expected) {
        byte[] out = new byte[expected];
        int outLen = 0;
        // table: each code's string is its prefix code's string + one byte
        int[] prefix = new int[4096];
        byte[] suffix = new byte[4096];
        int[] length = new int[4096];
        for (int i = 0; i < 256; i++) {
            suffix[i] = (byte) i;
            length[i] = 1;
            prefix[i] = -1;
        }
        int next = 258;
        int bits = 9;
        int old = -1;
        long bitBuf = 0;
        int bitCount = 0;
        int pos = 0;
        byte[] scratch = new byte[4096];
        while (outLen < expected) {
            while (bitCount < bits && pos < in.length) {
                bitBuf = (bitBuf << 8) | (in[pos++] & 0xFF);
                bitCount += 8;
            }
            if (bitCount < bits) {
                break;
            }
            int code = (int) ((bitBuf >>> (bitCount - bits)) & ((1 << bits) - 1));
            bitCount -= bits;
            if (code == EOI) {
                break;
            }
            if (code == CLEAR) {
                next = 258;
                bits = 9;
                old = -1;
                continue;
            }
            int firstByte;
            if (old == -1) {
                if (code > 255) {
                    break; // corrupt: first code after a clear must be a literal
                }
                out[outLen++] = (byte) code;
                old = code;
                continue;
            }
            int emitCode;
            boolean kwkwk = code >= next;
            if (kwkwk) {
                if (code != next) {
                    break; // corrupt stream: stop with what was decoded
                }
                emitCode = old;
            } else {
                emitCode = code;
            }
            int len = length[emitCode];
            int c = emitCode;
            for (int k = len - 1; k >= 0; k--) {
                scratch[k] = suffix[c];
                c = prefix[c];
            }
            firstByte = scratch[0];
            int n = Math.min(len, expected - outLen);
            System.arraycopy(scratch, 0, out, outLen, n);
            outLen += n;
            if (kwkwk && outLen < expected) {
                out[outLen++] = (byte) firstByte;
            }
            if (next < 4096) {
                prefix[next] = old;
                suffix[next] = (byte) firstByte;
                length[next] = length[old] + 1;
                next++;
            }
            old = code;
            // early change: the code width grows one code before the table fills
            if (next >= 511 && bits == 9) {
                bits = 10;
            } else if (next >= 1023 && bits == 10) {
                bits = 11;
            } else if (next >= 2047 && bits == 11) {
                bits = 12;
            }
        }
        return outLen == expected ? out : Arrays.copyOf(out, outLen);
    }
}
