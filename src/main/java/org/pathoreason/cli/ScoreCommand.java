package org.pathoreason.cli;

import org.pathoreason.generate.Answer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.eval.Metric;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.Predictions;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoreReport;
import org.pathoreason.eval.ScoreResult;
import org.pathoreason.eval.ScoreTable;
import org.pathoreason.eval.Scorer;
import org.pathoreason.eval.report.EvalReport;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.CaptionTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pathoreason score}: scores a predictions JSONL (from any system) against a dataset, without a model,
 * exactly as {@code eval} scores its own predictions.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score predictions ({\"id\", \"prediction\", \"output_tokens\"?} per line) against a dataset.",
            "Predictions are matched to samples by id; unmatched ids are reported.",
            "A prediction without an <answer> tag is scored on its whole text (reasoning blocks removed) for open",
            "questions, as raw output; for closed questions it is an extraction miss under strict. Their count is",
            "printed and written as no_answer_tag."})
public final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--pred", required = true, paramLabel = "PREDS.jsonl", description = "Predictions JSONL.")
    Path pred;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The dataset the predictions answer.")
    Path data;

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--metrics", defaultValue = "all", paramLabel = "LIST",
            description = "Comma-separated: acc, bleu, rouge_l, f1, em, tokens, confusion, all (default ${DEFAULT-VALUE}).")
    String metrics;

    @Option(names = "--extract", defaultValue = "strict", paramLabel = "MODE",
            description = "Answer extraction: strict (PathVLM-R1), pathmmu (PathMMU's official parser), "
                    + "lenient (default ${DEFAULT-VALUE}).")
    String extract;

    @Option(names = "--random-fallback",
            description = "With --extract pathmmu: replace a miss by PathMMU's seeded random letter, as PathMMU does.")
    boolean randomFallback;

    @Option(names = "--tokenize", defaultValue = "ptb", paramLabel = "T",
            description = "Tokenisation of open answers before BLEU/ROUGE-L: ptb (COCO-like), lower, none "
                    + "(default ${DEFAULT-VALUE}).")
    String tokenize;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the scores as JSON (metrics.json layout).")
    Path json;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Write metrics.json, report.html and plots into DIR.")
    Path reportDir;

    @Option(names = "--examples", defaultValue = "8", description = "Examples in the HTML report (default ${DEFAULT-VALUE}).")
    int examples;

    @Override
    public Integer call() {
        ScoreOptions options = ScoreOptions.DEFAULTS
                .withExtraction(ExtractionMode.parse(extract))
                .withRandomFallback(randomFallback)
                .withMetrics(Metric.parseList(metrics))
                .withCaptionTokenizer(CaptionTokenizer.parse(tokenize));
        DatasetFormat format = dataset.format(data);
        List<Sample> samples = format.read(data, dataset.readOptions());
        List<Prediction> predictions = Predictions.read(pred);
        ScoreResult result = new Scorer(options).score(samples, predictions);
        ScoreReport report = result.report();

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (report.unmatched() != null) {
            ScoreReport.Unmatched u = report.unmatched();
            if (u.samplesWithoutPrediction() > 0) {
                err.printf("warning: %d of %d samples have no prediction and are not scored (e.g. %s)%n",
                        u.samplesWithoutPrediction(), samples.size(), String.join(", ", u.missingIds()));
            }
            if (u.predictionsWithoutSample() > 0) {
                err.printf("warning: %d predictions name no sample in %s and are ignored (e.g. %s)%n",
                        u.predictionsWithoutSample(), data, String.join(", ", u.unknownIds()));
            }
            err.flush();
        }
        if (result.items().isEmpty()) {
            throw new IllegalArgumentException("no prediction in " + pred + " matches a sample id in " + data);
        }
        out.print(ScoreTable.format(report));
        if (json != null) {
            report.write(json);
            out.println("wrote " + json);
        }
        if (reportDir != null) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("predictions", pred.toString());
            info.put("data", data + " (" + format.id() + ")");
            Path html = EvalReport.write(reportDir, result, new EvalReport.Options("Scores of " + pred.getFileName(),
                    examples, format.imageBase(data), info));
            out.println("wrote " + html);
        }
        out.flush();
        return 0;
    }
}
