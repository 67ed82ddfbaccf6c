package org.pathoreason.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.pathoreason.image.ImageCache;
import org.pathoreason.image.ImageReadException;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.Prompt;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;

/**
 * The one way a {@link Sample} becomes model input, used by SFT, GRPO/DAPO, evaluation, generation and serving:
 * {@link PromptBuilder} messages (the style's system turn, the images, the question and {@code "A. option"} lines)
 * rendered by the checkpoint's chat template with each image's pad run sized from the image processor's grid
 * ({@code t*h*w/merge^2} tokens), the generation prompt {@code <|im_start|>assistant\n}, tokenised, with the image
 * patches in the order their runs appear. The number of image pad tokens in the ids is checked against the images,
 * since the model would otherwise scatter vision features into the wrong places.
 *
 * <p>Training shows a sample through a {@code shown} function first (guidance removed from the question, a caption
 * prompt for pretraining); evaluation and generation show it as it is.
 */
public final class PromptEncoder {

    private final Tokenizer tokenizer;
    private final ImageCache images;
    private final ChatTemplate template;
    private final PromptBuilder builder;
    private final Path imageBase;
    private final UnaryOperator<Sample> shown;
    private final long imagePadId;

    /**
     * @param images preprocessed images by file (the image processor with a byte budget)
     * @param imageBase folder that relative sample image paths are resolved against (the data file's folder); null
     *     resolves them against the working directory
     * @param shown what the model is shown of a sample (identity for evaluation and generation)
     */
    public PromptEncoder(Tokenizer tokenizer, ImageCache images, ChatTemplate template, PromptStyle style,
            Path imageBase, UnaryOperator<Sample> shown) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.images = Objects.requireNonNull(images, "images");
        this.template = Objects.requireNonNull(template, "template");
        this.builder = new PromptBuilder(Objects.requireNonNull(style, "style"));
        this.imageBase = imageBase;
        this.shown = Objects.requireNonNull(shown, "shown");
        this.imagePadId = tokenizer.imagePadId();
    }

    /** Samples shown as they are, images cached up to 256 MB. */
    public PromptEncoder(Tokenizer tokenizer, ImageCache images, ChatTemplate template, PromptStyle style,
            Path imageBase) {
        this(tokenizer, images, template, style, imageBase, UnaryOperator.identity());
    }

    /** The encoder of a checkpoint: its tokenizer, image processor and chat template. */
    public static PromptEncoder of(CheckpointBundle checkpoint, PromptStyle style, Path imageBase) {
        return new PromptEncoder(checkpoint.tokenizer(), new ImageCache(checkpoint.processor(), 256L << 20),
                checkpoint.chatTemplate(), style, imageBase);
    }

    /** The same encoder showing samples through {@code shown}. */
    public PromptEncoder showing(UnaryOperator<Sample> shownFunction) {
        return new PromptEncoder(tokenizer, images, template, builder.style(), imageBase, shownFunction);
    }

    public ChatTemplate template() {
        return template;
    }

    public PromptStyle style() {
        return builder.style();
    }

    public ImageCache images() {
        return images;
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

    /**
     * The prompt text of a sample as shown, with each image's pad run expanded to its token count and the
     * generation prompt appended.
     *
     * @throws DataException when the sample cannot be put as a question (too many options, ...)
     */
    public String promptText(Sample sample, List<Integer> imageTokenCounts) {
        Sample s = shown.apply(sample);
        try {
            return template.render(builder.messages(s), imageTokenCounts, true);
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
        List<String> texts = new ArrayList<>(samples.size());
        List<List<ProcessedImage>> processed = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            List<ProcessedImage> imgs = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            for (Path f : imageFiles(s)) {
                ProcessedImage img;
                try {
                    img = images.get(f);
                } catch (ImageReadException | IllegalArgumentException e) {
                    throw new DataException("sample '" + s.id() + "': cannot use image " + f + ": " + e.getMessage(),
                            e);
                }
                imgs.add(img);
                counts.add(img.numMergedTokens());
            }
            processed.add(imgs);
            texts.add(promptText(s, counts));
        }
        long[][] ids = tokenizer.encodeBatch(texts);
        List<Prompt> out = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            int expected = 0;
            List<float[]> patches = new ArrayList<>();
            List<int[]> grids = new ArrayList<>();
            for (ProcessedImage img : processed.get(i)) {
                expected += img.numMergedTokens();
                patches.add(img.patches());
                grids.add(new int[] {img.gridT(), img.gridH(), img.gridW()});
            }
            checkImagePads(samples.get(i).id(), ids[i], imagePadId, expected);
            out.add(new Prompt(ids[i], ModelInput.concatPatches(patches), grids));
        }
        return out;
    }

    /**
     * The ids must hold exactly as many image pad tokens as the images need.
     *
     * @throws DataException naming the sample and both counts
     */
    public static void checkImagePads(String sampleId, long[] ids, long imagePadId, int expected) {
        int pads = 0;
        for (long id : ids) {
            if (id == imagePadId) {
                pads++;
            }
        }
        if (pads != expected) {
            throw new DataException("sample '" + sampleId + "': the prompt holds " + pads + " "
                    + SpecialTokens.IMAGE_PAD + " tokens but its images need " + expected
                    + " (does the question text contain " + SpecialTokens.IMAGE_PAD + "?)");
        }
    }
}
