package org.pathoreason.train.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.Prompt;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelInput;
import org.pathoreason.text.ChatMessage;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptBuilder;
import org.pathoreason.text.Tokenizer;

/**
 * The RL prompt of a sample, built as every other stage builds it: {@link PromptBuilder} (system prompt, images,
 * question, options, instruction) rendered by the Qwen2.5-VL {@link ChatTemplate} with the generation prompt, each
 * image's pad run expanded to its merged token count, tokenised; images go through {@link QwenImageProcessor}.
 * So the policy sees during RL exactly the prompt it saw in SFT and sees in evaluation.
 */
public final class ChatPromptEncoder implements PromptEncoder {

    private final Tokenizer tokenizer;
    private final PromptBuilder prompts;
    private final ChatTemplate template;
    private final QwenImageProcessor images;
    private final Path imageRoot;

    /**
     * @param imageRoot relative image paths of samples are resolved against it (the data file's folder)
     */
    public ChatPromptEncoder(Tokenizer tokenizer, PromptBuilder prompts, ChatTemplate template,
                             QwenImageProcessor images, Path imageRoot) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.prompts = Objects.requireNonNull(prompts, "prompts");
        this.template = Objects.requireNonNull(template, "template");
        this.images = Objects.requireNonNull(images, "images");
        this.imageRoot = Objects.requireNonNull(imageRoot, "imageRoot");
    }

    @Override
    public Prompt encode(Sample sample) {
        List<ChatMessage> messages = prompts.messages(sample);
        List<Integer> counts = new ArrayList<>();
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (String image : sample.images()) {
            Path file = imageRoot.resolve(image);
            ProcessedImage p;
            try {
                p = images.process(file);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("sample " + sample.id() + ": cannot read image " + file + ": "
                        + e.getMessage(), e);
            }
            counts.add(p.numMergedTokens());
            patches.add(p.patches());
            grids.add(new int[] {p.gridT(), p.gridH(), p.gridW()});
        }
        String text = template.render(messages, counts, true);
        return new Prompt(tokenizer.encode(text), ModelInput.concatPatches(patches), grids);
    }
}
