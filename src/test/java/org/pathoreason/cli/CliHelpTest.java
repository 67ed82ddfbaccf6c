package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command the root CLI registers, at every depth, answers {@code --help} with its usage and exit code 0. */
class CliHelpTest {

    @Test
    void everyRegisteredCommandAnswersHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(PathoReasonCli.commandLine(), new ArrayList<>(), commands);
        // the root, its commands and their subcommands (bench generate, train sft, kg paths, synth probe, ...)
        assertThat(commands).hasSizeGreaterThan(25).contains(List.of(), List.of("reward"), List.of("synth"),
                List.of("synth", "probe"), List.of("train", "grpo"));

        List<String> failures = new ArrayList<>();
        for (List<String> command : commands) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = PathoReasonCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            int code = cli.execute(args.toArray(String[]::new));
            String usage = ("Usage: pathoreason " + String.join(" ", command)).strip();
            if (code != 0 || !out.toString().contains(usage)) {
                failures.add(String.join(" ", args) + " -> exit " + code + ": " + err.toString().strip());
            }
        }
        assertThat(failures).as("commands whose --help fails").isEmpty();
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
        into.add(List.copyOf(path));
        for (CommandLine sub : command.getSubcommands().values()) {
            List<String> next = new ArrayList<>(path);
            next.add(sub.getCommandName());
            if (into.contains(next)) {
                continue; // an alias of one already walked
            }
            collect(sub, next, into);
        }
    }
}
