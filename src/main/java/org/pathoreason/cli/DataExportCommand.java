package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pathoreason.data.Sample;
import org.pathoreason.data.export.LlavaExport;
import org.pathoreason.data.export.WebDatasetExport;
import org.pathoreason.data.readers.DatasetFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason data export}: samples out to LLaVA/ShareGPT JSON or WebDataset tar shards. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a dataset (any format 'data convert' reads) for other trainers: LLaVA/ShareGPT "
                + "conversation JSON (LLaMA-Factory, SlideChat) or WebDataset tar shards (OpenCLIP).",
            "Both read back: 'data convert OUT --format llava|webdataset --out x.jsonl'."})
final class DataExportCommand implements Callable<Integer> {

    /** The formats written. */
    enum Target { LLAVA, WEBDATASET }

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Dataset to export.")
    Path data;

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--to", required = true, paramLabel = "llava|webdataset", converter = TargetConverter.class,
            description = "What to write: llava (a JSON file) or webdataset (a folder of .tar shards).")
    Target to;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "The JSON file (llava) or the "
            + "folder of shards (webdataset), replaced whole.")
    Path out;

    @Option(names = "--shard-size", defaultValue = "1000", description = "Samples per WebDataset shard (default "
            + "${DEFAULT-VALUE}).")
    int shardSize;

    @Override
    public Integer call() {
        DatasetFormat format = dataset.format(data);
        List<Sample> samples = format.read(data, dataset.readOptions());
        Path base = format.imageBase(data);
        PrintWriter w = spec.commandLine().getOut();
        if (to == Target.LLAVA) {
            LlavaExport.write(samples, base, out);
            w.printf(Locale.ROOT, "wrote %d conversations to %s%n", samples.size(), out);
        } else {
            WebDatasetExport.Result r = WebDatasetExport.write(samples, base, out, shardSize);
            w.printf(Locale.ROOT, "wrote %d samples in %d shards to %s (%s .. %s)%n", r.samples(), r.shards().size(),
                    out, r.shards().isEmpty() ? "-" : r.shards().get(0),
                    r.shards().isEmpty() ? "-" : r.shards().get(r.shards().size() - 1));
        }
        w.flush();
        return 0;
    }

    static final class TargetConverter implements picocli.CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            try {
                return Target.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected llava or webdataset, got '" + value + "'");
            }
        }
    }
}
