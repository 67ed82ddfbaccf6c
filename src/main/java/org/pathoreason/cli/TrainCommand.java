package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.sft.SftConfig;
import org.pathoreason.train.sft.SftTrainer;
import org.pathoreason.train.sft.Stage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pathoreason train <stage> ...}: one subcommand per training stage. Each stage is its own class; RL stages
 * ({@code grpo}, {@code dapo}) join by being listed in {@code subcommands} (or added with
 * {@code CommandLine.addSubcommand}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model: continued pretraining (image + caption) or supervised fine-tuning on "
                + "reasoning chains, into a run folder (run.json, metrics.jsonl, checkpoints/step-N/, final/).",
        subcommands = {TrainCommand.Pretrain.class, TrainCommand.Sft.class, RlTrainCommand.Grpo.class,
            RlTrainCommand.Dapo.class})
public final class TrainCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What {@code pretrain} and {@code sft} share. */
    abstract static class SupervisedStage implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "FILE",
                description = "Training data: canonical sample JSONL, or LLaVA/ShareGPT conversation JSON and the "
                        + "other formats the readers know (detected; force with --set sft.data_format=NAME).")
        Path data;

        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "Checkpoint to start from: config.json, weights, tokenizer.json (optionally "
                        + "preprocessor_config.json, tokenizer_config.json, generation_config.json).")
        Path model;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Run folder, e.g. runs/NAME. Given again after an interruption, the run resumes "
                        + "from its newest checkpoint (same config and data required).")
        Path out;

        @Option(names = "--val-data", paramLabel = "FILE",
                description = "Validation file (same as --set sft.val_data=FILE).")
        Path valData;

        @Option(names = "--no-progress", description = "No progress bar (logs only).")
        boolean noProgress;

        @Mixin
        TrainConfigMixin config;

        @Mixin
        LoraMixin lora;

        @Mixin
        EngineMixin engine;

        abstract Stage stage();

        @Override
        public Integer call() {
            List<String> overrides = new ArrayList<>(config.overrides());
            overrides.addAll(lora.overrides());
            if (valData != null) {
                overrides.add("sft.val_data=" + valData.toAbsolutePath());
            }
            // the config is checked before the engine starts, so a typo fails at once
            ConfigLoader.Resolved<SftConfig> resolved = SftConfig.load(config.configFile(), overrides);
            engine.start();
            SftTrainer.Result r = new SftTrainer(stage(), resolved, data, model, out).progressBar(!noProgress)
                    .run();
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "%s done: %d steps (%d this run%s) on %d examples, loss %.4f%s%n", stage().id(),
                    r.steps(), r.stepsThisRun(), r.resumedFrom() > 0 ? ", resumed from step " + r.resumedFrom() : "",
                    r.trainExamples(), r.lastLoss(),
                    Double.isNaN(r.lastValLoss()) ? "" : String.format(Locale.ROOT, ", val_loss %.4f",
                            r.lastValLoss()));
            o.println((resolved.config().lora().enabled() ? "adapter: " : "model: ") + r.finalDir());
            o.flush();
            return 0;
        }
    }

    @Command(name = "pretrain", mixinStandardHelpOptions = true,
            description = "Continued pretraining: image(s) + caption, loss on the caption tokens only.")
    static final class Pretrain extends SupervisedStage {
        @Override
        Stage stage() {
            return Stage.PRETRAIN;
        }
    }

    @Command(name = "sft", mixinStandardHelpOptions = true,
            description = "Supervised fine-tuning: chat prompt (system, image(s), question with options) and the "
                    + "assistant target <think>..</think><answer>..</answer> (or with <observe> first); loss on "
                    + "the assistant tokens only; guidance removed from prompts (trajectory masking).")
    static final class Sft extends SupervisedStage {
        @Override
        Stage stage() {
            return Stage.SFT;
        }
    }
}
