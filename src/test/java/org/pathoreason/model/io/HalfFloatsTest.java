package org.pathoreason.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    private static int bf16(float f) {
        return HalfFloats.floatToBf16(f) & 0xFFFF;
    }

    private static int f16(float f) {
        return HalfFloats.floatToF16(f) & 0xFFFF;
    }

    @Test
    void bf16RoundsToNearestEvenOnHandComputedBits() {
        assertThat(bf16(1.0f)).isEqualTo(0x3F80);
        assertThat(bf16(-2.5f)).isEqualTo(0xC020);
        // 1 + 2^-8 is exactly halfway between 0x3F80 and 0x3F81: ties go to the even one
        assertThat(bf16(Float.intBitsToFloat(0x3F808000))).isEqualTo(0x3F80);
        // 1 + 3 * 2^-8 is halfway between 0x3F81 and 0x3F82: even is 0x3F82
        assertThat(bf16(Float.intBitsToFloat(0x3F818000))).isEqualTo(0x3F82);
        // just above halfway rounds up, just below rounds down
        assertThat(bf16(Float.intBitsToFloat(0x3F808001))).isEqualTo(0x3F81);
        assertThat(bf16(Float.intBitsToFloat(0x3F807FFF))).isEqualTo(0x3F80);
        // the largest float rounds up to infinity
        assertThat(bf16(Float.MAX_VALUE)).isEqualTo(0x7F80);
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFF80);
        int nan = bf16(Float.NaN);
        assertThat(nan & 0x7F80).isEqualTo(0x7F80);
        assertThat(nan & 0x007F).isNotZero();
        // a NaN whose payload lies only in the low bits must not become infinity
        assertThat(bf16(Float.intBitsToFloat(0x7F800001)) & 0x7F).isNotZero();
    }

    @Test
    void f16RoundsToNearestEvenOnHandComputedBits() {
        assertThat(f16(1.0f)).isEqualTo(0x3C00);
        assertThat(f16(-2.0f)).isEqualTo(0xC000);
        assertThat(f16(0.1f)).isEqualTo(0x2E66);
        assertThat(f16(1f / 3f)).isEqualTo(0x3555);
        assertThat(f16(65504f)).isEqualTo(0x7BFF);
        assertThat(f16(65519f)).isEqualTo(0x7BFF);
        assertThat(f16(65520f)).isEqualTo(0x7C00);
        assertThat(f16(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(f16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFC00);
        assertThat(f16(-0.0f)).isEqualTo(0x8000);
        // subnormals: units of 2^-24
        assertThat(f16(0x1p-24f)).isEqualTo(0x0001);
        assertThat(f16(0x1p-25f)).isEqualTo(0x0000); // tie between 0 and 1 unit: even is 0
        assertThat(f16(0x1.8p-25f)).isEqualTo(0x0001); // 0.75 unit
        assertThat(f16(0x1.8p-24f)).isEqualTo(0x0002); // 1.5 units: tie, even is 2
        assertThat(f16(1023 * 0x1p-24f)).isEqualTo(0x03FF);
        assertThat(f16(0x1p-14f)).isEqualTo(0x0400); // smallest normal
        assertThat(f16(1e-10f)).isEqualTo(0x0000);
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: even is 1
        assertThat(f16(1f + 0x1p-11f)).isEqualTo(0x3C00);
        assertThat(f16(1f + 3 * 0x1p-11f)).isEqualTo(0x3C02);
        int nan = f16(Float.NaN);
        assertThat(nan & 0x7C00).isEqualTo(0x7C00);
        assertThat(nan & 0x03FF).isNotZero();
    }

    @Test
    void widenedValuesAreExact() {
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x8001)).isEqualTo(-0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(HalfFloats.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(HalfFloats.bf16ToFloat((short) 0xC020)).isEqualTo(-2.5f);
    }

    @Test
    void everyNonNanPatternSurvivesWidenThenNarrow() {
        for (int h = 0; h < 0x10000; h++) {
            float f16 = HalfFloats.f16ToFloat((short) h);
            if (!Float.isNaN(f16)) {
                assertThat(HalfFloats.floatToF16(f16) & 0xFFFF).as("f16 %04x", h).isEqualTo(h);
            }
            float bf = HalfFloats.bf16ToFloat((short) h);
            if (!Float.isNaN(bf)) {
                assertThat(HalfFloats.floatToBf16(bf) & 0xFFFF).as("bf16 %04x", h).isEqualTo(h);
                assertThat(Float.floatToRawIntBits(bf)).isEqualTo(h << 16);
            }
        }
    }
}
