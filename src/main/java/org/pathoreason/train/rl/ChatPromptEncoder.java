package org.pathoreason.train.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.Prompt;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.model.ModelInput;
import org.pathoreason.text.ChatMessage;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptBuilder;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.train.sft.ImageCache;

/**
 * The RL prompt of a sample, built as the other stages build it: the prompt messages (system turn, images,
 * question, options; by default {@link PromptBuilder}, and in the CLI the SFT stage's own
 * {@code ExampleBuilder.promptMessages}, so guidance is removed exactly as in SFT) rendered by the Qwen2.5-VL
 * {@link ChatTemplate} with the generation prompt, each image's pad run expanded to its merged token count, then
 * tokenised. Images are preprocessed once each through an {@link ImageCache}. The policy thus sees in RL the
 * prompt it saw in SFT and will see in evaluation.
 */
public final class ChatPromptEncoder implements PromptEncoder {

    private final Tokenizer tokenizer;
    private final Function<Sample, List<ChatMessage>> messages;
    private final ChatTemplate template;
    private final ImageCache images;
    private final Path imageRoot;

    /**
     * @param messages the prompt turns of a sample
     * @param imageRoot relative image paths of samples are resolved against it (the data file's folder)
     */
    public ChatPromptEncoder(Tokenizer tokenizer, Function<Sample, List<ChatMessage>> messages,
                             ChatTemplate template, ImageCache images, Path imageRoot) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.template = Objects.requireNonNull(template, "template");
        this.images = Objects.requireNonNull(images, "images");
        this.imageRoot = Objects.requireNonNull(imageRoot, "imageRoot");
    }

    /** With {@link PromptBuilder}'s messages. */
    public ChatPromptEncoder(Tokenizer tokenizer, PromptBuilder prompts, ChatTemplate template, ImageCache images,
                             Path imageRoot) {
        this(tokenizer, prompts::messages, template, images, imageRoot);
    }

    @Override
    public Prompt encode(Sample sample) {
        List<ChatMessage> turns = messages.apply(sample);
        List<Integer> counts = new ArrayList<>();
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (String image : sample.images()) {
            Path file = imageRoot.resolve(image);
            ProcessedImage p;
            try {
                p = images.get(file);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("sample " + sample.id() + ": cannot read image " + file + ": "
                        + e.getMessage(), e);
            }
            counts.add(p.numMergedTokens());
            patches.add(p.patches());
            grids.add(new int[] {p.gridT(), p.gridH(), p.gridW()});
        }
        String text = template.render(turns, counts, true);
        return new Prompt(tokenizer.encode(text), ModelInput.concatPatches(patches), grids);
    }
}
