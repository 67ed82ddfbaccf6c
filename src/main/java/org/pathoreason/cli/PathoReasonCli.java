package org.pathoreason.cli;

import org.pathoreason.util.Progress;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pathoreason} command: a thin front over the library packages. */
@Command(name = "pathoreason",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Pathology reasoning models (Qwen2.5-VL architecture) on the JVM.",
        subcommands = {
            DemoCommand.class,
            ExperimentCommand.class,
            DoctorCommand.class,
            SynthCommand.class,
            KgCommand.class,
            TokenizerCommand.class,
            DataCommand.class,
            ScoreCommand.class,
            ReportCommand.class,
            RewardCommand.class,
            EvalCommand.class,
            ModelCommand.class,
            GenerateCommand.class,
            ServeCommand.class,
            BenchCommand.class,
            WsiCommand.class,
            TrainCommand.class,
            ClipCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PathoReasonCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PathoReasonCli());
        cli.setExecutionExceptionHandler(new CliErrors());
        return cli;
    }

    public static void main(String[] args) {
        Progress.setListener(new ConsoleProgress());
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // the launcher's heap is sized for the models' host data, which lives mostly in PyTorch's memory
            System.err.println("error: the Java heap is too small for this job (" + e.getMessage() + ", limit "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MB); rerun with a larger one, e.g. "
                    + "PATHOREASON_JAVA_OPTS=\"-Xmx4g -XX:MaxDirectMemorySize=512m\"");
            code = CliErrors.USER_ERROR;
        }
        System.exit(code);
    }
}
