package org.pathoreason.data.pdf;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.llm.ChatRequest;
import org.pathoreason.llm.ImageDataUrls;
import org.pathoreason.llm.JsonReplies;
import org.pathoreason.llm.LlmException;

/**
 * Checks each figure-caption pair with a vision-language model on the user's OpenAI-compatible endpoint, as
 * Patho-R1 did with Qwen2.5-VL-72B: it sees the crop and the caption and answers in JSON whether they belong
 * together, the box of the figure within the crop, and the caption cleaned of page furniture. A model that gives no
 * usable answer leaves the pair as extracted (and says so in the note).
 */
public final class VisionFigureChecker implements FigureChecker {

    static final String SYSTEM = "You review figure-caption pairs extracted from scientific PDFs for training data. "
            + "Reply with one JSON object only.";

    private final ChatClient client;

    public VisionFigureChecker(ChatClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    static String prompt(String heading, String caption) {
        return "The image is a crop of a PDF page meant to show " + heading + ". Its extracted caption is:\n\""
                + caption + "\"\n\nAnswer with JSON: {\"match\": true or false (does the crop show the figure this "
                + "caption describes?), \"bbox\": [x0, y0, x1, y1] (the part of the crop that is the figure, as "
                + "fractions 0..1 of its width and height from the top-left corner; null if the whole crop is the "
                + "figure), \"caption\": the caption with any running header, page number or body text removed and "
                + "nothing else changed (null if it is fine), \"reason\": a few words}.";
    }

    @Override
    public Verdict check(BufferedImage crop, String heading, String caption) {
        ChatRequest request = ChatRequest.of(ChatRequest.Message.system(SYSTEM),
                ChatRequest.Message.user(List.of(new ChatRequest.Image(ImageDataUrls.of(crop)),
                        new ChatRequest.Text(prompt(heading, caption))))).withMaxTokens(400);
        try {
            return client.complete(request, VisionFigureChecker::parse);
        } catch (LlmException e) {
            return new Verdict(true, null, null, "not checked: " + e.reason());
        }
    }

    static Verdict parse(String reply) throws ChatClient.UnreadableReply {
        for (JsonNode n : JsonReplies.objects(reply)) {
            JsonNode match = n.get("match");
            if (match == null || !match.isBoolean()) {
                continue;
            }
            double[] box = null;
            JsonNode b = n.get("bbox");
            if (b != null && b.isArray() && b.size() == 4) {
                box = new double[4];
                for (int i = 0; i < 4; i++) {
                    box[i] = b.get(i).asDouble();
                }
            }
            JsonNode c = n.get("caption");
            String cap = c != null && c.isTextual() && !c.asText().isBlank() ? c.asText() : null;
            return new Verdict(match.asBoolean(), box, cap, n.path("reason").asText(""));
        }
        throw new ChatClient.UnreadableReply("no JSON object with a boolean \"match\" in " + JsonReplies.excerpt(reply));
    }

    @Override
    public String describe() {
        return client.model() + " at " + client.endpointForLog();
    }
}
