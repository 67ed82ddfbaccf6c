package org.pathoreason.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.pathoreason.pipeline.Pipeline;
import org.pathoreason.pipeline.PipelineSettings;
import org.pathoreason.pipeline.SeedRuns;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options {@code demo} and {@code experiment ablation} share (preset, seed or seeds, progress, engine), and how
 * they run a pipeline with them: once, or once per seed with a summary ({@link SeedRuns}).
 */
public final class PipelineRunOptions {

    /** Builds a pipeline writing into a folder ({@code Demo::pipeline}, {@code Ablation::pipeline}). */
    @FunctionalInterface
    public interface PipelineFactory {
        Pipeline pipeline(Path out, PipelineSettings settings, PrintStream log, boolean progress);
    }

    @Option(names = "--quick", description = "A smaller world and shorter training (the quick demo: under ten "
            + "minutes on two cores; the full one under an hour).")
    boolean quick;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the world, the weights and every trainer "
            + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--seeds", split = ",", paramLabel = "N",
            description = "Run once per seed (each in OUT/seed-N) and summarise every stage over the seeds: mean, "
                    + "standard deviation, lowest and highest accuracy (OUT/summary.json, OUT/summary.html).")
    List<Long> seeds;

    @Option(names = "--no-progress", description = "No progress bars (the per-stage lines stay).")
    boolean noProgress;

    @Mixin
    EngineMixin engine;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Runs the pipeline into {@code out}: once with {@code --seed}, or once per seed with {@code --seeds}. */
    void run(Path out, String title, PipelineFactory factory) {
        if (seeds != null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw new ParameterException(spec.commandLine(), "give --seed or --seeds, not both");
        }
        PipelineSettings settings = quick ? PipelineSettings.quick() : PipelineSettings.full();
        // one PyTorch thread unless --threads is given: the tiny model's operations are too small for a second
        // thread to pay, and on a shared machine extra threads spin and slow everything
        if (!spec.commandLine().getParseResult().hasMatchedOption("--threads")) {
            engine.threads = 1;
        }
        engine.start();
        if (seeds != null) {
            SeedRuns.run(out, seeds, title, (s, dir) -> factory.pipeline(dir, settings.withSeed(s), System.out,
                    !noProgress), System.out);
        } else {
            factory.pipeline(out, settings.withSeed(seed), System.out, !noProgress).run();
        }
    }
}
