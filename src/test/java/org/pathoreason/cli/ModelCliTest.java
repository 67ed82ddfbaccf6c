package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.text.BpeTokenizerTrainer;
import org.pathoreason.util.TestResources;
import picocli.CommandLine;

class ModelCliTest {

    private static String run(Object command, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((ex, cmd, parse) -> {
            throw ex;
        });
        int code = cli.execute(args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    private static Path tokenizer(Path dir) throws Exception {
        String[] words = {"the", "tissue", "shows", "plasma", "cells", "chronic", "inflammation", "granuloma",
            "answer", "think", "carcinoma", "stroma", "is", "a", "of", "with"};
        Random r = new Random(1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 8; k++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            lines.add(sb.toString().trim());
        }
        Path corpus = dir.resolve("corpus.txt");
        Files.write(corpus, lines);
        Path out = dir.resolve("tokenizer.json");
        new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(400)).train(corpus).write(out);
        return out;
    }

    @Test
    void initWritesACheckpointThatGenerateAnswersWith(@TempDir Path dir) throws Exception {
        Path tok = tokenizer(dir);
        Path ckpt = dir.resolve("tiny");
        String init = run(new ModelCommand(), "init", "--config", "tiny", "--tokenizer", tok.toString(),
                "--out", ckpt.toString(), "--seed", "3");
        assertThat(init).contains("wrote").contains("parameters");
        assertThat(CheckpointDir.isCheckpoint(ckpt)).isTrue();
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "preprocessor_config.json", "generation_config.json", "pathoreason.json")) {
            assertThat(ckpt.resolve(f)).exists();
        }
        Qwen2VLConfig config = Qwen2VLConfig.read(ckpt);
        assertThat(config.text().hiddenSize()).isEqualTo(128);

        Path image = TestResources.fixture("tiles/crc-adi-224.tif");
        String answer = run(new GenerateCommand(), "--model", ckpt.toString(), "--image", image.toString(),
                "--question", "What tissue is this?", "--options", "Adipose,Stroma,Tumour,Mucus", "--style", "cod",
                "--max-new-tokens", "6");
        assertThat(answer).contains("prompt").contains("reasoning:").contains("answer:")
                .contains("finish reason: length");
    }
}
