package org.pathoreason.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.EvalOptions;
import org.pathoreason.eval.EvalRunner;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.generate.Question;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.generate.VisualReasoner;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.train.rl.GrpoRun;
import org.pathoreason.train.sft.ExampleBuilder;
import org.pathoreason.train.sft.SftConfig;
import org.pathoreason.train.sft.SftTrainer;
import org.pathoreason.train.sft.Stage;
import org.pathoreason.train.sft.TrainingExample;
import org.pathoreason.util.Json;

/**
 * One checkpoint, one prompt: a checkpoint whose chat template carries its own default system prompt is prompted
 * with the same tokens by SFT, GRPO, evaluation and generation, each built the way its run builds it.
 */
class OneCheckpointOnePromptTest {

    private static final String PATHOLOGIST = "You are a careful pathologist.";

    @TempDir
    Path dir;

    @Test
    void sftGrpoEvalAndGenerateGiveTheSamePromptTokens() throws IOException {
        Engines.start();
        TinyEvalFixture fixture = TinyEvalFixture.create(dir.resolve("tiny"));
        Path tokenizerConfig = fixture.checkpoint.resolve("tokenizer_config.json");
        ObjectNode tc = (ObjectNode) Json.MAPPER.readTree(tokenizerConfig.toFile());
        Files.write(tokenizerConfig, Json.PRETTY.writeValueAsBytes(
                tc.put("chat_template", new ChatTemplate(PATHOLOGIST, false).jinja())));
        Path imageBase = fixture.data.getParent();
        // a style without a system prompt of its own, so the checkpoint's default system prompt is what is shown
        PromptStyle style = PromptStyle.THINK_ANSWER;
        Sample sample = fixture.samples.get(1).withReasoning(new Sample.Reasoning(null, "Keratin pearls."));

        try (NDManager manager = Engines.newManager();
             CheckpointBundle checkpoint = CheckpointBundle.open(fixture.checkpoint, manager)) {
            long[] eval = new EvalRunner(checkpoint, EvalOptions.DEFAULTS.withStyle(style))
                    .promptEncoder(imageBase).encode(sample).tokenIds();

            long[] grpo = GrpoRun.promptEncoder(checkpoint, style, imageBase).encode(sample).tokenIds();

            ExampleBuilder sft = SftTrainer.exampleBuilder(checkpoint, Stage.SFT,
                    SftConfig.load(null, List.of("sft.prompt_style=think-answer")).config().sft(), 4096);
            Path image = imageBase.resolve(sample.images().get(0));
            ProcessedImage processed = checkpoint.processor().process(image);
            TrainingExample example = sft.build(sample, List.of(image), List.of(processed.numMergedTokens()))
                    .example();
            long[] sftPrompt = Arrays.copyOf(example.ids(), example.promptLength());

            long[] generate;
            try (VisualReasoner reasoner = VisualReasoner.over(checkpoint, style, SamplingOptions.greedy(4))) {
                generate = reasoner.prompt(new Question(List.of(image), sample.question(), sample.options()))
                        .tokenIds();
            }

            assertThat(grpo).containsExactly(eval);
            assertThat(sftPrompt).containsExactly(eval);
            assertThat(generate).containsExactly(eval);
            assertThat(checkpoint.tokenizer().decode(eval, false)).startsWith("<|im_start|>system\n" + PATHOLOGIST)
                    .contains(sample.question());
        }
    }
}
