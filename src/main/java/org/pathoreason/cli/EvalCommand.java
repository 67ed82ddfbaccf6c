package org.pathoreason.cli;

import org.pathoreason.generate.Answer;
import org.pathoreason.model.Prompt;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.eval.EvalOptions;
import org.pathoreason.eval.EvalResult;
import org.pathoreason.eval.EvalRunner;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.eval.report.EvalReport;
import org.pathoreason.eval.Metric;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoreTable;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.CaptionTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pathoreason eval}: generates answers with a checkpoint for a benchmark (greedy, batched), writes the
 * predictions, scores them as {@code pathoreason score} does and writes {@code metrics.json} and an HTML report.
 * A run that is interrupted resumes from its predictions file when started again with the same output folder.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint on a dataset: greedy generation in batches, predictions JSONL, "
                + "metrics.json and report.html.",
            "Started again with the same --out, a run resumes from the predictions already written."})
public final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EngineMixin engine;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Checkpoint folder (config.json, weights, tokenizer.json, preprocessor_config.json).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "LoRA adapter folder (PEFT layout) merged into the checkpoint's weights.")
    Path adapter;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The dataset to evaluate on.")
    Path data;

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--style", defaultValue = "cot", paramLabel = "STYLE",
            description = "Prompt style, as in training: cot, cod, think-answer, observe-think-answer, plain "
                    + "(default ${DEFAULT-VALUE}).")
    String style;

    @Option(names = "--extract", defaultValue = "strict", paramLabel = "MODE",
            description = "Answer extraction: strict (PathVLM-R1), pathmmu (PathMMU's official parser), "
                    + "lenient (default ${DEFAULT-VALUE}).")
    String extract;

    @Option(names = "--random-fallback",
            description = "With --extract pathmmu: replace a miss by PathMMU's seeded random letter, as PathMMU does.")
    boolean randomFallback;

    @Option(names = "--metrics", defaultValue = "all", paramLabel = "LIST",
            description = "Comma-separated: acc, bleu, rouge_l, f1, em, tokens, confusion, all (default ${DEFAULT-VALUE}).")
    String metrics;

    @Option(names = "--tokenize", defaultValue = "ptb", paramLabel = "T",
            description = "Tokenisation of open answers before BLEU/ROUGE-L: ptb, lower, none (default ${DEFAULT-VALUE}).")
    String tokenize;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Evaluate only the first N samples (default: all).")
    int limit;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "B",
            description = "Prompts generated together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-new-tokens", defaultValue = "512", paramLabel = "N",
            description = "Most tokens generated per answer (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--min-pixels", defaultValue = "0", paramLabel = "N",
            description = "Image pixel lower bound (default: the checkpoint's preprocessor_config.json).")
    long minPixels;

    @Option(names = "--max-pixels", defaultValue = "0", paramLabel = "N",
            description = "Image pixel upper bound (default: the checkpoint's preprocessor_config.json).")
    long maxPixels;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: eval/<checkpoint>-<data file name>).")
    Path out;

    @Option(names = "--examples", defaultValue = "8", paramLabel = "N",
            description = "Example reasonings shown in the report (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--fresh", description = "Discard predictions left in --out by an earlier run instead of resuming.")
    boolean fresh;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        ScoreOptions scoring = ScoreOptions.DEFAULTS
                .withExtraction(ExtractionMode.parse(extract))
                .withRandomFallback(randomFallback)
                .withMetrics(Metric.parseList(metrics))
                .withCaptionTokenizer(CaptionTokenizer.parse(tokenize));
        PromptStyle promptStyle = PromptStyle.parse(style);
        DatasetFormat format = dataset.format(data);
        List<Sample> samples = format.read(data, dataset.readOptions());
        Path outDir = out != null ? out : defaultOut(model, adapter, data);

        engine.start();
        PrintWriter stdout = spec.commandLine().getOut();
        try (CheckpointBundle checkpoint = CheckpointBundle.open(model, adapter == null
                ? CheckpointBundle.Options.DEFAULT : CheckpointBundle.Options.adapter(LoraAdapter.read(adapter)))) {
            EvalOptions options = EvalOptions.DEFAULTS
                    .withStyle(promptStyle)
                    .withPixelBounds(minPixels, maxPixels)
                    .withScoring(scoring)
                    .withLimit(limit)
                    .withBatchSize(batchSize)
                    .withMaxNewTokens(maxNewTokens)
                    .withOutDir(outDir)
                    .withExamples(examples)
                    .withFresh(fresh)
                    .withProgress(!noProgress)
                    .withModelName(checkpoint.name())
                    .withDataName(data.toAbsolutePath().normalize() + " (" + format.id() + ")");
            EvalResult result = new EvalRunner(checkpoint, options).run(samples, format.imageBase(data));
            EvalReport.write(result, examples);
            stdout.print(ScoreTable.format(result.report()));
            stdout.printf("evaluated %d samples (%d resumed, %d generated)%n", result.info().samples(),
                    result.info().resumed(), result.info().generated());
            stdout.println("wrote " + result.predictionsFile());
            stdout.println("wrote " + result.metricsFile());
            stdout.println("wrote " + result.reportFile());
            stdout.flush();
        }
        return 0;
    }


    /** {@code eval/<parent>-<checkpoint>-<data file>}: generic checkpoint names (final, step-N) keep their run's name. */
    static Path defaultOut(Path model, Path data) {
        return defaultOut(model, null, data);
    }

    /** As {@link #defaultOut(Path, Path)}, with {@code +<adapter folder>} after the checkpoint when there is one. */
    static Path defaultOut(Path model, Path adapter, Path data) {
        Path abs = model.toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? "model" : abs.getFileName().toString();
        if (abs.getParent() != null && abs.getParent().getFileName() != null) {
            name = abs.getParent().getFileName() + "-" + name;
        }
        if (adapter != null && adapter.toAbsolutePath().normalize().getFileName() != null) {
            name = name + "+" + adapter.toAbsolutePath().normalize().getFileName();
        }
        String dataName = data.toAbsolutePath().normalize().getFileName().toString();
        return Path.of("eval", name + "-" + dataName);
    }
}
