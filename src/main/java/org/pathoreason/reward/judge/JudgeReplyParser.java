package org.pathoreason.reward.judge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pathoreason.llm.JsonReplies;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;

/**
 * Reads a judge's verdict out of a chat-completions reply, tolerating what LLMs do to "reply with JSON only":
 * prose around the object, Markdown code fences, trailing commas, single quotes, comments, booleans written as
 * {@code "yes"}/{@code "no"}. The verdict object has the rubric's items, nested or flat:
 * <pre>
 * {"integrity": {"image_features": true, "option_elimination": false, "medical_knowledge": true},
 *  "knowledge": {"histology_definition_breach": false, "logical_contradiction": false,
 *                "outdated_or_wrong_standard": false},
 *  "comment": "..."}
 * </pre>
 * A reply that gives all six items is scored by the rubric (the judge's own arithmetic is not trusted); one that
 * gives only {@code integrity_score} and {@code knowledge_score} numbers (or numbers under {@code integrity} and
 * {@code knowledge}) is taken as is, clamped to [0, 1]. Anything else is a {@link BadReply}.
 */
public final class JudgeReplyParser {

    /** The reply could not be read as a verdict; the message says why and quotes the start of the reply. */
    public static final class BadReply extends Exception {
        public BadReply(String message) {
            super(message);
        }
    }

    private JudgeReplyParser() {
    }

    /** The verdict in an assistant message. */
    public static JudgeScore parseVerdict(String message) throws BadReply {
        String lastProblem = "no JSON object found";
        for (JsonNode node : JsonReplies.objects(message)) {
            try {
                return interpret(node);
            } catch (BadReply e) {
                lastProblem = e.getMessage();
            }
        }
        throw new BadReply(lastProblem + " in reply: " + JsonReplies.excerpt(message));
    }

    private static JudgeScore interpret(JsonNode node) throws BadReply {
        JsonNode integrityNode = node.path("integrity");
        JsonNode knowledgeNode = node.path("knowledge");
        String comment = firstText(node, "comment", "explanation", "reason", "rationale");
        Set<IntegrityItem> missing = EnumSet.noneOf(IntegrityItem.class);
        Set<KnowledgeBreach> breaches = EnumSet.noneOf(KnowledgeBreach.class);
        boolean allItems = true;
        for (IntegrityItem item : IntegrityItem.values()) {
            Boolean present = flag(integrityNode.isObject() ? integrityNode.path(item.key()) : node.path(item.key()));
            if (present == null) {
                allItems = false;
            } else if (!present) {
                missing.add(item);
            }
        }
        for (KnowledgeBreach b : KnowledgeBreach.values()) {
            Boolean found = flag(knowledgeNode.isObject() ? knowledgeNode.path(b.key()) : node.path(b.key()));
            if (found == null) {
                allItems = false;
            } else if (found) {
                breaches.add(b);
            }
        }
        if (allItems) {
            return JudgeScore.of(missing, breaches, comment);
        }
        Double integrity = number(node.path("integrity_score"), integrityNode);
        Double knowledge = number(node.path("knowledge_score"), knowledgeNode);
        if (integrity != null && knowledge != null) {
            return new JudgeScore(clamp(integrity), clamp(knowledge), Set.of(), Set.of(), JudgeScore.Source.JUDGED,
                    comment);
        }
        throw new BadReply("JSON object lacks the rubric items (integrity: image_features, option_elimination, "
                + "medical_knowledge; knowledge: histology_definition_breach, logical_contradiction, "
                + "outdated_or_wrong_standard) and the integrity_score/knowledge_score numbers");
    }

    /** A yes/no value: JSON booleans, 0/1, or words like yes, no, true, false, present, absent. */
    static Boolean flag(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            return d == 1 ? Boolean.TRUE : d == 0 ? Boolean.FALSE : null;
        }
        if (v.isTextual()) {
            return switch (v.asText().strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "y", "present", "1" -> Boolean.TRUE;
                case "false", "no", "n", "absent", "missing", "0" -> Boolean.FALSE;
                default -> null;
            };
        }
        return null;
    }

    private static Double number(JsonNode primary, JsonNode secondary) {
        for (JsonNode v : new JsonNode[] {primary, secondary}) {
            if (v != null && v.isNumber()) {
                return v.doubleValue();
            }
            if (v != null && v.isTextual()) {
                try {
                    return Double.parseDouble(v.asText().strip());
                } catch (NumberFormatException ignored) {
                    // not a number; try the next place
                }
            }
        }
        return null;
    }

    private static double clamp(double v) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }

    private static String firstText(JsonNode node, String... keys) {
        for (String k : keys) {
            if (node.path(k).isTextual()) {
                return node.path(k).asText();
            }
        }
        return "";
    }
}
