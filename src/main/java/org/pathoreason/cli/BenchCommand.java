package org.pathoreason.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.pipeline.SpeedBenchmark;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
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
        subcommands = {BenchCommand.Generate.class, BenchCommand.ModelSpeed.class})
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

    /** Training, GRPO and generation speed of a checkpoint, as tools/bench_transformers.py measures it. */
    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Time an SFT step (with AdamW), a GRPO step, prefill and decode of a checkpoint, with the "
                    + "shapes tools/bench_transformers.py uses for the same flags (tools/bench_compare.py runs both "
                    + "interleaved and prints the table).")
    static final class ModelSpeed implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
        Path checkpoint;

        @Option(names = "--measures", split = ",", defaultValue = "train,grpo,decode", paramLabel = "M,M,...",
                description = "Any of train, grpo, decode (default: ${DEFAULT-VALUE}).")
        List<String> measures;

        @Option(names = "--batch-sizes", split = ",", defaultValue = "1,8,32", paramLabel = "N,N,...",
                description = "Decoding batch sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;

        @Option(names = "--prompt-tokens", defaultValue = "64", description = "Text tokens per prompt after the "
                + "image (default: ${DEFAULT-VALUE}).")
        int promptTokens;

        @Option(names = "--new-tokens", defaultValue = "32", description = "Completion / generated tokens "
                + "(default: ${DEFAULT-VALUE}).")
        int newTokens;

        @Option(names = "--image-patches", defaultValue = "8", description = "Side in patches of each prompt's "
                + "image (default: ${DEFAULT-VALUE}: 112 x 112 pixels).")
        int imagePatches;

        @Option(names = "--train-batch", defaultValue = "16", description = "Rows of the SFT step (default: "
                + "${DEFAULT-VALUE}).")
        int trainBatch;

        @Option(names = "--group-size", defaultValue = "4", description = "GRPO completions per prompt (default: "
                + "${DEFAULT-VALUE}).")
        int groupSize;

        @Option(names = "--reps", defaultValue = "3", description = "Timed repetitions per measure after one "
                + "warm-up (default: ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the random prompts (default: "
                + "${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the seconds of every repetition "
                + "here.")
        Path json;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            EnumSet<SpeedBenchmark.Measure> chosen = EnumSet.noneOf(SpeedBenchmark.Measure.class);
            for (String m : measures) {
                try {
                    chosen.add(SpeedBenchmark.Measure.valueOf(m.trim().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--measures: unknown '" + m
                            + "', expected any of train, grpo, decode");
                }
            }
            SpeedBenchmark.Options o = new SpeedBenchmark.Options(promptTokens, newTokens, imagePatches, trainBatch,
                    groupSize, batchSizes, reps, chosen, seed);
            engine.start();
            int threads = engine.options().effectiveThreads();
            try (NDManager root = Engines.newManager(); Qwen2VLModel model = Qwen2VLModel.load(checkpoint, root)) {
                SpeedBenchmark.Report r = SpeedBenchmark.run(model, o, root, line -> w.println("  " + line));
                w.printf("%s: %,d parameters, %d threads, prompt %d tokens, GEMM %.1f GFLOP/s%n", checkpoint,
                        r.parameters(), threads, r.promptLength(), r.gemmGflops());
                for (Map.Entry<String, double[]> e : r.seconds().entrySet()) {
                    double[] s = e.getValue().clone();
                    Arrays.sort(s);
                    double median = s[s.length / 2];
                    w.printf("%-12s median %9.4f s  (%.4f-%.4f)  %6.1f%% of the GEMM floor%n", e.getKey(), median,
                            s[0], s[s.length - 1], 100 * r.flops().get(e.getKey()) / 1e9 / r.gemmGflops() / median);
                }
                if (json != null) {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    out.put("side", "pathoreason");
                    out.putObject("versions").put("pytorch", Engine.getInstance().getVersion())
                            .put("java", System.getProperty("java.version"));
                    out.put("threads", threads);
                    out.put("gemm_gflops", r.gemmGflops());
                    out.put("parameters", r.parameters());
                    out.put("prompt_length", r.promptLength());
                    out.set("seconds", Json.MAPPER.valueToTree(r.seconds()));
                    out.set("cpu_seconds", Json.MAPPER.valueToTree(r.cpuSeconds()));
                    out.set("flops", Json.MAPPER.valueToTree(r.flops()));
                    AtomicFiles.writeString(json, out.toPrettyString() + "\n");
                }
            }
        }
    }
}
