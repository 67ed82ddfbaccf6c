package org.pathoreason.llm;

import java.util.List;
import java.util.Objects;

/**
 * One chat-completions request: the messages and the sampling settings. Images go as {@code data:} URLs
 * ({@link ImageDataUrls}), so nothing but the request body leaves the machine.
 *
 * @param messages the conversation, system message first if any
 * @param temperature sampling temperature (0 for a checker or judge)
 * @param maxTokens most reply tokens
 * @param jsonMode ask for {@code response_format: json_object} (not every server supports it)
 */
public record ChatRequest(List<Message> messages, double temperature, int maxTokens, boolean jsonMode) {

    /** Temperature 0 and 512 reply tokens unless changed. */
    public static final double DEFAULT_TEMPERATURE = 0;
    public static final int DEFAULT_MAX_TOKENS = 512;

    /** Who speaks. */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A piece of a message: text or an image. */
    public sealed interface Part permits Text, Image {
    }

    public record Text(String text) implements Part {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image given as a {@code data:} (or http) URL. */
    public record Image(String url) implements Part {
        public Image {
            Objects.requireNonNull(url, "url");
        }
    }

    public record Message(Role role, List<Part> parts) {
        public Message {
            Objects.requireNonNull(role, "role");
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a chat message needs at least one part");
            }
        }

        public static Message system(String text) {
            return new Message(Role.SYSTEM, List.of(new Text(text)));
        }

        public static Message user(String text) {
            return new Message(Role.USER, List.of(new Text(text)));
        }

        public static Message user(List<Part> parts) {
            return new Message(Role.USER, parts);
        }
    }

    public ChatRequest {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
    }

    /** The messages with the default settings. */
    public static ChatRequest of(List<Message> messages) {
        return new ChatRequest(messages, DEFAULT_TEMPERATURE, DEFAULT_MAX_TOKENS, false);
    }

    public static ChatRequest of(Message... messages) {
        return of(List.of(messages));
    }

    public ChatRequest withTemperature(double t) {
        return new ChatRequest(messages, t, maxTokens, jsonMode);
    }

    public ChatRequest withMaxTokens(int n) {
        return new ChatRequest(messages, temperature, n, jsonMode);
    }

    public ChatRequest withJsonMode(boolean on) {
        return new ChatRequest(messages, temperature, maxTokens, on);
    }
}
