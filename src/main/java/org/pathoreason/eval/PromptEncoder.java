package org.pathoreason.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.Prompt;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelInput;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;

/**
 * Turns samples into generation prompts the way training renders them: {@link PromptBuilder} messages (the
 * style's system turn, the images, the question and {@code "A. option"} lines), the chat template with each image's
 * pad run sized from the image processor's grid ({@code t*h*w/merge^2} tokens), the generation prompt
 * {@code <|im_start|>assistant\n}, and the image patches in the order their runs appear.
 */
public final class PromptEncoder {

    private final Tokenizer tokenizer;
    private final QwenImageProcessor processor;
    private final ChatTemplate template;
    private final PromptBuilder builder;
    private final Path imageBase;
    private final long imagePadId;

    /**
     * @param imageBase folder that relative sample image paths are resolved against (the data file's image base);
     *     null resolves them against the working directory
     */
    public PromptEncoder(Tokenizer tokenizer, QwenImageProcessor processor, ChatTemplate template, PromptStyle style,
            Path imageBase) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.processor = Objects.requireNonNull(processor, "processor");
        this.template = Objects.requireNonNull(template, "template");
        this.builder = new PromptBuilder(Objects.requireNonNull(style, "style"));
        this.imageBase = imageBase;
        this.imagePadId = tokenizer.imagePadId();
    }

    /** The image files of a sample, resolved. */
    public List<Path> imageFiles(Sample sample) {
        List<Path> out = new ArrayList<>(sample.images().size());
        for (String image : sample.images()) {
            Path p = Path.of(image);
            out.add(p.isAbsolute() || imageBase == null ? p : imageBase.resolve(p));
        }
        return out;
    }

    /**
     * Fails before any generation when an image file is missing, so that a long run does not stop half-way.
     *
     * @throws DataException naming the first sample whose image file does not exist
     */
    public void checkImagesExist(List<Sample> samples) {
        for (Sample s : samples) {
            for (Path f : imageFiles(s)) {
                if (!Files.isRegularFile(f)) {
                    throw new DataException("sample '" + s.id() + "': image file " + f + " does not exist"
                            + (imageBase == null ? "" : " (image paths are relative to " + imageBase + ")"));
                }
            }
        }
    }

    /** The prompt text with expanded image pad runs, and the processed images. */
    public record Rendered(String text, List<ProcessedImage> images) {
    }

    /**
     * Renders a sample's prompt and processes its images.
     *
     * @throws DataException when an image cannot be read or the sample cannot be put as a question
     */
    public Rendered render(Sample sample) {
        List<ProcessedImage> images = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Path f : imageFiles(sample)) {
            ProcessedImage img;
            try {
                img = processor.process(f);
            } catch (IOException | IllegalArgumentException e) {
                throw new DataException("sample '" + sample.id() + "': cannot use image " + f + ": " + e.getMessage(),
                        e);
            }
            images.add(img);
            counts.add(img.numMergedTokens());
        }
        try {
            return new Rendered(template.render(builder.messages(sample), counts, true), images);
        } catch (IllegalArgumentException e) {
            throw new DataException("sample '" + sample.id() + "': " + e.getMessage(), e);
        }
    }

    /** Encodes one sample. */
    public Prompt encode(Sample sample) {
        return encode(List.of(sample)).get(0);
    }

    /**
     * Encodes samples (texts tokenised in one native batch).
     *
     * @throws DataException when an image cannot be read, or the text itself holds image pad tokens
     */
    public List<Prompt> encode(List<Sample> samples) {
        List<Rendered> rendered = new ArrayList<>(samples.size());
        List<String> texts = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            Rendered r = render(s);
            rendered.add(r);
            texts.add(r.text());
        }
        long[][] ids = tokenizer.encodeBatch(texts);
        List<Prompt> out = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            Rendered r = rendered.get(i);
            int expected = 0;
            List<float[]> patches = new ArrayList<>();
            List<int[]> grids = new ArrayList<>();
            for (ProcessedImage img : r.images()) {
                expected += img.numMergedTokens();
                patches.add(img.patches());
                grids.add(new int[] {img.gridT(), img.gridH(), img.gridW()});
            }
            int pads = 0;
            for (long id : ids[i]) {
                if (id == imagePadId) {
                    pads++;
                }
            }
            if (pads != expected) {
                // The model would scatter vision features into the wrong places: refuse rather than guess.
                throw new DataException("sample '" + samples.get(i).id() + "': the prompt holds " + pads + " "
                        + SpecialTokens.IMAGE_PAD + " tokens but its images need " + expected
                        + " (does the question text contain " + SpecialTokens.IMAGE_PAD + "?)");
            }
            out.add(new Prompt(ids[i], ModelInput.concatPatches(patches), grids));
        }
        return out;
    }
}
