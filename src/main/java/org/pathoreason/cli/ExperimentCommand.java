package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pathoreason.pipeline.Ablation;
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
                "Without --seed or --seeds it runs seeds 0-4 (OUT/seed-N) and tests PathVLM-R1's and "
                        + "PathReasoner-R1's claims on them: paired differences over the same test questions, a "
                        + "bootstrap interval and McNemar's test per seed, a t interval over the seeds, a verdict per "
                        + "claim (OUT/summary.json, OUT/summary.html). --parallel 2 runs two seeds side by side.",
                "Run again with the same --out to resume: finished variants are skipped. One PyTorch thread "
                        + "unless --threads is given."})
    static final class AblationCommand implements Callable<Integer> {

        @Option(names = "--out", defaultValue = "runs/ablation", paramLabel = "DIR",
                description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Mixin
        PipelineRunOptions run;

        @Override
        public Integer call() {
            run.run(out, Ablation.TITLE, Ablation::pipeline, Ablation.DEFAULT_SEEDS);
            return 0;
        }
    }
}
