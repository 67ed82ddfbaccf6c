package org.pathoreason.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.Generator;
import org.pathoreason.generate.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.ReasoningTags;
import org.pathoreason.text.Tokenizer;
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

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "0 = greedy (default).")
    double temperature;

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
        PromptStyle promptStyle = PromptStyle.parse(style);
        try (Tokenizer tokenizer = Tokenizer.load(model); NDManager root = Engines.newManager();
             Qwen2VLModel vlm = Qwen2VLModel.load(model, root)) {
            Path pre = model.resolve("preprocessor_config.json");
            PreprocessorConfig pc = Files.isRegularFile(pre) ? PreprocessorConfig.read(pre)
                    : PreprocessorConfig.defaults();
            ProcessedImage img = new QwenImageProcessor(pc).process(image);
            boolean mcq = options != null && !options.isEmpty();
            Sample sample = new Sample("cli", List.of(image.toString()), question, mcq ? options : List.of(), null,
                    null, null, null, null, mcq ? Sample.MCQ : Sample.OPEN, null, null);
            String text = ChatTemplate.QWEN2_5_VL.render(new PromptBuilder(promptStyle).messages(sample),
                    List.of(img.numMergedTokens()), true);
            long[] ids = tokenizer.encode(text);
            SamplingOptions sampling = new SamplingOptions(maxNewTokens, temperature, topK, topP, seed, List.of(),
                    Set.of(tokenizer.imEndId(), tokenizer.endOfTextId()), true);
            Prompt prompt = new Prompt(ids, img.patches(), List.of(new int[] {img.gridT(), img.gridH(), img.gridW()}));
            out.printf("image %s -> %d x %d patches, prompt %d tokens%n", image.getFileName(), img.gridH(),
                    img.gridW(), ids.length);
            out.flush();
            long t0 = System.nanoTime();
            GenerationResult r = new Generator(vlm, t -> tokenizer.decode(t, true)).generate(List.of(prompt),
                    sampling, noStream ? null : (seq, token, delta) -> {
                        out.print(delta);
                        out.flush();
                    }, root).get(0);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!noStream) {
                out.println();
            }
            ReasoningTags.Parsed parsed = ReasoningTags.parse(r.text());
            out.println("---");
            parsed.observeText().ifPresent(o -> out.println("observation: " + o));
            out.println("reasoning: " + parsed.thinkText().orElse("(no <think> span)"));
            out.println("answer: " + parsed.answerText().orElse("(no <answer> span)"));
            out.printf("%d tokens in %.2f s (%.1f tokens/s), finish reason: %s%n", r.tokenIds().length, seconds,
                    r.tokenIds().length / seconds, r.finishReason().apiName());
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
