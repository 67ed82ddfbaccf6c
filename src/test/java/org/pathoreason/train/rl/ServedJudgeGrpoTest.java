package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.reward.judge.OpenAiJudge;
import org.pathoreason.reward.judge.ProcessReward;
import org.pathoreason.serve.ApiServer;
import org.pathoreason.serve.ServeOptions;
import org.pathoreason.serve.TaughtCheckpoint;
import org.pathoreason.train.MetricsLog;

/** GRPO steps whose process reward comes from the project's judge client talking to a served checkpoint. */
@ExtendWith(OneThread.class)
class ServedJudgeGrpoTest {

    @TempDir
    Path tmp;

    @Test
    void theJudgeClientGetsVerdictsFromTheServer() throws Exception {
        Path judgeCheckpoint = TaughtCheckpoint.shared();
        Path run = tmp.resolve("run");
        try (ApiServer server = ApiServer.start(judgeCheckpoint, ServeOptions.builder().port(0).apiKey("judge-key")
                .modelName("judge").build());
             OpenAiJudge judge = OpenAiJudge.builder().setBaseUrl("http://127.0.0.1:" + server.port() + "/v1")
                     .setModel("judge").optApiKeyEnv("JUDGE_KEY").optEnvironment(k -> "judge-key")
                     .optMaxAttempts(1).optMaxConcurrency(4).build();
             NDManager root = Engines.newManager();
             Qwen2VLModel policy = RlFixtures.model(root, 1)) {
            GrpoTrainer.Result r = RlFixtures.trainer(RlFixtures.config("grpo", 2, 2, 0.0), policy,
                    new ProcessReward(judge), RlFixtures.samples(4), run, root).build().train();
            OpenAiJudge.Stats stats = judge.stats();
            assertThat(stats.judged()).isEqualTo(stats.httpRequests()).isPositive();
            assertThat(stats.fallbacks()).isZero();
            assertThat(r.lastMetrics()).isNotEmpty();
        }
        List<Map<String, Object>> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        for (Map<String, Object> l : lines) {
            // the served checkpoint's verdict, read by the judge client: integrity 0.75, knowledge 1.0
            assertThat(((Number) l.get("reward/integrity")).doubleValue()).isEqualTo(0.75);
            assertThat(((Number) l.get("reward/knowledge")).doubleValue()).isEqualTo(1.0);
            assertThat(((Number) l.get("reward/judge_fallback")).doubleValue()).isZero();
        }
    }
}
