package org.pathoreason.text.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenF1Test {

    @Test
    void normalisesLikeSquad() {
        assertThat(TokenF1.normalize("The  Invasive, lobular carcinoma!")).isEqualTo("invasive lobular carcinoma");
        assertThat(TokenF1.normalize("An apple a day")).isEqualTo("apple day");
        // Articles go only as whole words; punctuation goes before articles are looked for.
        assertThat(TokenF1.normalize("Theca-cell tumour")).isEqualTo("thecacell tumour");
    }

    @Test
    void f1CountsSharedTokensAsAMultiset() {
        // pred: invasive ductal carcinoma grade 2 ; gold: invasive lobular carcinoma -> 2 shared
        double p = 2.0 / 5.0;
        double r = 2.0 / 3.0;
        assertThat(TokenF1.f1("Invasive ductal carcinoma, grade 2", "invasive lobular carcinoma"))
                .isCloseTo(2 * p * r / (p + r), within(1e-12));
        // repeated tokens count once per occurrence in the gold
        assertThat(TokenF1.f1("no no no", "no")).isCloseTo(2 * (1.0 / 3) * 1 / (1.0 / 3 + 1), within(1e-12));
        assertThat(TokenF1.f1("positive", "negative")).isZero();
        assertThat(TokenF1.f1("the", "a")).isEqualTo(1.0);
        assertThat(TokenF1.f1("the", "negative")).isZero();
        assertThat(TokenF1.f1("Negative.", List.of("positive", "negative"))).isEqualTo(1.0);
        assertThat(TokenF1.exactMatch("The Negative.", "negative")).isTrue();
    }

    @Test
    void ptbLikeTokenizerSplitsPunctuationAndKeepsInnerMarks() {
        assertThat(CaptionTokenizer.PTB.apply("Infiltrating Ductal Carcinoma, HER2/neu 2+ (10%); don't stop."))
                .isEqualTo("infiltrating ductal carcinoma her2/neu 2+ 10 % do n't stop");
        assertThat(CaptionTokenizer.PTB.apply("The patient's tumour measured 3.5 x 2.0 cm."))
                .isEqualTo("the patient 's tumour measured 3.5 x 2.0 cm");
        assertThat(CaptionTokenizer.NONE.apply("A  B.")).isEqualTo("A  B.");
        assertThat(CaptionTokenizer.LOWER.apply("A  B.")).isEqualTo("a  b.");
    }
}
