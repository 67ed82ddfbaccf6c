package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.GraphPath;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Mention;
import org.pathoreason.knowledge.PathFinder;
import org.pathoreason.knowledge.Relation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pathoreason kg ...}: look into a knowledge graph file (JSON, TSV, PrimeKG kg.csv, OWL). */
@Command(name = "kg", description = "Inspect a knowledge graph: paths between entities, statistics, entity "
        + "mentions in text, conversion to JSON.",
        mixinStandardHelpOptions = true,
        subcommands = {KgCommand.Paths.class, KgCommand.Stats.class, KgCommand.Match.class, KgCommand.Convert.class})
public final class KgCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Shared {@code --graph} option. */
    static class GraphOption {
        @Option(names = {"-g", "--graph"}, required = true, paramLabel = "FILE",
                description = "Graph file: .json, .tsv, PrimeKG kg.csv or .owl (optionally .gz).")
        Path file;

        KnowledgeGraph load() {
            return KnowledgeGraph.load(file);
        }
    }

    @Command(name = "paths", mixinStandardHelpOptions = true,
            description = "Print the paths between entities (given by name, synonym or id), shortest first.")
    static final class Paths implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        GraphOption graph;

        @Option(names = "--from", required = true, paramLabel = "ENTITY", description = "Start entity (repeatable).")
        List<String> from;

        @Option(names = "--to", required = true, paramLabel = "ENTITY", description = "End entity (repeatable).")
        List<String> to;

        @Option(names = "--max-paths", defaultValue = "5", description = "Most paths per pair (default ${DEFAULT-VALUE}).")
        int maxPaths;

        @Option(names = "--max-len", defaultValue = "3", description = "Longest path in steps (default ${DEFAULT-VALUE}).")
        int maxLength;

        @Option(names = "--direction", defaultValue = "both",
                description = "forward: head to tail only; both: relations may be walked backwards too "
                        + "(default ${DEFAULT-VALUE}).")
        String direction;

        @Option(names = "--relation", paramLabel = "TYPE", description = "Walk only these relation types (repeatable).")
        List<String> relationTypes = new ArrayList<>();

        @Option(names = "--all", description = "Every simple path up to --max-len, not only the shortest.")
        boolean all;

        @Override
        public void run() {
            KnowledgeGraph g = graph.load();
            PathFinder.Direction dir = switch (direction.toLowerCase(Locale.ROOT)) {
                case "forward" -> PathFinder.Direction.FORWARD;
                case "both" -> PathFinder.Direction.BOTH;
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--direction must be forward or both, not '" + direction + "'");
            };
            PathFinder.Options options;
            try {
                options = new PathFinder.Options(maxLength, maxPaths, dir, Set.copyOf(relationTypes), !all);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            List<Entity> sources = resolve(spec, g, from);
            List<Entity> targets = resolve(spec, g, to);
            PathFinder finder = new PathFinder(g);
            PrintWriter out = spec.commandLine().getOut();
            for (Entity s : sources) {
                for (Entity t : targets) {
                    List<GraphPath> paths = finder.paths(s.id(), t.id(), options);
                    if (paths.isEmpty()) {
                        out.printf("%s -> %s: no path within %d step%s%n", s.name(), t.name(), maxLength,
                                maxLength == 1 ? "" : "s");
                        continue;
                    }
                    out.printf("%s -> %s: %d path%s%n", s.name(), t.name(), paths.size(), paths.size() == 1 ? "" : "s");
                    for (GraphPath p : paths) {
                        out.println("  " + p);
                    }
                }
            }
            out.flush();
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Print counts of entities per type and relations per type.")
    static final class Stats implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        GraphOption graph;

        @Override
        public void run() {
            KnowledgeGraph g = graph.load();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("graph       %s (%s)%n", g.name(), graph.file);
            out.printf("entities    %d%n", g.entityCount());
            for (String type : g.types()) {
                out.printf("  %-24s %d%n", type, g.entitiesOfType(type).size());
            }
            out.printf("relations   %d%n", g.relationCount());
            Map<String, Integer> relTypes = new TreeMap<>();
            for (Relation r : g.relations()) {
                relTypes.merge(r.type(), 1, Integer::sum);
            }
            relTypes.forEach((type, n) -> out.printf("  %-24s %d%n", type, n));
            long isolated = g.entities().stream()
                    .filter(e -> g.outgoing(e.id()).isEmpty() && g.incoming(e.id()).isEmpty()).count();
            out.printf("isolated    %d%n", isolated);
            out.flush();
        }
    }

    @Command(name = "match", mixinStandardHelpOptions = true,
            description = "Print the entity mentions the matcher finds in a text.")
    static final class Match implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        GraphOption graph;

        @Option(names = "--type", paramLabel = "TYPE", description = "Match only entities of these types (repeatable).")
        List<String> types = new ArrayList<>();

        @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Text to search (several words are joined).")
        List<String> words;

        @Override
        public void run() {
            KnowledgeGraph g = graph.load();
            EntityMatcher matcher = EntityMatcher.forGraph(g, e -> types.isEmpty() || types.contains(e.type()));
            PrintWriter out = spec.commandLine().getOut();
            for (Mention m : matcher.find(String.join(" ", words))) {
                out.printf("%d-%d\t%s\t%s\t%s%n", m.start(), m.end(), m.text(), m.entityId(), g.nameOf(m.entityId()));
            }
            out.flush();
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Write a graph (any readable format) in the JSON format.")
    static final class Convert implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        GraphOption graph;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "JSON file to write.")
        Path out;

        @Override
        public void run() {
            KnowledgeGraph g = graph.load();
            g.writeJson(out);
            spec.commandLine().getOut().printf("wrote %s: %d entities, %d relations%n", out, g.entityCount(),
                    g.relationCount());
            spec.commandLine().getOut().flush();
        }
    }

    /** Looks up each argument as an id, then a name or synonym; unknown ones are usage errors with suggestions. */
    static List<Entity> resolve(CommandLine.Model.CommandSpec spec, KnowledgeGraph g, List<String> names) {
        Map<String, Entity> found = new LinkedHashMap<>();
        for (String n : names) {
            Entity e = g.resolve(n).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                    "no entity named '" + n + "' in " + g.name() + suggestions(g, n)));
            found.putIfAbsent(e.id(), e);
        }
        return List.copyOf(found.values());
    }

    private static String suggestions(KnowledgeGraph g, String query) {
        String q = query.toLowerCase(Locale.ROOT).strip();
        List<String> close = new ArrayList<>();
        for (Entity e : g.entities()) {
            for (String name : e.names()) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!q.isEmpty() && (lower.contains(q) || q.contains(lower))) {
                    close.add(e.name());
                    break;
                }
            }
            if (close.size() == 5) {
                break;
            }
        }
        return close.isEmpty() ? "" : " (did you mean: " + String.join(", ", close) + "?)";
    }
}
