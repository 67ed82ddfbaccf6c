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
        System.exit(commandLine().execute(args));
    }
}
