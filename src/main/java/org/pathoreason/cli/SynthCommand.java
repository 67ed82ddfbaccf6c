package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.data.synth.SynthGenerator;
import org.pathoreason.data.synth.SynthOptions;
import org.pathoreason.data.synth.SynthWorld;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason synth}: writes a synthetic pathology dataset (images, splits, graph, card, contact sheet). */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Generate the synthetic pathology world: H&E-like tiles, questions with reasoning targets "
                + "in canonical JSONL per split (pretrain, sft, rl, val, test), the graph, a dataset card and a "
                + "contact sheet.",
        subcommands = SynthProbeCommand.class)
public final class SynthCommand implements Runnable {

    @Spec
    CommandSpec spec;

    // Checked in run() rather than by picocli, so that "synth probe" does not need it.
    @Option(names = "--out", description = "Output folder (new, empty, or an earlier synth output). Required.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}); same seed, "
            + "same bytes.")
    long seed;

    @Option(names = "--scale", defaultValue = "1.0", description = "Multiplies every split size (default "
            + "${DEFAULT-VALUE}: 5000 pretrain, 3000 sft, 1000 rl, 300 val, 1385 test).")
    double scale;

    @Option(names = "--size", defaultValue = "224", description = "Tile size in pixels, e.g. 112 or 224 (default "
            + "${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--threads", defaultValue = "0", description = "Rendering threads (0 = all cores). Output does "
            + "not depend on it.")
    int threads;

    @Option(names = "--graph", description = "Knowledge graph file to use instead of the built-in mini-graph; its "
            + "findings must be drawable (see the built-in graph's finding ids).")
    Path graph;

    @Option(names = "--unseen-share", defaultValue = "0.4", description = "Share of val/test cases drawn from "
            + "optional-finding combinations held out of training (default ${DEFAULT-VALUE}).")
    double unseenShare;

    @Override
    public void run() {
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--out=<out>'");
        }
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        SynthOptions options = new SynthOptions(seed, scale, size, t, unseenShare);
        SynthWorld world = graph == null ? SynthWorld.builtIn() : SynthWorld.load(graph);
        long start = System.nanoTime();
        SynthGenerator.Result result = new SynthGenerator(world, options).generate(out);
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = 0;
        for (Map.Entry<String, List<Sample>> e : result.splits().entrySet()) {
            System.out.printf(Locale.ROOT, "%-9s %6d samples -> %s%n", e.getKey(), e.getValue().size(),
                    out.resolve(e.getKey() + ".jsonl"));
            total += e.getValue().size();
        }
        System.out.printf(Locale.ROOT, "%d samples and images (%dx%d) in %.1f s (%.0f samples/minute, %d threads)%n",
                total, size, size, seconds, total / seconds * 60, t);
        System.out.println("card: " + out.resolve(SynthGenerator.CARD_MARKDOWN) + ", contact sheet: "
                + out.resolve(SynthGenerator.CONTACT_SHEET));
    }
}
