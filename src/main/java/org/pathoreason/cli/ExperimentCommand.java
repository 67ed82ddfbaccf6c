package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pathoreason.pipeline.Ablation;
import org.pathoreason.pipeline.PipelineSettings;
import org.pathoreason.pipeline.SeedRuns;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason experiment ablation}: the papers' experiments on the synthetic world. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments on the synthetic world.",
        subcommands = ExperimentCommand.AblationCommand.class)
public final class ExperimentCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** PathVLM-R1's Table 1 variants. */
    @Command(name = "ablation", mixinStandardHelpOptions = true,
            description = {"PathVLM-R1's Table 1 on the synthetic world: base; alpha (SFT); beta (alpha + GRPO "
                    + "with format + accuracy rewards); gamma (alpha + more SFT on the RL split, the control); delta "
                    + "and epsilon (SFT or GRPO from the base on the RL split only); final (alpha + GRPO with the "
                    + "process and entity rewards added). One table, one report, fixed seeds.",
                "Run again with the same --out to resume: finished variants are skipped. One PyTorch thread "
                        + "unless --threads is given."})
    static final class AblationCommand implements Callable<Integer> {

        @Option(names = "--out", defaultValue = "runs/ablation", paramLabel = "DIR",
                description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--quick", description = "The quick demo's world and training lengths.")
        boolean quick;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of everything (default: "
                + "${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--seeds", split = ",", paramLabel = "N",
                description = "Run once per seed (each in OUT/seed-N) and summarise every variant over the seeds: "
                        + "mean, standard deviation, lowest and highest accuracy (OUT/summary.json, "
                        + "OUT/summary.html).")
        List<Long> seeds;

        @Option(names = "--no-progress", description = "No progress bars (the per-variant lines stay).")
        boolean noProgress;

        @Mixin
        EngineMixin engine;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PipelineSettings settings = quick ? PipelineSettings.quick() : PipelineSettings.full();
            DemoCommand.checkSeeds(spec, seeds);
            DemoCommand.startEngine(engine, spec);
            if (seeds != null) {
                SeedRuns.run(out, seeds, Ablation.TITLE, (s, dir) -> Ablation.pipeline(dir, settings.withSeed(s),
                        System.out, !noProgress), System.out);
            } else {
                Ablation.pipeline(out, settings.withSeed(seed), System.out, !noProgress).run();
            }
            return 0;
        }
    }
}
