package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.train.FindingProbe;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pathoreason synth probe}: trains a small CNN on freshly rendered tiles and reports, per finding, how well
 * it is recognised on held-out tiles (the evidence-in-the-pixels check of the synthetic world).
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Measure per-finding recognisability of rendered tiles with a small CNN "
        + "(multi-label), reporting accuracy, balanced accuracy and balanced accuracy within diagnoses where the "
        + "finding is optional.")
final class SynthProbeCommand implements Runnable {

    @Mixin
    EngineMixin engine;

    @Option(names = "--size", defaultValue = "112", description = "Tile size (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--train", defaultValue = "6000", description = "Training tiles (default ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--test", defaultValue = "1500", description = "Held-out tiles (default ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--epochs", defaultValue = "12", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.002", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--minutes", defaultValue = "10", description = "Stop training after this many minutes "
            + "(default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--graph", description = "Knowledge graph file instead of the built-in mini-graph.")
    Path graph;

    @Option(names = "--out", description = "Write the scores as JSON to this file.")
    Path out;

    @Override
    public void run() {
        engine.start();
        SynthWorld world = graph == null ? SynthWorld.builtIn() : SynthWorld.load(graph);
        int cores = Runtime.getRuntime().availableProcessors();
        FindingProbe.Options options = new FindingProbe.Options(size, train, test, epochs, batch, lr, seed, cores,
                minutes);
        FindingProbe.Report report = new FindingProbe(world, options).run(System.err);
        System.out.print(report.table());
        long good = report.scores().stream().filter(s -> s.balancedAccuracy() > 0.9).count();
        System.out.printf(Locale.ROOT, "%d of %d findings above 90%% balanced accuracy; %d epochs, training %.0f s, "
                + "rendering %.0f s%n", good, report.scores().size(), report.epochs(), report.trainSeconds(),
                report.renderSeconds());
        if (out != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("options", options);
            json.put("report", report);
            try {
                AtomicFiles.writeString(out, Json.PRETTY.writeValueAsString(json) + "\n");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
