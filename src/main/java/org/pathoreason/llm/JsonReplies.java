package org.pathoreason.llm;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON objects in a model's reply, tolerating what LLMs do to "reply with JSON only": prose around the object,
 * Markdown code fences, trailing commas, single quotes, unquoted keys, comments.
 */
public final class JsonReplies {

    /** A lenient reader for replies and response bodies. */
    static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .build();

    private static final Pattern FENCE = Pattern.compile("```[a-zA-Z]*\\s*(.*?)```", Pattern.DOTALL);

    private JsonReplies() {
    }

    /** Every JSON object found, most likely first: fenced blocks, then the whole text, then each balanced {...}. */
    public static List<JsonNode> objects(String text) {
        List<JsonNode> out = new ArrayList<>();
        for (String candidate : candidates(text)) {
            try {
                JsonNode node = LENIENT.readTree(candidate);
                if (node != null && node.isObject()) {
                    out.add(node);
                }
            } catch (Exception e) {
                // not JSON: try the next candidate
            }
        }
        return out;
    }

    static List<String> candidates(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = FENCE.matcher(text);
        while (m.find()) {
            out.add(m.group(1).strip());
        }
        out.add(text.strip());
        for (int i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
            int end = matchingBrace(text, i);
            if (end > i) {
                out.add(text.substring(i, end + 1));
            }
        }
        return out;
    }

    /** Index of the brace closing the one at {@code start}, skipping braces inside strings; -1 if none. */
    private static int matchingBrace(String s, int start) {
        int depth = 0;
        char quote = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The text on one line, quoted, cut at 200 characters: for error messages. */
    public static String excerpt(String s) {
        if (s == null) {
            return "<null>";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 200 ? "\"" + one + "\"" : "\"" + one.substring(0, 200) + "...\"";
    }
}
