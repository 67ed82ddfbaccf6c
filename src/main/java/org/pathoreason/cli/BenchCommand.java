package org.pathoreason.cli;

import ai.djl.ndarray.NDArray;
import java.nio.file.Files;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.util.ProcessMemory;
import java.nio.file.Path;
import org.pathoreason.serve.ServeBenchmark;
import ai.djl.ndarray.NDManager;
import org.pathoreason.util.Json;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.pipeline.SpeedBenchmark;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import java.util.Map;
import java.util.List;
import java.util.EnumSet;
import java.util.Arrays;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ai.djl.engine.Engine;
import java.io.PrintWriter;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.GenerationBenchmark;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.wsi.OpenSlideSlide;
import org.pathoreason.wsi.SlideBackend;
import org.pathoreason.wsi.SlideBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason bench generate}: speed figures. */
@Command(name = "bench", description = "Speed benchmarks.", mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.Generate.class, BenchCommand.Wsi.class, BenchCommand.Clip.class, BenchCommand.Serve.class, BenchCommand.Memory.class,
                BenchCommand.Kernels.class, BenchCommand.ModelSpeed.class})
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

    /** readRegion tiles/s of the pure-Java reader and OpenSlide side by side. */
    @Command(name = "wsi", mixinStandardHelpOptions = true,
            description = "readRegion tiles/s on a slide, sequential and random, pure-Java reader and OpenSlide "
                    + "(when libopenslide is installed) side by side, both with a 32 MiB tile cache; then tissue "
                    + "detection, tiling and patch reading of the slide.")
    static final class Wsi implements Runnable {

        @Spec
        CommandSpec spec;

        @Option(names = "--slide", defaultValue = "src/test/resources/wsi/CMU-1-Small-Region.svs", paramLabel = "FILE",
                description = "Slide (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path slide;

        @Option(names = "--reads", defaultValue = "2000", paramLabel = "N",
                description = "Regions read per access pattern (default: ${DEFAULT-VALUE}).")
        int reads;

        @Option(names = "--size", defaultValue = "256", paramLabel = "N",
                description = "Region side in pixels (default: ${DEFAULT-VALUE}).")
        int size;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            java.util.List<SlideBackend> backends = new java.util.ArrayList<>(java.util.List.of(SlideBackend.JAVA));
            if (OpenSlideSlide.available()) {
                backends.add(SlideBackend.OPENSLIDE);
                w.printf("libopenslide %s%n", OpenSlideSlide.version());
            } else {
                w.println("libopenslide is not installed (apt-get install libopenslide0): pure-Java reader only");
            }
            w.printf("%s: %d x %d-pixel regions per pattern at level 0, %d threads available%n", slide, reads, size,
                    Runtime.getRuntime().availableProcessors());
            w.flush();
            java.util.List<SlideBenchmark.Row> rows = SlideBenchmark.run(slide, backends, reads, size, 42);
            w.printf("%-11s %14s %18s %16s%n", "access", "java tiles/s", "openslide tiles/s", "java/openslide");
            for (String access : new String[] {"cold", "sequential", "random"}) {
                double java = rate(rows, SlideBackend.JAVA, access);
                double os = rate(rows, SlideBackend.OPENSLIDE, access);
                w.printf("%-11s %14.1f %18s %16s%n", access, java, os > 0 ? String.format("%.1f", os) : "-",
                        os > 0 ? String.format("%.2f", java / os) : "-");
            }
            for (SlideBackend b : backends) {
                SlideBenchmark.Tiling t = SlideBenchmark.tiling(slide, b, size);
                w.printf("%s: tissue detection %.3f s, tiling %.3f s, %d patches read at %.1f patches/s%n",
                        b.name().toLowerCase(java.util.Locale.ROOT), t.tissueSeconds(), t.tilingSeconds(), t.patches(),
                        t.patchReadsPerSecond());
            }
        }

        private static double rate(java.util.List<SlideBenchmark.Row> rows, SlideBackend b, String access) {
            return rows.stream().filter(r -> r.backend() == b && r.access().equals(access))
                    .mapToDouble(SlideBenchmark.Row::readsPerSecond).findFirst().orElse(0);
        }
    }

    /** CLIP training steps; {@code tools/bench_openclip_step.py} times OpenCLIP on the same sizes. */
    @Command(name = "clip", mixinStandardHelpOptions = true,
            description = "Median time of a CLIP training step (forward, symmetric loss, backward, AdamW) of a random "
                    + "model on random inputs. Sizes as clip train's defaults; compare with "
                    + "tools/bench_openclip_step.py (OpenCLIP, PyTorch eager) at the same sizes, batch and threads.")
    static final class Clip implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Mixin
        TrainConfigMixin config;

        @Option(names = "--vocab", defaultValue = "2048", description = "Vocabulary (default ${DEFAULT-VALUE}).")
        int vocab;

        @Option(names = "--batch", defaultValue = "64", description = "Pairs per step (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default "
                + "${DEFAULT-VALUE}).")
        int warmup;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            org.pathoreason.train.clip.ClipOptions sizes = org.pathoreason.train.clip.ClipTrainConfig
                    .load(config.configFile(), config.overrides()).config().clip();
            engine.start();
            org.pathoreason.train.clip.ClipBenchmark.Report r = org.pathoreason.train.clip.ClipBenchmark.run(
                    new org.pathoreason.train.clip.ClipBenchmark.Options(sizes, vocab, batch, warmup, steps, 0));
            w.printf(java.util.Locale.ROOT, "CLIP ViT: image %d patch %d width %d x %d layers, text %d tokens width %d "
                    + "x %d layers, embed %d, vocab %d: %,d parameters, %d threads%n", sizes.imageSize(),
                    sizes.patchSize(), sizes.width(), sizes.layers(), sizes.contextLength(), sizes.textWidth(),
                    sizes.textLayers(), sizes.embedDim(), vocab, r.parameters(), engine.options().effectiveThreads());
            w.printf(java.util.Locale.ROOT, "training step, batch %d: median %.1f ms, mean %.1f ms (%d steps after %d "
                    + "warm-up), %.1f pairs/s%n", batch, r.medianSeconds() * 1000, r.meanSeconds() * 1000, steps,
                    warmup, r.imagesPerSecond());
            w.flush();
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

    /** Load time and resident memory of opening a checkpoint (optionally with an adapter merged in). */
    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Open a checkpoint as eval and generate do and print the load time, the resident memory "
                    + "before and after (steady) and its peak during the load, next to the weights' size on disk "
                    + "and in memory; then batch-1 decode ms/token and tokens/s beside the memory-bandwidth floor "
                    + "(weights read per token / measured read bandwidth). Linux only (reads /proc/self/status).")
    static final class Memory implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
        Path model;

        @Option(names = "--adapter", paramLabel = "DIR", description = "LoRA adapter merged in at load.")
        Path adapter;

        @Option(names = "--weights", defaultValue = "AUTO", description = "How the weights are held: AUTO (16-bit "
                + "memory-mapped for a BF16/F16 checkpoint, as eval and generate do), FLOAT32 or HALF "
                + "(default: ${DEFAULT-VALUE}).")
        org.pathoreason.model.WeightPrecision weights;

        @Option(names = "--decode-tokens", defaultValue = "8", description = "Batch-1 decode steps timed after the "
                + "first (0: none; default: ${DEFAULT-VALUE}).")
        int decodeTokens;

        @Option(names = "--prompt-tokens", defaultValue = "16", description = "Text prompt prefilled before decoding "
                + "(default: ${DEFAULT-VALUE}).")
        int promptTokens;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            engine.start();
            long onDisk = weightBytes(model);
            CheckpointBundle.Options options = (adapter == null ? CheckpointBundle.Options.DEFAULT
                    : CheckpointBundle.Options.adapter(LoraAdapter.read(adapter))).withWeights(weights);
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
                String storage;
                if (checkpoint.model() instanceof Qwen2VLModel q) {
                    inMemory = q.footprint().bytes();
                    parameters = q.footprint().parameters();
                    storage = q.footprint().storage();
                } else {
                    for (NDArray p : checkpoint.model().parameters().values()) {
                        inMemory += p.getShape().size() * p.getDataType().getNumOfBytes();
                        parameters += p.getShape().size();
                    }
                    storage = checkpoint.model().parameters().values().iterator().next().getDataType().toString();
                }
                w.printf("%s%s: %,d parameters%n", model, adapter == null ? "" : " + " + adapter, parameters);
                w.printf("weights: %s on disk, %s in memory (%s)%n", size(onDisk), size(inMemory), storage);
                w.printf("load: %.2f s; resident before %s, after %s (%s), peak during load %s%s%n", seconds,
                        size(before), size(after), before < 0 || after < 0 ? "change unknown"
                                : (after >= before ? "+" : "-") + size(Math.abs(after - before)), size(peak),
                        phasePeak ? "" : " (peak since JVM start: /proc/self/clear_refs not writable)");
                if (decodeTokens > 0) {
                    decode(w, checkpoint);
                }
            }
        }

        /** Batch-1 decode tokens/s beside the memory-bandwidth floor (weights read per token / read bandwidth). */
        private void decode(PrintWriter w, CheckpointBundle checkpoint) {
            ProcessMemory.resetPeak();
            org.pathoreason.model.half.KernelBenchmark.DecodeSpeed d;
            try (NDManager m = Engines.newManager()) {
                d = org.pathoreason.model.half.KernelBenchmark.decode(checkpoint.model(), promptTokens, decodeTokens,
                        m);
            }
            long resident = ProcessMemory.residentBytes();
            long peak = ProcessMemory.peakResidentBytes();
            w.printf("decode, batch 1, prompt %d tokens: prefill %.0f ms, first step %.0f ms (pages weights in), "
                    + "then %.1f ms/token = %.2f tokens/s over %d steps; resident %s, peak %s%n", d.promptTokens(),
                    d.prefillMs(), d.firstStepMs(), d.msPerToken(), d.tokensPerSecond(), d.steps(), size(resident),
                    size(peak));
            if (checkpoint.model() instanceof Qwen2VLModel q) {
                long bytes = q.decodeWeightBytes();
                double bandwidth = org.pathoreason.model.half.HalfKernels.get().readBandwidth(BANDWIDTH_BYTES, 5);
                double floorMs = bytes / bandwidth * 1e3;
                w.printf("floor: %s of weights read per token / %.1f GB/s measured read bandwidth = %.1f ms/token; "
                        + "decode is %.2fx the floor%n", size(bytes), bandwidth / 1e9, floorMs, d.msPerToken() / floorMs);
            }
        }

        /** Bytes the bandwidth is measured over: far beyond the caches, within the launcher's direct memory. */
        static final long BANDWIDTH_BYTES = 128L << 20;

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
        static String size(long bytes) {
            if (bytes < 0) {
                return "unknown";
            }
            return bytes >= (1L << 30) ? String.format("%.2f GiB", bytes / (double) (1L << 30))
                    : String.format("%.1f MiB", bytes / (double) (1L << 20));
        }
    }

    /** GB/s of weights read by the 16-bit kernels and by DJL's float32 product, beside the memory bandwidth. */
    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = "Products y = x W^T of float32 activations with BF16 weights through the Java Vector API "
                    + "kernels and the plain Java fallback, and DJL's float32 linear on the same shapes: time and GB/s "
                    + "of weights read, beside the measured memory read bandwidth (the floor).")
    static final class Kernels implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--shapes", split = ",", defaultValue = "2048x2048,4096x4096", paramLabel = "OUTxIN,...",
                description = "Weight shapes [out, in] (default: ${DEFAULT-VALUE}).")
        String[] shapes;

        @Option(names = "--rows", split = ",", defaultValue = "1,8", paramLabel = "N,...",
                description = "Activation rows per product: 1 is a decode step (default: ${DEFAULT-VALUE}).")
        int[] rows;

        @Option(names = "--kernel-threads", defaultValue = "0",
                description = "Kernel threads (0 = all cores; default ${DEFAULT-VALUE}).")
        int kernelThreads;

        @Option(names = "--seconds", defaultValue = "1", description = "Seconds per measurement (default: "
                + "${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--no-fallback", description = "Skip the (slow) plain Java fallback.")
        boolean noFallback;

        @Option(names = "--model", paramLabel = "DIR", description = "Instead of the shapes: a checkpoint's language "
                + "model weights, mapped, and the linear work of batch-1 decode steps over them.")
        Path model;

        @Option(names = "--tokens", defaultValue = "5", description = "Decode steps timed with --model (default: "
                + "${DEFAULT-VALUE}).")
        int tokens;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            engine.start();
            int[][] parsed = new int[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                String[] p = shapes[i].trim().toLowerCase(java.util.Locale.ROOT).split("x");
                try {
                    parsed[i] = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
                } catch (RuntimeException e) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--shapes: expected OUTxIN such as 4096x4096, got '" + shapes[i] + "'");
                }
            }
            int threads = kernelThreads > 0 ? kernelThreads : Runtime.getRuntime().availableProcessors();
            String vectorReason = org.pathoreason.model.half.HalfKernels.vectorUnavailableReason();
            w.printf("kernels: %s%n", vectorReason == null ? "Java Vector API and plain Java fallback"
                    : "plain Java fallback only (" + vectorReason + ")");
            if (model != null) {
                runModel(w, threads);
                return;
            }
            org.pathoreason.model.half.KernelBenchmark.Result r = org.pathoreason.model.half.KernelBenchmark.run(
                    parsed, rows, threads, seconds, !noFallback);
            w.printf("memory read bandwidth (floor): %.1f GB/s, %d thread(s)%n", r.bandwidthGBps(), threads);
            w.printf("%-9s %-5s %5s %11s %10s %10s %8s%n", "route", "dtype", "rows", "weights", "ms", "GB/s",
                    "of floor");
            for (org.pathoreason.model.half.KernelBenchmark.Row row : r.rows()) {
                w.printf("%-9s %-5s %5d %11s %10.3f %10.2f %7.0f%%%n",
                        row.route().name().toLowerCase(java.util.Locale.ROOT), row.dtype().safetensorsName(),
                        row.rows(), row.out() + "x" + row.in(), row.millis(), row.weightGBps(),
                        100 * row.weightGBps() / r.bandwidthGBps());
            }
        }

        private void runModel(PrintWriter w, int threads) {
            org.pathoreason.model.half.HalfKernels k = org.pathoreason.model.half.HalfKernels.create(
                    org.pathoreason.model.half.HalfKernels.Choice.AUTO, threads);
            org.pathoreason.model.half.KernelBenchmark.ModelPass p =
                    org.pathoreason.model.half.KernelBenchmark.languageModelPass(model, k, tokens);
            double bandwidth = k.readBandwidth(512L << 20, 5);
            double floorMs = p.weightBytes() / bandwidth * 1e3;
            w.printf("%s: %d language-model matrices, %s of weights read per token (%s)%n", model, p.matrices(),
                    Memory.size(p.weightBytes()), k.description());
            w.printf("open (map): %.2f s; resident before %s, after open %s, after %d steps %s, peak %s%n",
                    p.openSeconds(), Memory.size(p.residentBefore()), Memory.size(p.residentAfterOpen()), tokens,
                    Memory.size(p.residentAfter()), Memory.size(p.peakResident()));
            w.printf("linear work per decode token: first %.0f ms (pages the weights in), then %.1f ms = %.2f tok/s; "
                    + "floor %.1f ms (%.1f GB/s measured): %.2fx the floor%n", p.firstTokenMs(), p.msPerToken(),
                    1e3 / p.msPerToken(), floorMs, bandwidth / 1e9, p.msPerToken() / floorMs);
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
                r.parts().forEach((measure, parts) -> parts.forEach((part, seconds) -> {
                    double[] s = seconds.clone();
                    Arrays.sort(s);
                    w.printf("  %-5s %-9s median %9.4f s  (%.4f-%.4f)%n", measure, part, s[s.length / 2], s[0],
                            s[s.length - 1]);
                }));
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
                    out.set("parts_seconds", Json.MAPPER.valueToTree(r.parts()));
                    AtomicFiles.writeString(json, out.toPrettyString() + "\n");
                }
            }
        }
    }
}
