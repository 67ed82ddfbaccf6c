package org.pathoreason.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArray;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.util.ProcessMemory;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.GenerationBenchmark;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason bench generate|memory}: speed and memory figures. */
@Command(name = "bench", description = "Speed benchmarks.", mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.Generate.class, BenchCommand.Memory.class})
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

    /** Load time and resident memory of opening a checkpoint (optionally with an adapter merged in). */
    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Open a checkpoint as eval and generate do and print the load time, the resident memory "
                    + "before and after (steady) and its peak during the load, next to the weights' size on disk "
                    + "and in memory. Linux only (reads /proc/self/status).")
    static final class Memory implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
        Path model;

        @Option(names = "--adapter", paramLabel = "DIR", description = "LoRA adapter merged in at load.")
        Path adapter;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            engine.start();
            long onDisk = weightBytes(model);
            CheckpointBundle.Options options = adapter == null ? CheckpointBundle.Options.DEFAULT
                    : CheckpointBundle.Options.adapter(LoraAdapter.read(adapter));
            System.gc();
            long before = ProcessMemory.residentBytes();
            boolean phasePeak = ProcessMemory.resetPeak();
            long t0 = System.nanoTime();
            try (CheckpointBundle checkpoint = CheckpointBundle.open(model, options)) {
                double seconds = (System.nanoTime() - t0) / 1e9;
                long peak = ProcessMemory.peakResidentBytes();
                System.gc();
                long after = ProcessMemory.residentBytes();
                long inMemory = 0;
                long parameters = 0;
                for (NDArray p : checkpoint.model().parameters().values()) {
                    inMemory += p.getShape().size() * p.getDataType().getNumOfBytes();
                    parameters += p.getShape().size();
                }
                w.printf("%s%s: %,d parameters%n", model, adapter == null ? "" : " + " + adapter, parameters);
                w.printf("weights: %s on disk, %s in memory (%s)%n", size(onDisk), size(inMemory),
                        checkpoint.model().parameters().values().iterator().next().getDataType());
                w.printf("load: %.2f s; resident before %s, after %s (%s), peak during load %s%s%n", seconds,
                        size(before), size(after), before < 0 || after < 0 ? "change unknown"
                                : (after >= before ? "+" : "-") + size(Math.abs(after - before)), size(peak),
                        phasePeak ? "" : " (peak since JVM start: /proc/self/clear_refs not writable)");
            }
        }

        private static long weightBytes(Path dir) {
            long total = 0;
            try (var files = Files.newDirectoryStream(dir, "*.safetensors")) {
                for (Path f : files) {
                    total += Files.size(f);
                }
            } catch (java.io.IOException e) {
                return -1;
            }
            return total;
        }

        /** GiB, or MiB below one GiB; "unknown" for -1 (not reported by the system). */
        private static String size(long bytes) {
            if (bytes < 0) {
                return "unknown";
            }
            return bytes >= (1L << 30) ? String.format("%.2f GiB", bytes / (double) (1L << 30))
                    : String.format("%.1f MiB", bytes / (double) (1L << 20));
        }
    }
}
