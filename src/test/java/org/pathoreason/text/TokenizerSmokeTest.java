package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenizerSmokeTest {
    @Test
    void trainsLoadsAndRoundTrips() {
        BpeModel model = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(600))
                .train(Corpus.lines(2000, 1));
        try (Tokenizer t = model.toTokenizer()) {
            String text = "<|im_start|>user\nThe tissue shows naïve 腺癌 🙂<|im_end|>\n<think>x</think>";
            long[] ids = t.encode(text);
            System.out.println(java.util.Arrays.toString(ids) + " " + t.tokenize(text));
            assertThat(t.decode(ids, false)).isEqualTo(text);
            assertThat(t.vocabSize()).isEqualTo(model.vocabSize());
        }
    }
}
