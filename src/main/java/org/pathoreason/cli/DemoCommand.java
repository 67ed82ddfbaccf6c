package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pathoreason.pipeline.Demo;
import org.pathoreason.pipeline.PipelineSettings;
import org.pathoreason.pipeline.SeedRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pathoreason demo}: the whole pipeline on the synthetic world, stage by stage, with a report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Build the synthetic pathology world, train a tokenizer and a tiny Qwen2.5-VL through every "
                + "stage (continued pretraining on captions, SFT on chains of thought, GRPO with format + accuracy "
                + "rewards, GRPO adding the process (KG rubric judge) and entity rewards), evaluate each stage on "
                + "the held-out test split and write results.json and report.html.",
            "Run again with the same --out to resume: finished stages are skipped. One PyTorch thread unless "
                + "--threads is given (measured fastest for the tiny model)."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "A smaller world and shorter training: under ten minutes on two "
            + "cores (the full demo takes under an hour).")
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PipelineSettings settings = quick ? PipelineSettings.quick() : PipelineSettings.full();
        checkSeeds(spec, seeds);
        startEngine(engine, spec);
        if (seeds != null) {
            SeedRuns.run(out, seeds, Demo.TITLE, (s, dir) -> Demo.pipeline(dir, settings.withSeed(s), System.out,
                    !noProgress), System.out);
        } else {
            Demo.pipeline(out, settings.withSeed(seed), System.out, !noProgress).run();
        }
        return 0;
    }

    /** {@code --seed} and {@code --seeds} exclude each other. */
    static void checkSeeds(CommandSpec spec, List<Long> seeds) {
        if (seeds == null) {
            return;
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw new ParameterException(spec.commandLine(), "give --seed or --seeds, not both");
        }
    }

    /**
     * Starts the engine with one PyTorch thread unless {@code --threads} was given: the tiny model's operations
     * are too small for a second thread to pay, and on a shared machine extra threads spin and slow everything.
     */
    static void startEngine(EngineMixin engine, CommandSpec spec) {
        if (!spec.commandLine().getParseResult().hasMatchedOption("--threads")) {
            engine.threads = 1;
        }
        engine.start();
    }
}
