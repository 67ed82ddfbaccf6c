package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.ImagePaths;
import org.pathoreason.data.reason.LlmTeacher;
import org.pathoreason.data.reason.ReasonOptions;
import org.pathoreason.data.reason.ReasoningDataBuilder;
import org.pathoreason.data.reason.ReasoningTeacher;
import org.pathoreason.data.reason.TemplateTeacher;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.judge.JudgeScore;
import org.pathoreason.reward.judge.OpenAiJudge;
import org.pathoreason.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason data reason}: knowledge-graph-guided reasoning data for SFT. */
@Command(name = "reason", mixinStandardHelpOptions = true,
        description = {"Turn a labelled set (image, question, gold answer; optional findings or caption) into SFT "
                + "data with <observe>, <think> and <answer>: entities found in the texts, shortest graph paths from "
                + "the findings to the answer (and to the wrong options), a chain written from them (templates, or an "
                + "LLM teacher with --teacher-url), verified against the gold answer and the graph.",
            "Writes OUT.jsonl (canonical samples; the paths in meta.guidance for trajectory-masked SFT) and "
                + "OUT.report.json (counts and every rejection with its reason). A stopped run resumes."})
final class DataReasonCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled dataset (any format "
            + "'data convert' reads).")
    Path data;

    @Mixin
    DatasetOptions dataset;

    @Option(names = {"-g", "--graph"}, required = true, paramLabel = "FILE", description = "Knowledge graph: .json, "
            + ".tsv, PrimeKG kg.csv or .owl (optionally .gz).")
    Path graph;

    @Option(names = "--out", required = true, paramLabel = "OUT.jsonl", description = "SFT data to write.")
    Path out;

    @Option(names = "--max-path-len", defaultValue = "3", description = "Longest path in steps (default "
            + "${DEFAULT-VALUE}).")
    int maxPathLength;

    @Option(names = "--max-paths", defaultValue = "4", description = "Most paths a chain is written from (default "
            + "${DEFAULT-VALUE}).")
    int maxPaths;

    @Option(names = "--no-differential", description = "Do not reason about (or require the graph to rule out) the "
            + "wrong options.")
    boolean noDifferential;

    @Option(names = "--min-entity-score", defaultValue = "0.5", description = "Least entity score of a kept chain "
            + "(default ${DEFAULT-VALUE}).")
    double minEntityScore;

    @Option(names = "--teacher-url", paramLabel = "URL", description = "OpenAI-compatible base URL of an LLM that "
            + "writes the chains (default: offline templates).")
    String teacherUrl;

    @Option(names = "--teacher-model", paramLabel = "NAME", description = "Model name for --teacher-url.")
    String teacherModel;

    @Option(names = "--teacher-key-env", paramLabel = "VAR", description = "Environment variable holding the "
            + "teacher's API key.")
    String teacherKeyEnv;

    @Option(names = "--teacher-timeout", paramLabel = "S", defaultValue = "120", description = "Seconds per teacher "
            + "request (default ${DEFAULT-VALUE}).")
    int teacherTimeout;

    @Option(names = "--teacher-temperature", defaultValue = "0.3", description = "Teacher sampling temperature "
            + "(default ${DEFAULT-VALUE}).")
    double teacherTemperature;

    @Option(names = "--teacher-concurrency", defaultValue = "4", description = "Requests in flight to the teacher "
            + "(default ${DEFAULT-VALUE}).")
    int teacherConcurrency;

    @Option(names = "--judge-url", paramLabel = "URL", description = "OpenAI-compatible base URL of a process judge "
            + "that must pass each chain (optional).")
    String judgeUrl;

    @Option(names = "--judge-model", paramLabel = "NAME", description = "Model name for --judge-url.")
    String judgeModel;

    @Option(names = "--judge-key-env", paramLabel = "VAR", description = "Environment variable holding the judge's "
            + "API key.")
    String judgeKeyEnv;

    @Option(names = "--judge-min", defaultValue = "0.5", description = "Least integrity and knowledge score the judge "
            + "must give (default ${DEFAULT-VALUE}).")
    double judgeMin;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        ReasonOptions options = ReasonOptions.defaults().withMaxPathLength(maxPathLength).withMaxPaths(maxPaths)
                .withDifferential(!noDifferential).withMinEntityScore(minEntityScore);
        KnowledgeGraph kg = KnowledgeGraph.load(graph);
        DatasetFormat format = dataset.format(data);
        Path outDir = out.toAbsolutePath().getParent();
        List<Sample> samples = ImagePaths.rebase(format.read(data, dataset.readOptions()), format.imageBase(data),
                outDir);
        ChatClient teacherClient = null;
        OpenAiJudge judge = null;
        try {
            ReasoningTeacher teacher = new TemplateTeacher();
            int threads = 1;
            if (teacherUrl != null || teacherModel != null) {
                require(teacherUrl, teacherModel, "the teacher needs both --teacher-url and --teacher-model");
                teacherClient = ChatClient.builder().setBaseUrl(teacherUrl).setModel(teacherModel)
                        .optApiKeyEnv(teacherKeyEnv).optTimeout(Duration.ofSeconds(teacherTimeout))
                        .optMaxConcurrency(teacherConcurrency).build();
                teacher = new LlmTeacher(teacherClient, outDir, teacherTemperature);
                threads = teacherConcurrency;
            }
            ReasoningDataBuilder builder = new ReasoningDataBuilder(kg, options, teacher).threads(threads);
            if (judgeUrl != null || judgeModel != null) {
                require(judgeUrl, judgeModel, "the judge needs both --judge-url and --judge-model");
                OpenAiJudge j = OpenAiJudge.builder().setBaseUrl(judgeUrl).setModel(judgeModel)
                        .optApiKeyEnv(judgeKeyEnv).optImageRoot(outDir).build();
                judge = j;
                builder.judge((sample, completion) -> {
                    JudgeScore v = j.judge(RewardInput.of(sample, completion));
                    if (v.source() == JudgeScore.Source.FALLBACK) {
                        return "the judge gave no verdict: " + v.note();
                    }
                    return v.integrity() >= judgeMin && v.knowledge() >= judgeMin ? null : String.format(Locale.ROOT,
                            "judge integrity %.2f, knowledge %.2f (need %.2f)", v.integrity(), v.knowledge(), judgeMin);
                });
            }
            ReasoningDataBuilder.Result r;
            try (Progress.Task bar = noProgress ? null : Progress.bar("reason", samples.size(), "samples")) {
                if (bar != null) {
                    builder.listener((done, total) -> bar.stepTo(done));
                }
                r = builder.run(samples, out);
            }
            print(r.report());
            return 0;
        } finally {
            if (teacherClient != null) {
                teacherClient.close();
            }
            if (judge != null) {
                judge.close();
            }
        }
    }

    private static void require(String url, String model, String message) {
        if (url == null || model == null) {
            throw new IllegalArgumentException(message);
        }
    }

    private void print(ReasoningDataBuilder.Report r) {
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "graph %s, teacher %s%n", r.graph(), r.teacher());
        w.printf(Locale.ROOT, "samples in         %6d%n", r.samples());
        w.printf(Locale.ROOT, "  with findings    %6d%n", r.withFindings());
        w.printf(Locale.ROOT, "  answer in graph  %6d%n", r.withAnswerEntity());
        w.printf(Locale.ROOT, "  with paths       %6d%n", r.withPaths());
        w.printf(Locale.ROOT, "chains kept        %6d  (%.1f paths each, entity score %.3f)%n", r.kept(), r.meanPaths(),
                r.meanEntityScore());
        for (Map.Entry<String, Integer> e : r.rejected().entrySet()) {
            w.printf(Locale.ROOT, "rejected %-22s %3d%n", e.getKey(), e.getValue());
        }
        w.printf(Locale.ROOT, "entity coverage: %d of %d gold entities in the graph; %d entities on kept paths; "
                + "mentions in question %d, answer %d, findings %d, caption %d samples%n", r.goldEntitiesInGraph(),
                r.goldEntities(), r.entitiesUsed(), r.mentions().get("question"), r.mentions().get("answer"),
                r.mentions().get("findings"), r.mentions().get("caption"));
        w.println("wrote " + out + " and " + ReasoningDataBuilder.reportFile(out));
        w.flush();
    }
}
