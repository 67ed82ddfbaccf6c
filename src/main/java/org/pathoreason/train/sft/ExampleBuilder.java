package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import org.pathoreason.data.PromptEncoder;
import org.pathoreason.data.DataException;
import org.pathoreason.image.ImageCache;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.image.PreprocessorConfig;

import org.pathoreason.train.TrajectoryMasking;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.pathoreason.data.Sample;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.data.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.ReasoningTags;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;

/**
 * Turns a canonical {@link Sample} into a tokenised chat example with its loss mask.
 *
 * <p>The conversation is the one generation will see: the prompt style's system turn (or Qwen's default), a user
 * turn with the sample's images then the question and one {@code "A. option"} line per option (see
 * {@link PromptBuilder}), then the assistant turn:
 * <ul>
 *   <li>{@link Stage#PRETRAIN}: the user asks for a description (the sample's question when it is a caption
 *       sample with one, else {@value PromptBuilder#DEFAULT_CAPTION_QUESTION}); the assistant turn is the
 *       caption.</li>
 *   <li>{@link Stage#SFT}: the assistant turn is {@code <think>T</think><answer>A</answer>}, with
 *       {@code <observe>O</observe>} first for {@link TargetFormat#OBSERVE_THINK_ANSWER}, or {@code <answer>A</answer>}
 *       alone for {@link TargetFormat#ANSWER}, or {@code <think></think><answer>A</answer>} for
 *       {@link TargetFormat#EMPTY_THINK_ANSWER} (the sample's reasoning, if any, unused); {@code O} and {@code T} are the sample's {@code reasoning}, {@code A}
 *       the option letter (optionally with the option's text, {@link AnswerStyle}) for multiple choice, else the
 *       answer text.</li>
 * </ul>
 *
 * <h2>Loss mask</h2>
 * Loss is on the assistant turn's text and its closing {@code <|im_end|>} (the token that ends generation), and
 * nowhere else: not on the system or user turns, image pads, or the {@code <|im_start|>assistant\n} header, nor on
 * the newline the template writes after {@code <|im_end|>} (generation stops before it). Content of the tags in
 * {@link TrajectoryMasking#lossSpans} is excluded too. Guidance is removed from the question first
 * ({@link TrajectoryMasking#question}).
 *
 * <h2>Tokenisation</h2>
 * The prompt and each run of the assistant turn with the same loss flag are encoded separately and joined, so that
 * the loss boundary falls exactly between tokens. This equals encoding the whole text at once whenever the
 * boundaries sit next to added tokens (the chat-template prompt ends with a newline; PathoReason's tokenizers add
 * the reasoning tags as single tokens); with a tokenizer that lacks the tags a merge across a boundary (such as
 * {@code "><"}) is split there.
 *
 * <h2>Length</h2>
 * An example longer than {@code maxLength} tokens has its assistant turn cut at {@code maxLength} (flagged
 * {@link TrainingExample#truncated()}); one whose prompt alone (image pads included) leaves no room for a target
 * token is refused with a {@link SampleProblem.Kind#TOO_LONG} problem, since cutting the prompt would break an
 * image's pad run.
 */
public final class ExampleBuilder {

    /**
     * How examples are built.
     *
     * @param stage pretraining (captions) or SFT (reasoning and answer)
     * @param promptStyle system prompt and question instruction
     * @param target SFT target shape (ignored for pretraining)
     * @param answerStyle how a multiple-choice answer is written
     * @param masking guidance removal and target span masking
     * @param maxLength longest example in tokens
     */
    public record Settings(Stage stage, PromptStyle promptStyle, TargetFormat target, AnswerStyle answerStyle,
            TrajectoryMasking masking, int maxLength) {

        public Settings {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(promptStyle, "promptStyle");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(answerStyle, "answerStyle");
            Objects.requireNonNull(masking, "masking");
            if (maxLength < 2) {
                throw new IllegalArgumentException("max_length must be at least 2, got " + maxLength);
            }
        }
    }

    /** A built example and what was done to its prompt. */
    public record Built(TrainingExample example, int guidanceRemoved, int guidanceAdded) {
    }

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Settings settings;
    private final PromptEncoder prompts;
    private final long imagePadId;

    public ExampleBuilder(Tokenizer tokenizer, ChatTemplate template, Settings settings) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        this.settings = Objects.requireNonNull(settings, "settings");
        // the one prompt path; images are processed by the caller, so the encoder's own cache stays empty
        this.prompts = new PromptEncoder(tokenizer, new ImageCache(new QwenImageProcessor(PreprocessorConfig.defaults()),
                0), template, settings.promptStyle(), null, this::shown);
        this.imagePadId = tokenizer.imagePadId();
        tokenizer.imEndId(); // fail early on a tokenizer without the chat-format tokens
    }

    public Settings settings() {
        return settings;
    }

    /**
     * What the model is shown of a sample: guidance removed from (or added to) the question; for pretraining the
     * caption prompt (the sample's question only when it is a caption sample).
     */
    public Sample shown(Sample sample) {
        TrajectoryMasking.Question question = settings.masking().question(sample);
        if (settings.stage() == Stage.PRETRAIN) {
            String q = Task.CAPTION.equals(sample.task()) ? question.text() : "";
            return Sample.builder(sample.id()).images(sample.images()).question(q).caption(sample.caption())
                    .task(Task.CAPTION).subset(sample.subset()).build();
        }
        // only what a question shows: no reasoning, caption, entities or meta
        return Sample.builder(sample.id()).images(sample.images()).question(question.text())
                .options(sample.options()).answer(sample.answer()).answerText(sample.answerText())
                .task(sample.task()).subset(sample.subset()).build();
    }

    /**
     * The assistant turn's text (without {@code <|im_end|>}).
     *
     * @throws SampleProblem when the sample lacks what the stage and target need
     */
    public String targetText(Sample sample) {
        if (settings.stage() == Stage.PRETRAIN) {
            if (sample.caption() == null || sample.caption().isBlank()) {
                throw new SampleProblem("sample '" + sample.id() + "' has no caption to pretrain on");
            }
            return sample.caption().strip();
        }
        String answer = answerText(sample);
        Sample.Reasoning r = sample.reasoning();
        StringBuilder sb = new StringBuilder();
        if (settings.target() == TargetFormat.OBSERVE_THINK_ANSWER) {
            if (r == null || r.observe() == null || r.observe().isBlank()) {
                throw new SampleProblem("sample '" + sample.id() + "' has no reasoning.observe for the "
                        + settings.target().id() + " target");
            }
            tag(sb, ReasoningTags.Tag.OBSERVE, r.observe());
        }
        if (settings.target() == TargetFormat.EMPTY_THINK_ANSWER) {
            sb.append(ReasoningTags.Tag.THINK.open()).append(ReasoningTags.Tag.THINK.close());
        } else if (settings.target() != TargetFormat.ANSWER) {
            if (r == null || r.think() == null || r.think().isBlank()) {
                throw new SampleProblem("sample '" + sample.id() + "' has no reasoning.think for the "
                        + settings.target().id() + " target");
            }
            tag(sb, ReasoningTags.Tag.THINK, r.think());
        }
        tag(sb, ReasoningTags.Tag.ANSWER, answer);
        return sb.toString();
    }

    private static void tag(StringBuilder sb, ReasoningTags.Tag tag, String content) {
        sb.append(tag.open()).append(content.strip()).append(tag.close());
    }

    /** The text inside {@code <answer>}: the letter (and option text) for mcq, else the answer. */
    public String answerText(Sample sample) {
        Task task = sample.task();
        switch (task) {
            case MCQ -> {
                int index = Sample.letterIndex(sample.answer());
                if (index < 0 || index >= sample.options().size()) {
                    String range = sample.options().isEmpty() ? "(no options)"
                            : "A-" + Sample.letter(Math.min(sample.options().size(), 26) - 1);
                    throw new SampleProblem("sample '" + sample.id() + "': answer '" + sample.answer()
                            + "' is not an option letter " + range);
                }
                String letter = Sample.letter(index);
                String text = sample.options().get(index).strip();
                return switch (settings.answerStyle()) {
                    case LETTER -> letter;
                    case LETTER_TEXT -> letter + ". " + text;
                    case TEXT -> text;
                };
            }
            case YESNO, OPEN -> {
                if (sample.answer() == null || sample.answer().isBlank()) {
                    throw new SampleProblem("sample '" + sample.id() + "' has no answer");
                }
                return sample.answer().strip();
            }
            case CAPTION -> {
                if (sample.caption() == null || sample.caption().isBlank()) {
                    throw new SampleProblem("caption sample '" + sample.id() + "' has no caption");
                }
                return sample.caption().strip();
            }
            default -> throw new SampleProblem("sample '" + sample.id() + "' has task '" + sample.task()
                    + "'; expected mcq, yesno, open or caption");
        }
    }

    /**
     * Builds the example.
     *
     * @param images the sample's image files, resolved, in order
     * @param imageTokenCounts merged vision tokens per image (from the image processor's grid)
     * @throws SampleProblem for a sample this stage cannot train on
     */
    public Built build(Sample sample, List<Path> images, List<Integer> imageTokenCounts) {
        if (images.size() != sample.images().size() || imageTokenCounts.size() != images.size()) {
            throw new IllegalArgumentException("sample '" + sample.id() + "' has " + sample.images().size()
                    + " images; got " + images.size() + " files and " + imageTokenCounts.size() + " token counts");
        }
        TrajectoryMasking.Question question = settings.masking().question(sample);
        String target = targetText(sample);
        String prompt;
        try {
            prompt = prompts.promptText(sample, imageTokenCounts);
        } catch (DataException e) {
            throw new SampleProblem(e.getMessage());
        }

        List<TrajectoryMasking.Span> spans = new ArrayList<>(settings.masking().lossSpans(target));
        spans.add(new TrajectoryMasking.Span(SpecialTokens.IM_END, true));
        spans.add(new TrajectoryMasking.Span("\n", false));
        spans = merge(spans);

        List<String> texts = new ArrayList<>(spans.size() + 1);
        texts.add(prompt);
        for (TrajectoryMasking.Span s : spans) {
            texts.add(s.text());
        }
        long[][] encoded = tokenizer.encodeBatch(texts);
        int promptLength = encoded[0].length;
        checkImagePads(sample, encoded[0], imageTokenCounts);
        int total = 0;
        for (long[] e : encoded) {
            total += e.length;
        }
        long[] ids = new long[total];
        boolean[] targets = new boolean[total];
        System.arraycopy(encoded[0], 0, ids, 0, promptLength);
        int at = promptLength;
        for (int s = 0; s < spans.size(); s++) {
            long[] part = encoded[s + 1];
            System.arraycopy(part, 0, ids, at, part.length);
            Arrays.fill(targets, at, at + part.length, spans.get(s).loss());
            at += part.length;
        }

        boolean truncated = false;
        int max = settings.maxLength();
        if (total > max) {
            if (promptLength >= max) {
                throw new SampleProblem(SampleProblem.Kind.TOO_LONG, "sample '" + sample.id() + "': the prompt is "
                        + promptLength + " tokens (" + sum(imageTokenCounts) + " of them image tokens), no room "
                        + "for the answer within max_length " + max);
            }
            ids = Arrays.copyOf(ids, max);
            targets = Arrays.copyOf(targets, max);
            truncated = true;
        }
        if (!anyTrue(targets)) {
            throw new SampleProblem("sample '" + sample.id() + "': no target token carries loss after masking");
        }
        return new Built(new TrainingExample(sample.id(), ids, targets, promptLength, images, truncated),
                question.guidanceRemoved(), question.guidanceAdded());
    }

    private void checkImagePads(Sample sample, long[] promptIds, List<Integer> counts) {
        try {
            PromptEncoder.checkImagePads(sample.id(), promptIds, imagePadId, sum(counts));
        } catch (DataException e) {
            throw new SampleProblem(e.getMessage());
        }
    }

    private static List<TrajectoryMasking.Span> merge(List<TrajectoryMasking.Span> spans) {
        List<TrajectoryMasking.Span> out = new ArrayList<>();
        for (TrajectoryMasking.Span s : spans) {
            if (s.text().isEmpty()) {
                continue;
            }
            if (!out.isEmpty() && out.get(out.size() - 1).loss() == s.loss()) {
                TrajectoryMasking.Span last = out.remove(out.size() - 1);
                out.add(new TrajectoryMasking.Span(last.text() + s.text(), s.loss()));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    private static int sum(List<Integer> xs) {
        int n = 0;
        for (int x : xs) {
            n += x;
        }
        return n;
    }

    private static boolean anyTrue(boolean[] xs) {
        for (boolean x : xs) {
            if (x) {
                return true;
            }
        }
        return false;
    }
}
