package org.pathoreason.cli;

import org.pathoreason.generate.VisualReasoner;
import org.pathoreason.generate.Question;
import org.pathoreason.generate.Answer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.pathoreason.model.Prompt;
import org.pathoreason.text.PromptStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason generate}: ask a checkpoint about one image and print its reasoning and answer. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Answer a question about an image with a checkpoint; prints the reasoning and the answer.")
public final class GenerateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    EngineMixin engine;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "LoRA adapter folder (PEFT layout) merged into the checkpoint's weights.")
    Path adapter;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "PNG, JPEG or TIFF image.")
    Path image;

    @Option(names = "--question", required = true, paramLabel = "TEXT")
    String question;

    @Option(names = "--options", split = ",", paramLabel = "A,B,C,D",
            description = "Answer options of a multiple-choice question, comma separated.")
    List<String> options;

    @Option(names = "--style", defaultValue = "cot", paramLabel = "STYLE",
            description = "cot (chain of thought), cod (chain of draft), think-answer, observe-think-answer or "
                    + "plain (default: ${DEFAULT-VALUE}).")
    String style;

    @Option(names = "--max-new-tokens", defaultValue = "512", paramLabel = "N")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T",
            description = "0 = greedy (default: the checkpoint's generation_config.json, greedy without one).")
    Double temperature;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K")
    int topK;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--no-stream", description = "Print only the final result, not the text as it is generated.")
    boolean noStream;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        engine.start();
        VisualReasoner.Builder settings = VisualReasoner.builder(model).optStyle(PromptStyle.parse(style))
                .optMaxNewTokens(maxNewTokens).optSeed(seed);
        if (adapter != null) {
            settings.optAdapter(adapter);
        }
        if (temperature != null) {
            settings.optTemperature(temperature).optTopP(topP).optTopK(topK);
        }
        try (VisualReasoner reasoner = settings.build()) {
            Question question = Question.about(image, this.question)
                    .withOptions(options == null ? List.of() : options);
            Prompt prompt = reasoner.prompt(question);
            int[] grid = prompt.imageGrids().get(0);
            out.printf("image %s -> %d x %d patches, prompt %d tokens%n", image.getFileName(), grid[1], grid[2],
                    prompt.tokenIds().length);
            out.flush();
            long t0 = System.nanoTime();
            Answer a = noStream ? reasoner.ask(question) : reasoner.ask(question, delta -> {
                out.print(delta);
                out.flush();
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!noStream) {
                out.println();
            }
            out.println("---");
            if (a.observe() != null) {
                out.println("observation: " + a.observe());
            }
            out.println("reasoning: " + (a.think() == null ? "(no <think> span)" : a.think()));
            out.println("answer: " + (a.answer() == null ? "(no <answer> span)" : a.answer()));
            out.printf("%d tokens in %.2f s (%.1f tokens/s), finish reason: %s%n", a.completionTokens(), seconds,
                    a.completionTokens() / seconds, a.finishReason().apiName());
        }
    }
}
