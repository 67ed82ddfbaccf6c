package org.pathoreason.serve;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.Prompt;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.model.ModelInput;
import org.pathoreason.text.ChatMessage;
import org.pathoreason.text.PromptBuilder;
import org.pathoreason.text.SpecialTokens;

/**
 * Turns a chat request into a generation prompt: the one place the server builds prompts.
 *
 * <p>A bare question (one user turn, no system turn) is put to the model as training and evaluation put it:
 * {@link PromptBuilder} with the server's prompt style (its system prompt, images first, the question, the
 * {@code "A. option"} lines of a multiple-choice question, the style's instruction). Any other conversation (its own
 * system turn, earlier turns, as a judge or a chat client sends) is rendered as given. Both go through the
 * checkpoint's chat template with each image's pad run sized from the image processor's grid.
 */
final class ChatPrompts {

    /** A prompt ready for generation, with its length. */
    record Encoded(Prompt prompt, int promptTokens) {
    }

    private final ServedModel model;
    private final ServeOptions options;
    private final ImageInputs images;
    private final PromptBuilder builder;

    ChatPrompts(ServedModel model, ServeOptions options) {
        this.model = model;
        this.options = options;
        this.images = new ImageInputs(options);
        this.builder = new PromptBuilder(options.style());
    }

    Encoded encode(ChatRequest request) {
        int imageCount = request.imageCount();
        if (imageCount > options.maxImagesPerRequest()) {
            throw ApiException.unprocessable("messages", "too_many_images", "the request has " + imageCount
                    + " images; at most " + options.maxImagesPerRequest() + " are allowed per request");
        }
        List<ChatRequest.ImagePart> imageParts = new ArrayList<>();
        List<ChatMessage> messages = bareQuestion(request)
                ? questionMessages(request, imageParts) : conversation(request, imageParts);
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
            text = model.chatTemplate().render(messages, counts, true);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("messages", e.getMessage());
        }
        long[] ids = model.encode(text);
        long pad = model.tokenizer().imagePadId();
        int pads = 0;
        for (long id : ids) {
            pads += id == pad ? 1 : 0;
        }
        int expected = counts.stream().mapToInt(Integer::intValue).sum();
        if (pads != expected) {
            throw ApiException.badRequest("messages", "the text of the messages holds " + SpecialTokens.IMAGE_PAD
                    + " tokens; remove them (images are sent as image_url parts)");
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

    private List<ChatMessage> questionMessages(ChatRequest request, List<ChatRequest.ImagePart> imageParts) {
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
        return builder.messages(question(question.toString(), names, request.options()));
    }

    /** The request as a sample; the one place the server makes a {@link Sample}. */
    private static Sample question(String text, List<String> imageNames, List<String> options) {
        return new Sample("request", imageNames, text, options, null, null, null, null, List.of(),
                options.isEmpty() ? Sample.OPEN : Sample.MCQ, null, Map.of());
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
