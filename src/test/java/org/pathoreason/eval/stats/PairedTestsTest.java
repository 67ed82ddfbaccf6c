package org.pathoreason.eval.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.pathoreason.util.Json;

/**
 * {@link PairedTests} against scipy and numpy (src/test/resources/stats/paired.json, written by
 * tools/paired_stats_fixture.py) and against values worked by hand.
 */
class PairedTestsTest {

    private static JsonNode fixture() throws IOException {
        try (InputStream in = PairedTestsTest.class.getResourceAsStream("/stats/paired.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    @Test
    void mcnemarMatchesScipysExactBinomialTest() throws IOException {
        for (JsonNode c : fixture().get("mcnemar")) {
            int b = c.get("only_first").asInt();
            int d = c.get("only_second").asInt();
            double p = c.get("p").asDouble();
            // relative: the tails of very unequal counts are far below 1e-12
            assertThat(PairedTests.mcnemarExact(b, d)).as("b=%d c=%d", b, d).isCloseTo(p, within(1e-9 * p));
        }
        // by hand: b=0, c=6: 2 * 0.5^6
        assertThat(PairedTests.mcnemarExact(0, 6)).isCloseTo(2.0 / 64, within(1e-15));
        // b=0, c=400: 2 * 0.5^400, a tail far below 1 - 1e-16 (computed without cancellation)
        assertThat(PairedTests.mcnemarExact(0, 400)).isCloseTo(2 * Math.pow(0.5, 400), within(1e-9 * Math.pow(0.5,
                400)));
        // b=1, c=9: 2 * (1 + 10) / 2^10
        assertThat(PairedTests.mcnemarExact(1, 9)).isCloseTo(22.0 / 1024, within(1e-15));
        assertThatThrownBy(() -> PairedTests.mcnemarExact(-1, 2)).hasMessageContaining(">= 0");
    }

    @Test
    void tIntervalMatchesScipy() throws IOException {
        for (JsonNode c : fixture().get("t_interval")) {
            double[] v = Json.MAPPER.convertValue(c.get("values"), double[].class);
            PairedTests.Interval i = PairedTests.tInterval(v, 0.95);
            assertThat(i.estimate()).isCloseTo(c.get("mean").asDouble(), within(1e-12));
            assertThat(i.low()).isCloseTo(c.get("low").asDouble(), within(1e-9));
            assertThat(i.high()).isCloseTo(c.get("high").asDouble(), within(1e-9));
        }
        // by hand: {1, 3}: mean 2, sd sqrt(2), se 1, t(0.975, 1) = 12.7062
        PairedTests.Interval two = PairedTests.tInterval(new double[] {1, 3}, 0.95);
        assertThat(two.low()).isCloseTo(2 - 12.7062047, within(1e-6));
        assertThat(two.above(-11)).isTrue();
        assertThat(two.above(-10)).isFalse();
        assertThatThrownBy(() -> PairedTests.tInterval(new double[] {1}, 0.95)).hasMessageContaining("two");
    }

    @Test
    void pairedBootstrapMatchesNumpysWithinMonteCarloError() throws IOException {
        JsonNode b = fixture().get("bootstrap");
        double[] first = Json.MAPPER.convertValue(b.get("first"), double[].class);
        double[] second = Json.MAPPER.convertValue(b.get("second"), double[].class);
        PairedTests.Interval i = PairedTests.bootstrapMeanDifference(first, second, PairedTests.RESAMPLES, 0.95, 7);
        assertThat(i.estimate()).isCloseTo(b.get("mean_difference").asDouble(), within(1e-12));
        assertThat(i.low()).isCloseTo(b.get("low").asDouble(), within(0.004));
        assertThat(i.high()).isCloseTo(b.get("high").asDouble(), within(0.004));
        // seeded: the same call gives the same interval
        assertThat(PairedTests.bootstrapMeanDifference(first, second, PairedTests.RESAMPLES, 0.95, 7)).isEqualTo(i);
    }

    @Test
    void pairingMattersAndDegenerateDataGivesAPointInterval() {
        // the same scores shifted by one question: unpaired means are equal, paired differences are not 0
        double[] a = {1, 0, 1, 0, 1, 0, 1, 0};
        double[] same = a.clone();
        PairedTests.Interval none = PairedTests.bootstrapMeanDifference(a, same, 1000, 0.95, 1);
        assertThat(none).isEqualTo(new PairedTests.Interval(0, 0, 0));
        double[] better = {1, 1, 1, 1, 1, 1, 1, 1};
        PairedTests.Interval up = PairedTests.bootstrapMeanDifference(a, better, 1000, 0.95, 1);
        assertThat(up.estimate()).isEqualTo(0.5);
        assertThat(up.low()).isGreaterThan(0).isLessThanOrEqualTo(0.5);
        assertThat(up.high()).isGreaterThanOrEqualTo(0.5).isLessThanOrEqualTo(1);
        assertThatThrownBy(() -> PairedTests.bootstrapMeanDifference(a, new double[3], 10, 0.95, 1))
                .hasMessageContaining("length");
    }

    @Test
    void quantileInterpolatesLikeNumpy() {
        double[] sorted = {0, 1, 2, 3, 4};
        // numpy.percentile([0,1,2,3,4], 2.5) = 0.1, 97.5 -> 3.9
        assertThat(PairedTests.quantile(sorted, 0.025)).isCloseTo(0.1, within(1e-12));
        assertThat(PairedTests.quantile(sorted, 0.975)).isCloseTo(3.9, within(1e-12));
    }
}
