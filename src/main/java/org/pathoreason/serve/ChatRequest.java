package org.pathoreason.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code POST /v1/chat/completions} body, checked field by field as OpenAI and vLLM define them. Unknown fields
 * are ignored, as OpenAI-compatible servers do (clients send defaults such as {@code presence_penalty}).
 *
 * @param model the model asked for, or null
 * @param messages the conversation
 * @param options PathoReason's extension: the answer options of a multiple-choice question, put to the model as
 *     training puts them ({@code "A. ..."} lines); only with a conversation of one user turn
 * @param temperature 0 for greedy decoding (default 1, as OpenAI)
 * @param topP nucleus sampling (default 1)
 * @param topK vLLM's extension (0 or -1: off)
 * @param maxTokens completion tokens ({@code max_completion_tokens} or {@code max_tokens}), or null for the server's
 *     default
 * @param stop stop strings (at most 4)
 * @param seed seed of the sampler, or null for a random one
 * @param n completions of the prompt
 * @param stream answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 * @param ignoreEos vLLM's extension for benchmarks: do not stop at the end-of-turn tokens (stop strings and
 *     {@code max_tokens} still apply)
 */
public record ChatRequest(String model, List<Message> messages, List<String> options, double temperature,
                          double topP, int topK, Integer maxTokens, List<String> stop, Long seed, int n,
                          boolean stream, boolean includeUsage, boolean ignoreEos) {

    /** Most choices per request. */
    public static final int MAX_N = 8;

    /** One turn. */
    public record Message(String role, List<Part> parts) {
    }

    /** A content part. */
    public sealed interface Part permits TextPart, ImagePart {
    }

    public record TextPart(String text) implements Part {
    }

    /**
     * @param url a {@code data:} URL or a {@code file:} URL under the media folder
     * @param param where it sits in the request, for error messages
     */
    public record ImagePart(String url, String param) implements Part {
    }

    /** Number of image parts in the conversation. */
    public int imageCount() {
        int count = 0;
        for (Message m : messages) {
            for (Part p : m.parts()) {
                if (p instanceof ImagePart) {
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Reads a request body.
     *
     * @throws ApiException (400) naming the field that is wrong
     */
    public static ChatRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badJson("the request body must be a JSON object");
        }
        String model = optText(body, "model");
        List<Message> messages = messages(body.get("messages"));
        List<String> options = new ArrayList<>();
        JsonNode o = body.get("options");
        if (o != null && !o.isNull()) {
            if (!o.isArray()) {
                throw ApiException.badRequest("options", "'options' must be an array of strings");
            }
            for (int i = 0; i < o.size(); i++) {
                if (!o.get(i).isTextual() || o.get(i).asText().isBlank()) {
                    throw ApiException.badRequest("options[" + i + "]", "each option must be a non-empty string");
                }
                options.add(o.get(i).asText());
            }
            if (options.size() > 26) {
                throw ApiException.badRequest("options", "at most 26 options (A-Z), got " + options.size());
            }
        }
        double temperature = number(body, "temperature", 1.0, 0, 2);
        double topP = number(body, "top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiException.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
        }
        int topK = integer(body, "top_k", 0, -1, Integer.MAX_VALUE);
        Integer maxTokens = null;
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode m = body.get(field);
            if (m != null && !m.isNull()) {
                maxTokens = integer(body, field, 0, 1, Integer.MAX_VALUE);
                break;
            }
        }
        List<String> stop = stops(body.get("stop"));
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.canConvertToLong() || !s.isIntegralNumber()) {
                throw ApiException.badRequest("seed", "'seed' must be an integer");
            }
            seed = s.asLong();
        }
        int n = integer(body, "n", 1, 1, MAX_N);
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) {
                throw ApiException.badRequest("stream_options", "'stream_options' must be an object");
            }
            if (!stream) {
                throw ApiException.badRequest("stream_options", "'stream_options' is only allowed with 'stream': true");
            }
            includeUsage = bool(so, "include_usage", false);
        }
        return new ChatRequest(model, messages, options, temperature, topP, topK <= 0 ? 0 : topK, maxTokens, stop,
                seed, n, stream, includeUsage, bool(body, "ignore_eos", false));
    }

    private static List<Message> messages(JsonNode node) {
        if (node == null || node.isNull()) {
            throw ApiException.badRequest("messages", "'messages' is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty array");
        }
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode m = node.get(i);
            if (!m.isObject()) {
                throw ApiException.badRequest(at, at + " must be an object");
            }
            JsonNode r = m.get("role");
            if (r == null || !r.isTextual()) {
                throw ApiException.badRequest(at + ".role", at + ".role is required (system, user or assistant)");
            }
            String role = r.asText().toLowerCase(Locale.ROOT);
            if (role.equals("developer")) {
                role = "system"; // OpenAI's newer name for the system turn
            }
            if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
                throw ApiException.badRequest(at + ".role", at + ".role '" + r.asText()
                        + "' is not supported; use system, user or assistant");
            }
            out.add(new Message(role, parts(m.get("content"), at + ".content", role)));
        }
        return out;
    }

    private static List<Part> parts(JsonNode content, String at, String role) {
        List<Part> parts = new ArrayList<>();
        if (content == null || content.isNull()) {
            throw ApiException.badRequest(at, at + " is required");
        }
        if (content.isTextual()) {
            parts.add(new TextPart(content.asText()));
            return parts;
        }
        if (!content.isArray()) {
            throw ApiException.badRequest(at, at + " must be a string or an array of content parts");
        }
        for (int j = 0; j < content.size(); j++) {
            String pat = at + "[" + j + "]";
            JsonNode p = content.get(j);
            String type = p.path("type").asText("");
            switch (type) {
                case "text" -> {
                    JsonNode t = p.get("text");
                    if (t == null || !t.isTextual()) {
                        throw ApiException.badRequest(pat + ".text", pat + ".text must be a string");
                    }
                    parts.add(new TextPart(t.asText()));
                }
                case "image_url" -> {
                    if (!role.equals("user")) {
                        throw ApiException.badRequest(pat, "images are only allowed in user messages");
                    }
                    JsonNode u = p.get("image_url");
                    JsonNode url = u == null ? null : u.isTextual() ? u : u.get("url");
                    if (url == null || !url.isTextual() || url.asText().isBlank()) {
                        throw ApiException.badRequest(pat + ".image_url.url", pat + ".image_url.url must be a "
                                + "string (a data: URL)");
                    }
                    parts.add(new ImagePart(url.asText(), pat + ".image_url.url"));
                }
                default -> throw ApiException.badRequest(pat + ".type", pat + ".type '" + type
                        + "' is not supported; use text or image_url");
            }
        }
        return parts;
    }

    private static List<String> stops(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(node.asText());
        }
        if (!node.isArray() || node.size() > 4) {
            throw ApiException.badRequest("stop", "'stop' must be a string or an array of at most 4 strings");
        }
        for (JsonNode s : node) {
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw ApiException.badRequest("stop", "each stop sequence must be a non-empty string");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static String optText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, "'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static double number(JsonNode body, String field, double dflt, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw ApiException.badRequest(field, "'" + field + "' must be a number in [" + fmt(min) + ", "
                    + fmt(max) + "], got " + v);
        }
        return v.asDouble();
    }

    private static int integer(JsonNode body, String field, int dflt, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw ApiException.badRequest(field, "'" + field + "' must be an integer in [" + min + ", "
                    + (max == Integer.MAX_VALUE ? "inf" : max) + "], got " + v);
        }
        return v.asInt();
    }

    private static boolean bool(JsonNode body, String field, boolean dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(field, "'" + field + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
