package org.pathoreason.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pathoreason.pipeline.SeedRuns;
import org.pathoreason.util.PathoReasonException;

/**
 * Runs one seed's pipeline per child process, up to {@code parallel} at a time: the same command line with
 * {@code --seed N --out OUT/seed-N --no-progress} in place of {@code --seeds}, {@code --parallel} and {@code --out},
 * started with this JVM's java, JVM options and class path. Separate processes so that each seed has its own
 * heap, native memory and progress log, and a crash takes one seed only. Each child writes its output to {@code OUT/seed-N/run.log};
 * a child that fails does not stop the others.
 */
final class SeedProcesses {

    static final String LOG = "run.log";

    /** Options replaced in a child's command line, with whether each takes a value. */
    private static final Map<String, Boolean> REPLACED = Map.of("--seeds", true, "--seed", true, "--parallel", true,
            "--out", true, "--no-progress", false);

    private SeedProcesses() {
    }

    /**
     * The command line of one seed's child: {@code args} without the options the parent owns, then
     * {@code --seed N --out DIR --no-progress}.
     */
    static List<String> childArgs(List<String> args, long seed, Path dir) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            Boolean takesValue = REPLACED.get(name);
            if (takesValue == null) {
                out.add(a);
            } else if (takesValue && !a.contains("=")) {
                i++; // skip the value
            }
        }
        out.addAll(List.of("--seed", Long.toString(seed), "--out", dir.toString(), "--no-progress"));
        return out;
    }

    /** This JVM's java, JVM options and class path, then the CLI's main class. */
    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp")) { // a debugger port cannot be shared
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PathoReasonCli.class.getName());
        return cmd;
    }

    /**
     * Runs the seeds, {@code parallel} at a time, and waits for all.
     *
     * @param args the parent's command line (subcommand names and options)
     * @return the seeds whose child exited with 0, in the given order
     */
    static List<Long> run(List<Long> seeds, int parallel, Path out, List<String> args, PrintStream log) {
        List<String> java = javaCommand();
        Map<Long, Process> running = new LinkedHashMap<>();
        Map<Long, Long> started = new LinkedHashMap<>();
        List<Long> finished = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        Thread stopChildren = new Thread(() -> running.values().forEach(Process::destroy));
        Runtime.getRuntime().addShutdownHook(stopChildren);
        try {
            int next = 0;
            while (next < seeds.size() || !running.isEmpty()) {
                while (next < seeds.size() && running.size() < parallel) {
                    long seed = seeds.get(next++);
                    Path dir = SeedRuns.seedDir(out, seed);
                    List<String> cmd = new ArrayList<>(java);
                    cmd.addAll(childArgs(args, seed, dir));
                    Files.createDirectories(dir);
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG).toFile())).start();
                    running.put(seed, p);
                    started.put(seed, System.nanoTime());
                    log.printf(Locale.ROOT, "== seed %d: started (pid %d), log %s ==%n", seed, p.pid(),
                            dir.resolve(LOG));
                    log.flush();
                }
                Thread.sleep(1000);
                for (Long seed : Set.copyOf(running.keySet())) {
                    Process p = running.get(seed);
                    if (!p.isAlive()) {
                        running.remove(seed);
                        double s = (System.nanoTime() - started.get(seed)) / 1e9;
                        if (p.exitValue() == 0) {
                            finished.add(seed);
                            log.printf(Locale.ROOT, "== seed %d: finished in %.0f s ==%n", seed, s);
                        } else {
                            failed.add(seed);
                            log.printf(Locale.ROOT, "== seed %d: FAILED with exit code %d after %.0f s; see %s ==%n",
                                    seed, p.exitValue(), s, SeedRuns.seedDir(out, seed).resolve(LOG));
                        }
                        log.flush();
                    }
                }
            }
        } catch (IOException e) {
            running.values().forEach(Process::destroy);
            throw new PathoReasonException("cannot start a seed's process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            running.values().forEach(Process::destroy);
            Thread.currentThread().interrupt();
            throw new PathoReasonException("interrupted while the seeds ran", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopChildren);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
        }
        List<Long> ordered = new ArrayList<>();
        for (long s : seeds) {
            if (finished.contains(s)) {
                ordered.add(s);
            }
        }
        return ordered;
    }
}
