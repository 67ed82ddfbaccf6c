package org.pathoreason.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One turn of a conversation: a role ({@code system}, {@code user}, {@code assistant}) and its content as an
 * ordered list of text and image parts, as in the Hugging Face chat message format.
 */
public record ChatMessage(String role, List<Part> parts) {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    private static final Pattern ROLE = Pattern.compile("[a-z_]+");

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        if (!ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("chat role must be a lower-case word such as user, got '" + role + "'");
        }
        parts = List.copyOf(Objects.requireNonNull(parts, "parts"));
    }

    /** A part of a message's content. */
    public sealed interface Part permits Text, Image {
    }

    /** Text, rendered verbatim. */
    public record Text(String text) implements Part {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image placeholder; the chat template renders a vision run for it.
     *
     * @param source where the image comes from (a path or URL), or null; not rendered
     */
    public record Image(String source) implements Part {
    }

    public static ChatMessage system(String text) {
        return new ChatMessage(SYSTEM, List.of(new Text(text)));
    }

    public static ChatMessage user(String text) {
        return new ChatMessage(USER, List.of(new Text(text)));
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage(ASSISTANT, List.of(new Text(text)));
    }

    /** A user turn with its images first, then the text (the order Qwen2.5-VL examples and trainers use). */
    public static ChatMessage user(List<String> imageSources, String text) {
        List<Part> parts = new ArrayList<>();
        for (String source : imageSources) {
            parts.add(new Image(source));
        }
        parts.add(new Text(text));
        return new ChatMessage(USER, parts);
    }

    /** Number of image parts in this message. */
    public int imageCount() {
        int n = 0;
        for (Part p : parts) {
            if (p instanceof Image) {
                n++;
            }
        }
        return n;
    }

    /** The concatenated text parts (images left out). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
