package org.pathoreason.knowledge;

/**
 * An entity mentioned in a text.
 *
 * @param entityId the canonical entity the words name
 * @param start offset of the first char in the text
 * @param end offset just past the last char
 * @param text the words as they appear in the text ({@code text.substring(start, end)})
 */
public record Mention(String entityId, int start, int end, String text) {
}
