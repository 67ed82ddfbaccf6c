package org.pathoreason.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.util.PathoReasonException;

/** The in-process MiniLM model: loads offline from its jar and ranks meanings sensibly. */
class MiniLmEmbedderTest {

    @Test
    void embedsOfflineAndRanksParaphrasesAboveUnrelatedText() {
        MiniLmEmbedder e = new MiniLmEmbedder();
        float[] v = e.embed("chronic inflammation with plasma cells");
        assertThat(v).hasSize(384);
        assertThat(TextEmbedder.cosine(v, v)).isCloseTo(1.0, within(1e-6));
        double para = e.similarity("chronic inflammation with plasma cells",
                "plasma cell rich chronic inflammatory infiltrate");
        double other = e.similarity("chronic inflammation with plasma cells",
                "squamous cell carcinoma with keratin pearls");
        assertThat(para).isGreaterThan(0.6);
        assertThat(other).isLessThan(para - 0.3);

        AccuracyReward r = new AccuracyReward(ExtractionMode.STRICT, AccuracyReward.OpenMetric.EMBEDDING);
        var s = TestSamples.open("chronic inflammation with plasma cells");
        double close = r.score(RewardInput.of(s, "<answer>plasma cell rich chronic inflammatory infiltrate</answer>"))
                .value();
        double far = r.score(RewardInput.of(s, "<answer>squamous cell carcinoma with keratin pearls</answer>"))
                .value();
        assertThat(close).isGreaterThan(far).isBetween(0.0, 1.0);
    }

    @Test
    void withoutItsJarsTheMetricSaysHowToEnableIt() throws Exception {
        MiniLmEmbedder.requireModel(MiniLmEmbedder.class.getClassLoader()); // present in test scope
        try (URLClassLoader bare = new URLClassLoader(new URL[0], null)) { // sees only the JDK
            assertThatThrownBy(() -> MiniLmEmbedder.requireModel(bare)).isInstanceOf(PathoReasonException.class)
                    .hasMessageContaining("embedding metric needs all-MiniLM-L6-v2")
                    .hasMessageContaining("mvn -Pembeddings");
        }
    }
}
