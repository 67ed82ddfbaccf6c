package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pathoreason.eval.report.RunComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason report}: one HTML table comparing the metrics of several runs. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Compare runs in one HTML table (best value per column in bold) with a per-subset chart.",
            "Each run is a folder holding metrics.json or eval/metrics.json (or a metrics JSON file itself).",
            "Where every run has questions.jsonl beside its metrics (eval and score --report write it), each run is "
                + "compared with the first on the same closed questions: paired accuracy difference with a 95%% "
                + "bootstrap interval and McNemar's exact test, printed and in the page."})
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", required = true, arity = "1..*", paramLabel = "RUN", description = "Run folders.")
    List<Path> runs;

    @Option(names = "--out", defaultValue = "runs-comparison.html", paramLabel = "HTML",
            description = "Page to write; plots go to plots/ beside it (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", defaultValue = "Run comparison", description = "Page title.")
    String title;

    @Override
    public Integer call() {
        List<RunComparison.Run> loaded = RunComparison.load(runs);
        Path html = RunComparison.write(loaded, out, title);
        spec.commandLine().getOut().print(RunComparison.pairedTable(RunComparison.paired(loaded)));
        spec.commandLine().getOut().printf("compared %d runs: wrote %s%n", loaded.size(), html);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
