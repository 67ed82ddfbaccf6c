package org.pathoreason.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.pathoreason.serve.ServeBenchmark;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.GenerationBenchmark;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason bench generate}: speed figures. */
@Command(name = "bench", description = "Speed benchmarks.", mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.Generate.class, BenchCommand.Serve.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prefill/decode throughput with and without the KV cache, and one training step. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Prefill and decode tokens/s of the tiny model at several batch sizes, with and without "
                    + "the KV cache, and one training step's time and GFLOP/s next to the machine's matmul GFLOP/s.")
    static final class Generate implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--batch-sizes", split = ",", defaultValue = "1,8,32", paramLabel = "N,N,...")
        int[] batchSizes;

        @Option(names = "--prompt-tokens", defaultValue = "64", description = "Text tokens per prompt "
                + "(default: ${DEFAULT-VALUE}).")
        int promptTokens;

        @Option(names = "--new-tokens", defaultValue = "32", description = "Tokens generated (default: "
                + "${DEFAULT-VALUE}).")
        int newTokens;

        @Option(names = "--image-patches", defaultValue = "8", description = "Side in patches of one image per "
                + "prompt, 0 for text only (default: ${DEFAULT-VALUE}: 112 x 112 pixels, 16 image tokens).")
        int imagePatches;

        @Option(names = "--vocab", defaultValue = "8192", description = "Vocabulary of the tiny model "
                + "(default: ${DEFAULT-VALUE}).")
        int vocab;

        @Option(names = "--train-batch", defaultValue = "8")
        int trainBatch;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            engine.start();
            Qwen2VLConfig config = Qwen2VLConfig.tiny(vocab, new Qwen2VLConfig.SpecialTokenIds(vocab - 6, vocab - 5,
                    vocab - 4, vocab - 3, vocab - 2, vocab - 1));
            GenerationBenchmark.Options o = new GenerationBenchmark.Options(config, promptTokens, newTokens,
                    batchSizes, imagePatches, trainBatch, 0);
            try (NDManager root = Engines.newManager()) {
                GenerationBenchmark.Report r = GenerationBenchmark.run(o, root);
                w.printf("tiny Qwen2.5-VL: %,d parameters, vocabulary %d, %d threads%n", r.parameters(), vocab,
                        engine.options().effectiveThreads());
                w.printf("%-6s %-9s %8s %14s %14s%n", "batch", "kv cache", "prompt", "prefill tok/s",
                        "decode tok/s");
                for (GenerationBenchmark.Row row : r.rows()) {
                    w.printf("%-6d %-9s %8d %14.1f %14.1f%n", row.batch(), row.cache() ? "yes" : "no",
                            row.promptLength(), row.prefillTokensPerSecond(), row.decodeTokensPerSecond());
                }
                GenerationBenchmark.TrainStep t = r.train();
                w.printf("training step (forward + backward), batch %d x %d tokens: %.3f s, %.2f GFLOP, "
                        + "%.1f GFLOP/s (matmul fp32: %.1f GFLOP/s)%n", t.batch(), t.length(), t.seconds(),
                        t.gflop(), t.gflopPerSecond(), r.matmulGflopPerSecond());
            }
        }
    }

    /** Requests/s, tokens/s, time to first token and latency of the server at several client counts. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve a checkpoint on loopback and measure requests/s, tokens/s, time to first token and "
                    + "p50/p99 latency at several concurrent client counts (streamed requests with one tile each), "
                    + "and the ratio of the most concurrent throughput to one client's.")
    static final class Serve implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
        Path model;

        @Option(names = "--clients", split = ",", defaultValue = "1,4,16", paramLabel = "N,N,...")
        int[] clients;

        @Option(names = "--requests-per-client", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})")
        int requestsPerClient;

        @Option(names = "--max-tokens", defaultValue = "64", description = "Completion tokens per request "
                + "(default: ${DEFAULT-VALUE}).")
        int maxTokens;

        @Option(names = "--image-side", defaultValue = "112", description = "Tile side in pixels "
                + "(default: ${DEFAULT-VALUE}).")
        int imageSide;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            engine.start();
            ServeBenchmark.Report r;
            try {
                r = ServeBenchmark.run(new ServeBenchmark.Options(model, clients, requestsPerClient, maxTokens,
                        imageSide), step -> spec.commandLine().getErr().println("bench serve: " + step));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            w.printf("model %s, %d tokens per request, %d threads%n", r.model(), maxTokens,
                    engine.options().effectiveThreads());
            w.printf("| clients | requests | failed | requests/s | tokens/s | TTFT p50 (s) | TTFT p99 (s) "
                    + "| latency p50 (s) | latency p99 (s) |%n|---|---|---|---|---|---|---|---|---|%n");
            for (ServeBenchmark.Row row : r.rows()) {
                w.printf("| %d | %d | %d | %.2f | %.1f | %.3f | %.3f | %.3f | %.3f |%n", row.clients(), row.requests(),
                        row.failed(), row.requestsPerSecond(), row.tokensPerSecond(), row.ttftP50(), row.ttftP99(),
                        row.latencyP50(), row.latencyP99());
            }
            for (ServeBenchmark.Row row : r.rows()) {
                if (row.firstFailure() != null) {
                    w.printf("%d client(s): %d failed, first: %s%n", row.clients(), row.failed(), row.firstFailure());
                }
            }
            w.printf("throughput at %d clients / at %d client(s): %.2fx%n", clients[clients.length - 1], clients[0],
                    r.speedup());
        }
    }
}
