package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.sft.SftFixtures;
import picocli.CommandLine;

class RlTrainCommandTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeAll
    static void setUp() {
        Engines.start();
        model = SftFixtures.modelDir(dir.resolve("model"), 5);
        data = SftFixtures.dataset(dir.resolve("data"), "train.jsonl", 4);
        JniUtils.setNumThreads(1);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new CommandSet());
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** Stands in for {@code train}, where the lead registers the two subcommands. */
    @CommandLine.Command(name = "train", subcommands = {RlTrainCommand.Grpo.class, RlTrainCommand.Dapo.class})
    static final class CommandSet implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void grpoTrainsWithAReferenceAndResumes() throws Exception {
        Path runDir = dir.resolve("runs/grpo");
        String[] common = {"grpo", "--data", data.toString(), "--model", model.toString(), "--out",
            runDir.toString(), "--no-progress", "--set", "train.batch_size=2", "--set",
            "rl.max_completion_length=6", "--set", "rl.kl_coef=0.02", "--set", "train.lr=1e-3"};
        int rc = run(concat(common, "--set", "train.max_steps=2"));
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("grpo done: step 2 of 2").contains("model: " + runDir.resolve("final"));
        JsonNode info = RunInfo.read(runDir);
        assertThat(info.get("stage").asText()).isEqualTo("grpo");
        assertThat(info.at("/config/rl/kl_coef").asDouble()).isEqualTo(0.02);
        assertThat(info.at("/config/rl/clip_high").asDouble()).isEqualTo(0.2);
        assertThat(info.at("/config/reward/weights/format").asDouble()).isEqualTo(1.0);
        assertThat(info.at("/provenance/data_fingerprint").asText()).startsWith("sha256:");
        List<Map<String, Object>> lines = MetricsLog.read(runDir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).containsKeys("reward/format", "reward/accuracy", "format_rate", "accuracy", "kl",
                "entropy", "time/rollout_s");
        assertThat(((Number) lines.get(0).get("kl")).doubleValue()).isZero(); // the reference is the start
        try (CheckpointDir ckpt = CheckpointDir.open(runDir.resolve("final"))) {
            assertThat(ckpt.tokenizerJson()).isPresent();
            assertThat(ckpt.provenance().orElseThrow().stage()).isEqualTo("grpo");
            assertThat(ckpt.provenance().orElseThrow().parentCheckpoint()).isEqualTo(model.toAbsolutePath().toString());
        }
        assertThat(runDir.resolve("checkpoints/step-2/tokenizer.json")).exists();

        // the same command with more steps continues from step 2
        out.getBuffer().setLength(0);
        rc = run(concat(common, "--set", "train.max_steps=3"));
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("grpo done: step 3 of 3 (resumed from step 2)");
        assertThat(MetricsLog.read(runDir.resolve("metrics.jsonl"))).hasSize(3);
        assertThat(RunInfo.read(runDir).get("resumes")).hasSize(1);
    }

    @Test
    void dapoHasDapoDefaultsAndEverySwitchCanBeSetAlone() {
        Path runDir = dir.resolve("runs/dapo");
        int rc = run("dapo", "--data", data.toString(), "--model", model.toString(), "--out", runDir.toString(),
                "--no-progress", "--set", "train.batch_size=2", "--set", "train.max_steps=1",
                "--set", "rl.max_completion_length=6", "--set", "rl.max_generation_rounds=2", "--set",
                "rl.dynamic_sampling_metric=reward", "--set", "rl.clip_high=0.3");
        assertThat(rc).as(err.toString()).isZero();
        JsonNode info = RunInfo.read(runDir);
        assertThat(info.get("stage").asText()).isEqualTo("dapo");
        assertThat(info.at("/config/rl/clip_high").asDouble()).isEqualTo(0.3);
        assertThat(info.at("/config/rl/loss_agg").asText()).isEqualTo("token-mean");
        assertThat(info.at("/config/rl/dynamic_sampling").asBoolean()).isTrue();
        assertThat(info.at("/config/rl/kl_coef").asDouble()).isZero();
        assertThat(info.at("/config/reward/weights/length").asDouble()).isEqualTo(1.0);
        Map<String, Object> m = MetricsLog.read(runDir.resolve("metrics.jsonl")).get(0);
        assertThat(m).containsKeys("reward/length", "reward/length/overlong", "groups_with_variance_share")
                .doesNotContainKey("kl");
        assertThat(((Number) m.get("generation_rounds")).intValue()).isBetween(1, 2);
    }

    @Test
    void badSettingsFailWithOneClearLineBeforeAnythingRuns() {
        int rc = run("grpo", "--data", data.toString(), "--model", model.toString(), "--out",
                dir.resolve("runs/bad").toString(), "--set", "rl.clip_hgh=0.3");
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("error: ").contains("unknown key 'rl.clip_hgh'");
        err.getBuffer().setLength(0);
        rc = run("grpo", "--data", data.toString(), "--model", model.toString(), "--out",
                dir.resolve("runs/bad").toString(), "--set", "reward.weights.entity=0.5");
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("knowledge_graph");
        err.getBuffer().setLength(0);
        rc = run("dapo", "--data", data.toString(), "--model", model.toString(), "--out",
                dir.resolve("runs/bad").toString(), "--set", "rl.old_logp=generation", "--set", "rl.temperature=0.7");
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("old_logp");
        assertThat(Files.exists(dir.resolve("runs/bad/run.json"))).isFalse();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
