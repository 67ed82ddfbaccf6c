package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.pathoreason.text.BpeModel;
import org.pathoreason.text.BpeTokenizerTrainer;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason tokenizer train|encode}: train a byte-level BPE tokenizer, or encode text with one. */
@Command(name = "tokenizer", description = "Train or use a byte-level BPE tokenizer (tokenizer.json).",
        mixinStandardHelpOptions = true,
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
public final class TokenizerCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Trains on a text corpus and writes tokenizer.json (and tokenizer_config.json beside it). */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a byte-level BPE tokenizer with Qwen2.5-VL's special tokens and the reasoning "
                    + "tags on a UTF-8 text corpus.")
    static final class Train implements Runnable {

        @Spec
        CommandSpec spec;

        @Option(names = "--corpus", required = true, paramLabel = "FILE", description = "UTF-8 text, read by line.")
        Path corpus;

        @Option(names = "--vocab", defaultValue = "4096", paramLabel = "N",
                description = "Target vocabulary size, added tokens included (default: ${DEFAULT-VALUE}).")
        int vocab;

        @Option(names = "--min-frequency", defaultValue = "2", paramLabel = "N",
                description = "Never merge a pair seen fewer times (default: ${DEFAULT-VALUE}).")
        int minFrequency;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "tokenizer.json to write.")
        Path out;

        @Option(names = "--no-config", description = "Do not write tokenizer_config.json beside the output.")
        boolean noConfig;

        @Option(names = "--sample", paramLabel = "TEXT", description = "Text to show encoded (default: the "
                + "corpus's first line).")
        String sample;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            BpeTokenizerTrainer.Options options = BpeTokenizerTrainer.Options.defaults()
                    .withVocabSize(vocab).withMinFrequency(minFrequency).withProgress(true);
            long t0 = System.nanoTime();
            BpeModel model = new BpeTokenizerTrainer(options).train(corpus);
            double seconds = (System.nanoTime() - t0) / 1e9;
            model.write(out);
            try (Tokenizer tokenizer = Tokenizer.load(out)) {
                if (!noConfig) {
                    Path config = out.toAbsolutePath().resolveSibling("tokenizer_config.json");
                    TokenizerConfig.write(config, TokenizerConfig.build(tokenizer));
                    w.printf("wrote %s%n", config);
                }
                w.printf("wrote %s: vocab size %d (256 bytes + %d merged + %d added) in %.2f s%n", out,
                        tokenizer.vocabSize(), model.vocab().size() - 256, tokenizer.addedTokens().size(), seconds);
                if (model.vocabSize() < vocab) {
                    w.printf("note: stopped below --vocab %d: no pair left seen %d+ times%n", vocab, minFrequency);
                }
                String text = sample != null ? sample : firstLine(corpus);
                printEncoding(w, tokenizer, text);
            }
            w.flush();
        }

        private static String firstLine(Path corpus) {
            try (var lines = Files.lines(corpus)) {
                return lines.filter(l -> !l.isBlank()).findFirst().orElse("").strip();
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                return "";
            }
        }
    }

    /** Encodes text with a tokenizer and prints ids and tokens. */
    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Encode text, print ids and tokens.")
    static final class Encode implements Runnable {

        @Spec
        CommandSpec spec;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
                description = "tokenizer.json, or a checkpoint directory holding one.")
        Path tokenizerPath;

        @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text to encode.")
        String text;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            try (Tokenizer tokenizer = Tokenizer.load(tokenizerPath)) {
                w.printf("%s: vocab size %d%n", tokenizerPath, tokenizer.vocabSize());
                printEncoding(w, tokenizer, text);
            }
            w.flush();
        }
    }

    static void printEncoding(PrintWriter w, Tokenizer tokenizer, String text) {
        long[] ids = tokenizer.encode(text);
        List<String> tokens = tokenizer.tokenize(text);
        w.printf("text:   %s%n", text);
        w.printf("ids:    %s (%d tokens, %d chars)%n", Arrays.toString(ids), ids.length, text.length());
        w.printf("tokens: %s%n", tokens);
        w.printf("decode: %s%n", tokenizer.decode(ids, false));
    }
}
