package org.pathoreason.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.pathoreason.eval.Metric;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoreTable;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.CaptionTokenizer;
import org.pathoreason.util.PathoReasonException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pathoreason-spark}: PathoReason's batch work on Apache Spark, in-process ({@code --master local[*]}) or
 * through {@code spark-submit} on a standalone, YARN or Kubernetes cluster.
 */
@Command(name = "pathoreason-spark", mixinStandardHelpOptions = true, subcommands = SparkCli.Eval.class,
        description = "PathoReason jobs on Apache Spark.")
public final class SparkCli implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SparkCli());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            return ex instanceof PathoReasonException || ex instanceof IllegalArgumentException ? 1 : 70;
        });
        System.exit(cli.execute(args));
    }

    /** {@code eval}: the options of {@code pathoreason eval}, sharded over executors. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluate a checkpoint on a benchmark with Spark; writes predictions.jsonl, metrics.json "
                    + "and spark.json as `pathoreason eval` does.")
    static final class Eval implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "Checkpoint folder every executor can read.")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Samples (JSONL or a known format).")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master (default: spark-submit's, else local[*]).")
        String master;

        @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
                description = "Pieces the samples are cut into (default: the default parallelism).")
        int partitions;

        @Option(names = "--style", defaultValue = "cot", paramLabel = "STYLE")
        String style;

        @Option(names = "--extract", defaultValue = "strict", paramLabel = "MODE",
                description = "strict, pathmmu or lenient (default ${DEFAULT-VALUE}).")
        String extract;

        @Option(names = "--random-fallback", description = "With --extract pathmmu: PathMMU's seeded random letter.")
        boolean randomFallback;

        @Option(names = "--metrics", defaultValue = "all", paramLabel = "LIST")
        String metrics;

        @Option(names = "--tokenize", defaultValue = "ptb", paramLabel = "T")
        String tokenize;

        @Option(names = "--limit", defaultValue = "0", paramLabel = "N")
        int limit;

        @Option(names = "--batch-size", defaultValue = "8", paramLabel = "B")
        int batchSize;

        @Option(names = "--max-new-tokens", defaultValue = "512", paramLabel = "N")
        int maxNewTokens;

        @Option(names = "--min-pixels", defaultValue = "0", paramLabel = "N")
        long minPixels;

        @Option(names = "--max-pixels", defaultValue = "0", paramLabel = "N")
        long maxPixels;

        @Option(names = "--strict", description = "Stop at the first bad record instead of reporting and skipping it.")
        boolean strict;

        @Override
        public Integer call() {
            ScoreOptions scoring = ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.parse(extract))
                    .withRandomFallback(randomFallback).withMetrics(Metric.parseList(metrics))
                    .withCaptionTokenizer(CaptionTokenizer.parse(tokenize));
            SparkConf conf = new SparkConf().setAppName("pathoreason eval");
            if (master != null) {
                conf.setMaster(master);
            } else if (!conf.contains("spark.master")) {
                conf.setMaster("local[*]");
            }
            try (JavaSparkContext spark = new JavaSparkContext(conf)) {
                int parts = partitions > 0 ? partitions : spark.defaultParallelism();
                SparkEval.Result r = SparkEval.run(spark, new SparkEval.Job(model.toString(), data.toString(),
                        out.toString(), parts, PromptStyle.parse(style), maxNewTokens, batchSize, minPixels, maxPixels,
                        limit, strict), scoring);
                PrintWriter w = spec.commandLine().getOut();
                w.print(ScoreTable.format(r.score().report()));
                w.printf("evaluated %d samples in %d partitions (%d generated now, %d bad records skipped): "
                        + "%.1f s wall, model load %.1f s, generation %.1f s (summed over executors)%n", r.samples(),
                        parts, r.partitionsRun(), r.skipped(), r.wallSeconds(), r.modelLoadSeconds(),
                        r.generationSeconds());
                w.println("wrote " + out.resolve("predictions.jsonl") + " and " + out.resolve("metrics.json"));
                w.flush();
            }
            return 0;
        }
    }
}
