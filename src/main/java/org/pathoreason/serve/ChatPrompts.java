package org.pathoreason.serve;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.data.DataException;
import org.pathoreason.data.PromptEncoder;
import org.pathoreason.data.Sample;
import org.pathoreason.data.Task;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.Prompt;
import org.pathoreason.text.ChatMessage;

/**
 * Turns a chat request into a generation prompt: the one place the server builds prompts.
 *
 * <p>A bare question (one user turn, no system turn) becomes a {@link Sample} and goes through the checkpoint's
 * {@link PromptEncoder}, as in training and evaluation: the server's prompt style (its system prompt, images first,
 * the question, the {@code "A. option"} lines of a multiple-choice question, the style's instruction). Any other
 * conversation (its own system turn, earlier turns, as a judge or a chat client sends) is rendered as given by the
 * checkpoint's chat template. Either way each image's pad run is sized from the image processor's grid, and the pad
 * count of the ids is checked. Images come in the request, so they are processed here rather than read from files.
 */
final class ChatPrompts {

    /** A prompt ready for generation, with its length. */
    record Encoded(Prompt prompt, int promptTokens) {
    }

    private final ServedModel model;
    private final ServeOptions options;
    private final ImageInputs images;
    private final PromptEncoder encoder;

    ChatPrompts(ServedModel model, ServeOptions options) {
        this.model = model;
        this.options = options;
        this.images = new ImageInputs(options);
        this.encoder = model.promptEncoder(options.style());
    }

    Encoded encode(ChatRequest request) {
        int imageCount = request.imageCount();
        if (imageCount > options.maxImagesPerRequest()) {
            throw ApiException.unprocessable("messages", "too_many_images", "the request has " + imageCount
                    + " images; at most " + options.maxImagesPerRequest() + " are allowed per request");
        }
        boolean bare = bareQuestion(request);
        List<ChatRequest.ImagePart> imageParts = new ArrayList<>();
        Sample question = null;
        List<ChatMessage> messages = null;
        if (bare) {
            question = question(request, imageParts);
        } else {
            messages = conversation(request, imageParts);
        }
        List<ProcessedImage> processed = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (ChatRequest.ImagePart part : imageParts) {
            BufferedImage image = images.read(part);
            ProcessedImage p = model.processor().process(image);
            processed.add(p);
            counts.add(p.numMergedTokens());
        }
        String text;
        try {
            text = bare ? encoder.promptText(question, counts) : model.chatTemplate().render(messages, counts, true);
        } catch (DataException | IllegalArgumentException e) {
            throw ApiException.badRequest("messages", e.getMessage());
        }
        long[] ids = model.encode(text);
        try {
            PromptEncoder.checkImagePads("request", ids, model.tokenizer().imagePadId(),
                    counts.stream().mapToInt(Integer::intValue).sum());
        } catch (DataException e) {
            throw ApiException.badRequest("messages", "the text of the messages holds image pad tokens; remove "
                    + "them (images are sent as image_url parts)");
        }
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (ProcessedImage p : processed) {
            patches.add(p.patches());
            grids.add(new int[] {p.gridT(), p.gridH(), p.gridW()});
        }
        return new Encoded(new Prompt(ids, ModelInput.concatPatches(patches), grids), ids.length);
    }

    private static boolean bareQuestion(ChatRequest request) {
        boolean bare = request.messages().size() == 1 && request.messages().get(0).role().equals(ChatMessage.USER);
        if (!bare && !request.options().isEmpty()) {
            throw ApiException.badRequest("options", "'options' needs a conversation of one user message (the "
                    + "question)");
        }
        return bare;
    }

    private static Sample question(ChatRequest request, List<ChatRequest.ImagePart> imageParts) {
        StringBuilder question = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (ChatRequest.Part p : request.messages().get(0).parts()) {
            if (p instanceof ChatRequest.TextPart t) {
                if (!question.isEmpty() && !t.text().isEmpty()) {
                    question.append('\n');
                }
                question.append(t.text());
            } else if (p instanceof ChatRequest.ImagePart i) {
                imageParts.add(i);
                names.add(i.param());
            }
        }
        if (question.toString().isBlank()) {
            throw ApiException.badRequest("messages[0].content", "the question is empty");
        }
        return Sample.builder("request").images(names).question(question.toString()).options(request.options())
                .task(request.options().isEmpty() ? Task.OPEN : Task.MCQ).build();
    }

    private static List<ChatMessage> conversation(ChatRequest request, List<ChatRequest.ImagePart> imageParts) {
        List<ChatMessage> out = new ArrayList<>();
        for (ChatRequest.Message m : request.messages()) {
            List<ChatMessage.Part> parts = new ArrayList<>();
            for (ChatRequest.Part p : m.parts()) {
                if (p instanceof ChatRequest.TextPart t) {
                    parts.add(new ChatMessage.Text(t.text()));
                } else if (p instanceof ChatRequest.ImagePart i) {
                    imageParts.add(i);
                    parts.add(new ChatMessage.Image(null));
                }
            }
            out.add(new ChatMessage(m.role(), parts));
        }
        return out;
    }
}
