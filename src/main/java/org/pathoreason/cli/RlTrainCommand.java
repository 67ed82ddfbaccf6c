package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.rl.GrpoConfig;
import org.pathoreason.train.rl.GrpoRun;
import org.pathoreason.train.rl.GrpoTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pathoreason train grpo|dapo ...}: reinforcement learning of a reasoning policy with group-relative
 * advantages. {@link Grpo} and {@link Dapo} are the two subcommands (register both under {@code train}); they
 * differ only in their defaults ({@link GrpoConfig#grpo()}, {@link GrpoConfig#dapo()}), every switch of which can
 * be set alone with {@code --set rl.KEY=VALUE} or a config file.
 */
public abstract class RlTrainCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Prompts with gold answers: canonical sample JSONL (or the other formats the readers know).")
    Path data;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Starting policy (normally the SFT checkpoint): config.json, weights, tokenizer.json. "
                    + "With rl.kl_coef > 0 it is also loaded, frozen, as the reference.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Run folder, e.g. runs/NAME. Given again after an interruption, the run resumes from its "
                    + "newest checkpoint (same config and data required).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar (logs only).")
    boolean noProgress;

    @Mixin
    TrainConfigMixin config;

    @Mixin
    LoraMixin lora;

    @Mixin
    EngineMixin engine;

    /** {@code grpo} or {@code dapo}. */
    abstract String algorithm();

    @Override
    public Integer call() {
        // the config is checked before the engine starts, so a typo fails at once
        List<String> overrides = new java.util.ArrayList<>(config.overrides());
        overrides.addAll(lora.overrides());
        ConfigLoader.Resolved<GrpoConfig> resolved = GrpoConfig.load(algorithm(), config.configFile(), overrides);
        engine.start();
        GrpoTrainer.Result r = new GrpoRun(resolved, data, model, out, !noProgress).run();
        PrintWriter o = spec.commandLine().getOut();
        Map<String, Object> m = r.lastMetrics();
        o.printf(Locale.ROOT, "%s done: step %d of %d%s; last step reward %s, accuracy %s, response length %s%n",
                algorithm(), r.lastStep(), r.totalSteps(),
                r.startStep() > 0 ? " (resumed from step " + r.startStep() + ")" : "", fmt(m.get("reward")),
                fmt(m.get("accuracy")), fmt(m.get("response_length")));
        o.println((resolved.config().lora().enabled() ? "adapter: " : "model: ") + r.finalDir());
        o.flush();
        return 0;
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "n/a";
    }

    /** {@code pathoreason train grpo}. */
    @Command(name = "grpo", mixinStandardHelpOptions = true,
            description = "GRPO: G completions per prompt (rl.group_size, 4), group-normalised advantages, clipped "
                    + "surrogate (0.2/0.2, dual clip 3), sequence-mean loss, KL to the frozen starting policy "
                    + "(k3, rl.kl_coef 0.04); rewards format + accuracy (reward.weights). Writes run.json, "
                    + "metrics.jsonl, checkpoints/step-N/, final/.")
    public static final class Grpo extends RlTrainCommand {
        @Override
        String algorithm() {
            return "grpo";
        }
    }

    /** {@code pathoreason train dapo}. */
    @Command(name = "dapo", mixinStandardHelpOptions = true,
            description = "DAPO: GRPO with clip-higher (0.2/0.28), token-level loss, dynamic sampling (groups whose "
                    + "accuracy does not vary are dropped and more are sampled, at most rl.max_generation_rounds "
                    + "rounds), soft overlong punishment (reward.weights.length) and no KL. Every switch can be set "
                    + "alone with --set.")
    public static final class Dapo extends RlTrainCommand {
        @Override
        String algorithm() {
            return "dapo";
        }
    }
}
