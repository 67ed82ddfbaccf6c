package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.DatasetStats;
import org.pathoreason.data.readers.ImagePaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pathoreason data}: look at and convert benchmark and training datasets. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Dataset tools: stats, conversion to canonical sample JSONL, figure-caption pairs from PDFs, "
                + "knowledge-graph-guided reasoning data, export to LLaVA and WebDataset.",
        subcommands = {DataCommand.Stats.class, DataCommand.Convert.class, DataPdfCommand.class,
            DataReasonCommand.class, DataExportCommand.class})
public final class DataCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code data stats}: counts per subset, split, task and answer letter. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Count samples per subset, split, task and answer letter.")
    public static final class Stats implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "Dataset file or folder.")
        Path input;

        @Mixin
        DatasetOptions dataset;

        @Override
        public Integer call() {
            DatasetFormat format = dataset.format(input);
            List<Sample> samples = format.read(input, dataset.readOptions());
            PrintWriter out = spec.commandLine().getOut();
            out.println(input + " (" + format.id() + ")");
            out.print(DatasetStats.of(samples).format());
            out.flush();
            return 0;
        }
    }

    /** {@code data convert}: any supported format to canonical JSONL. */
    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = {"Convert a dataset to canonical sample JSONL.",
                "Relative image paths are rewritten to be relative to the output file's folder."})
    public static final class Convert implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "Dataset file or folder.")
        Path input;

        @Mixin
        DatasetOptions dataset;

        @Option(names = "--out", required = true, paramLabel = "OUT.jsonl", description = "Canonical JSONL to write.")
        Path out;

        @Override
        public Integer call() {
            DatasetFormat format = dataset.format(input);
            List<Sample> samples = format.read(input, dataset.readOptions());
            Path outDir = out.toAbsolutePath().getParent();
            SampleJsonl.write(out, ImagePaths.rebase(samples, format.imageBase(input), outDir));
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %d samples from %s (%s) to %s%n", samples.size(), input, format.id(), out);
            w.flush();
            return 0;
        }
    }
}
