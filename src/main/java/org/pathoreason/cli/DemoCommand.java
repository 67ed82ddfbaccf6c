package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pathoreason.pipeline.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pathoreason demo}: the whole pipeline on the synthetic world, stage by stage, with a report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Build the synthetic pathology world, train a tokenizer and a tiny Qwen2.5-VL through every "
                + "stage (continued pretraining on captions, SFT on chains of thought, GRPO with format + accuracy "
                + "rewards, GRPO adding the process (KG rubric judge) and entity rewards), evaluate each stage on "
                + "the held-out test split and write results.json and report.html.",
            "Run again with the same --out to resume: finished stages are skipped. One PyTorch thread unless "
                + "--threads is given (measured fastest for the tiny model)."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    PipelineRunOptions run;

    @Override
    public Integer call() {
        run.run(out, Demo.TITLE, Demo::pipeline, null);
        return 0;
    }
}
