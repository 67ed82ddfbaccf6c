package org.pathoreason.data.readers;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.data.DataException;
import org.pathoreason.util.Json;

/**
 * Streams JSON records with the line each starts on, so that errors can name file, line and record, and so that
 * large training files are not held as one tree.
 */
final class JsonRecords {

    /** One JSON value and where it starts. */
    record Located(JsonNode node, int line, int index) {
    }

    /** Something that handles one record and may throw {@link DataException}. */
    @FunctionalInterface
    interface RecordHandler {
        void handle(Located record);
    }

    private JsonRecords() {
    }

    static JsonParser open(Path file) {
        try {
            return Json.MAPPER.createParser(file.toFile());
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads the elements of the array the parser is positioned on (current token START_ARRAY). */
    static void forEachElement(Path file, JsonParser p, RecordHandler handler) throws IOException {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw DataException.at(file, p.currentLocation().getLineNr(), "unexpected end of file inside a list");
            }
            int line = p.currentTokenLocation().getLineNr();
            JsonNode node = p.readValueAsTree();
            handler.handle(new Located(node, line, index++));
        }
    }

    /** Reads a whole file whose top level is an array of records. */
    static List<Located> readArray(Path file, String expected) {
        List<Located> out = new ArrayList<>();
        try (JsonParser p = open(file)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw DataException.at(file, p.currentTokenLocation().getLineNr(),
                        "expected a JSON list of " + expected + " at the top level, found " + describe(first));
            }
            forEachElement(file, p, out::add);
        } catch (JsonProcessingException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    static DataException malformed(Path file, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        return DataException.at(file, loc == null ? 0 : loc.getLineNr(), "malformed JSON: " + e.getOriginalMessage());
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "an empty file";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    /** A DataException for one record: {@code file:line: record N: problem}. */
    static DataException bad(Path file, Located r, String problem) {
        return DataException.at(file, r.line(), "record " + r.index() + ": " + problem);
    }

    /** A required non-blank text field. */
    static String text(Path file, Located r, JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw bad(file, r, "missing field '" + field + "'");
        }
        if (!v.isValueNode()) {
            throw bad(file, r, "field '" + field + "' should be text, found " + v.getNodeType().name().toLowerCase());
        }
        String s = v.asText();
        if (s.isBlank()) {
            throw bad(file, r, "field '" + field + "' is empty");
        }
        return s;
    }

    /** An optional text field; null when absent or null. */
    static String optText(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
