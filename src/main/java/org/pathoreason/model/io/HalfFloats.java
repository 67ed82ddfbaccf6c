package org.pathoreason.model.io;

/**
 * Exact conversions between float32 and the 16-bit float formats (IEEE binary16 "F16" and bfloat16 "BF16"), done in
 * Java because DJL's JNI has no BF16. Widening is exact; narrowing rounds to nearest, ties to even, as PyTorch does.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** bfloat16 bits to float32: the 16 bits are the top half of the float32 bits, so this is exact. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float32 to bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN of the same sign. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** IEEE binary16 bits to float32 (exact, including subnormals, infinities and NaN payloads). */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float32
            float magnitude = Math.scalb((float) mantissa, -24);
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** float32 to IEEE binary16 bits, round to nearest even; overflow gives infinity, NaN stays NaN. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {
            if (abs == 0x7F800000) {
                return (short) (sign | 0x7C00);
            }
            int payload = (abs >>> 13) & 0x3FF;
            return (short) (sign | 0x7C00 | 0x200 | payload);
        }
        if (abs >= 0x477FF000) {
            // 65520 and above round to infinity (65520 is the tie between 65504 and 2^16; the even side is infinity)
            return (short) (sign | 0x7C00);
        }
        int exponent = abs >>> 23;
        int mantissa = abs & 0x7FFFFF;
        if (exponent < 113) {
            // below 2^-14: a half subnormal (or zero), counted in units of 2^-24
            if (exponent == 0) {
                return (short) sign; // float32 subnormals are far below half precision
            }
            int significand = mantissa | 0x800000;
            int shift = 126 - exponent;
            if (shift > 31) {
                return (short) sign;
            }
            return (short) (sign | roundShiftRightEven(significand, shift));
        }
        int combined = ((exponent - 112) << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (combined & 1) == 1)) {
            combined++;
        }
        return (short) (sign | combined);
    }

    private static int roundShiftRightEven(int value, int shift) {
        int quotient = value >>> shift;
        int remainder = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (remainder > half || (remainder == half && (quotient & 1) == 1)) {
            quotient++;
        }
        return quotient;
    }
}
