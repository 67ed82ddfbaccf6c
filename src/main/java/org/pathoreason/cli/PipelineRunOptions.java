package org.pathoreason.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.pipeline.Pipeline;
import org.pathoreason.pipeline.PipelineSettings;
import org.pathoreason.pipeline.SeedRuns;
import org.pathoreason.util.PathoReasonException;
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
            description = "Run once per seed (each in OUT/seed-N) and summarise every stage over the seeds (mean, "
                    + "95%% t interval, sd, min, max) and test the papers' claims on the seeds' paired per-question "
                    + "results (OUT/summary.json, OUT/summary.html).")
    List<Long> seeds;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N",
            description = "With several seeds, run up to N seeds side by side, one child process each (output in "
                    + "OUT/seed-N/run.log); a quick-preset process peaks near 1.7 GB resident (default: "
                    + "${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Pipeline tasks side by side in this process: 2 evaluates each stage and trains the CLIP "
                    + "model on a second thread while the next stages train (the same figures, less wall time); 1 "
                    + "runs everything in turn (default: 2 with one PyTorch thread on two or more cores, else 1; 1 "
                    + "in the seed processes of --parallel).")
    Integer jobs;

    @Option(names = "--no-progress", description = "No progress bars (the per-stage lines stay).")
    boolean noProgress;

    @Mixin
    EngineMixin engine;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * Runs the pipeline into {@code out}: once with {@code --seed}, or once per seed with {@code --seeds} (or the
     * command's default seeds when neither is given), then the summary over the seeds.
     *
     * @param defaultSeeds seeds run when neither {@code --seed} nor {@code --seeds} is given; null for one run with
     *     the default seed
     */
    void run(Path out, String title, PipelineFactory factory, List<Long> defaultSeeds) {
        boolean seedGiven = spec.commandLine().getParseResult().hasMatchedOption("--seed");
        if (seeds != null && seedGiven) {
            throw new ParameterException(spec.commandLine(), "give --seed or --seeds, not both");
        }
        if (parallel < 1) {
            throw new ParameterException(spec.commandLine(), "--parallel must be at least 1, got " + parallel);
        }
        List<Long> runSeeds = seeds != null ? seeds : seedGiven ? null : defaultSeeds;
        PipelineSettings settings = quick ? PipelineSettings.quick() : PipelineSettings.full();
        // one PyTorch thread unless --threads is given: the tiny model's operations are too small for a second
        // thread to pay, and on a shared machine extra threads spin and slow everything
        if (!spec.commandLine().getParseResult().hasMatchedOption("--threads")) {
            engine.threads = 1;
        }
        if (jobs != null && (jobs < 1 || jobs > 2)) {
            throw new ParameterException(spec.commandLine(), "--jobs must be 1 or 2, got " + jobs);
        }
        int sideBySide = jobs != null ? jobs
                : engine.threads == 1 && Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
        if (runSeeds == null) {
            engine.start();
            factory.pipeline(out, settings.withSeed(seed), System.out, !noProgress).withJobs(sideBySide).run();
            return;
        }
        if (parallel == 1 || runSeeds.size() == 1) {
            engine.start();
            SeedRuns.run(out, runSeeds, title, (s, dir) -> factory.pipeline(dir, settings.withSeed(s), System.out,
                    !noProgress).withJobs(sideBySide), System.out);
            return;
        }
        // the seeds in child processes; this one only waits and summarises. Each child takes a core of its own,
        // so it runs its tasks in turn unless --jobs says otherwise
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (jobs == null) {
            args.addAll(List.of("--jobs", "1"));
        }
        List<Long> done = SeedProcesses.run(runSeeds, parallel, out, args, System.out);
        if (done.isEmpty()) {
            throw new PathoReasonException("no seed finished; see the seeds' run.log files in " + out);
        }
        Pipeline template = factory.pipeline(SeedRuns.seedDir(out, done.get(0)), settings.withSeed(done.get(0)),
                System.out, false);
        SeedRuns.summarise(out, done, title, template, System.out);
        if (done.size() < runSeeds.size()) {
            List<Long> missing = new ArrayList<>(runSeeds);
            missing.removeAll(done);
            throw new PathoReasonException("seeds " + missing + " failed (see their run.log); the summary covers "
                    + "seeds " + done + " only");
        }
    }
}
