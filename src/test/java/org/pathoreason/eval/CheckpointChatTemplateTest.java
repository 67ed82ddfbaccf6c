package org.pathoreason.eval;

import org.pathoreason.data.Task;

import org.pathoreason.model.CheckpointBundle;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.data.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.util.Json;
import org.slf4j.LoggerFactory;

/** Evaluation renders prompts with the checkpoint's own chat template where it can. */
class CheckpointChatTemplateTest {

    private static final String PATHOLOGIST = "You are a careful pathologist.";

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CheckpointBundle.class);

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private Path folderWithTokenizerConfig(String name, String chatTemplate) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.write(folder.resolve("tokenizer_config.json"), Json.PRETTY.writeValueAsBytes(
                Json.MAPPER.createObjectNode().put("eos_token", "<|im_end|>").put("chat_template", chatTemplate)));
        return folder;
    }

    @Test
    void aTemplateWithAnotherDefaultSystemPromptIsHonoured() throws IOException {
        Path folder = folderWithTokenizerConfig("custom", new ChatTemplate(PATHOLOGIST, false).jinja());

        ChatTemplate t = CheckpointBundle.chatTemplate(folder);

        assertThat(t.defaultSystemPrompt()).isEqualTo(PATHOLOGIST);
        // a prompt style without its own system prompt now gets the checkpoint's default, as the model expects
        Sample s = new Sample("s1", List.of("a.png"), "Is this malignant?", List.of(), "no", null, null, null, null,
                Task.YESNO, null, Map.of());
        String prompt = t.renderUnexpanded(new PromptBuilder(PromptStyle.THINK_ANSWER).messages(s), true);
        assertThat(prompt).startsWith("<|im_start|>system\n" + PATHOLOGIST + "<|im_end|>\n<|im_start|>user\n");
        assertThat(warnings()).isEmpty();
    }

    @Test
    void ourQwenTemplateOrNoTemplateGivesTheBuiltInOneQuietly() throws IOException {
        assertThat(CheckpointBundle.chatTemplate(folderWithTokenizerConfig("qwen", ChatTemplate.QWEN2_5_VL.jinja())))
                .isSameAs(ChatTemplate.QWEN2_5_VL);
        assertThat(CheckpointBundle.chatTemplate(Files.createDirectories(dir.resolve("bare"))))
                .isSameAs(ChatTemplate.QWEN2_5_VL);
        assertThat(warnings()).isEmpty();
    }

    @Test
    void chatTemplateJinjaBesideTheConfigIsReadToo() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("jinja"));
        Files.writeString(folder.resolve("chat_template.jinja"), new ChatTemplate(null, false).jinja() + "\n");

        assertThat(CheckpointBundle.chatTemplate(folder).defaultSystemPrompt()).isNull();
    }

    @Test
    void anUnrenderableTemplateFallsBackToTheBuiltInOneWithOneWarning() throws IOException {
        Path folder = folderWithTokenizerConfig("llama", "{% for m in messages %}[INST] {{ m.content }}{% endfor %}");

        assertThat(CheckpointBundle.chatTemplate(folder)).isSameAs(ChatTemplate.QWEN2_5_VL);

        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0)).contains(folder.toString()).contains("chat_template")
                .contains("built-in Qwen2.5-VL template");
    }

    @Test
    void loadingACheckpointResolvesItsTemplate() throws IOException {
        Engines.start();
        TinyEvalFixture fixture = TinyEvalFixture.create(dir.resolve("tiny"));
        Files.write(fixture.checkpoint.resolve("tokenizer_config.json"), Json.PRETTY.writeValueAsBytes(
                ((ObjectNode) Json.MAPPER.readTree(fixture.checkpoint.resolve("tokenizer_config.json").toFile()))
                        .put("chat_template", new ChatTemplate(PATHOLOGIST, false).jinja())));
        try (NDManager manager = Engines.newManager();
             CheckpointBundle ckpt = CheckpointBundle.open(fixture.checkpoint, manager)) {
            assertThat(ckpt.chatTemplate().defaultSystemPrompt()).isEqualTo(PATHOLOGIST);
            EvalRunner runner = new EvalRunner(ckpt, EvalOptions.DEFAULTS);
            assertThat(runner.generationSettings().defaultSystemPrompt()).isEqualTo(PATHOLOGIST);
        }
    }
}
