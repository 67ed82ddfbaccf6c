package org.pathoreason.train;

import org.pathoreason.data.synth.Finding;
import org.pathoreason.data.synth.SynthWorld;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class FindingProbeTest {

    @Test
    void balancedLossWeightsPositivesAndMatchesTheFormula() {
        try (NDManager m = Engines.newManager()) {
            NDArray logits = m.create(new float[] {2f, -1f, 0.5f, -3f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray labels = m.create(new float[] {1f, 0f, 0f, 1f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray weight = m.create(new float[] {3f, 1f});
            float loss = FindingProbe.balancedLoss(logits, labels, weight).getFloat();
            double expected = (3 * softplus(-2) + softplus(-1) + softplus(0.5) + 1 * softplus(3)) / 4;
            assertThat((double) loss).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void aTinyRunScoresEveryFinding() {
        FindingProbe.Options options = new FindingProbe.Options(64, 16, 8, 1, 8, 1e-3, 7, 2, 1);
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        FindingProbe.Report report = new FindingProbe(SynthWorld.builtIn(), options).run(log);
        assertThat(report.scores()).hasSize(Finding.values().length);
        assertThat(report.epochs()).isEqualTo(1);
        assertThat(report.finalLoss()).isFinite().isPositive();
        for (FindingProbe.Score s : report.scores()) {
            assertThat(s.positives() + s.negatives()).isEqualTo(8);
            assertThat(s.accuracy()).isBetween(0.0, 1.0);
        }
        assertThat(report.table()).contains("keratin_pearls").contains("bal.acc");
    }

    private static double softplus(double z) {
        return Math.log1p(Math.exp(z));
    }
}
