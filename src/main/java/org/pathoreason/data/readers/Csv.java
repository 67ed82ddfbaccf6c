package org.pathoreason.data.readers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.data.DataException;

/**
 * A small RFC 4180 CSV reader (quoted fields with commas, doubled quotes and line breaks; CRLF or LF; a UTF-8 BOM
 * is ignored), as pandas' {@code to_csv} writes. Each record knows the line it starts on.
 */
final class Csv {

    /** One record and the 1-based line where it starts. */
    record Row(int line, List<String> fields) {
    }

    private Csv() {
    }

    static List<Row> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int rowLine = 1;
        boolean quoted = false;
        boolean fieldStarted = false;
        int quoteLine = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
                i++;
                continue;
            }
            switch (c) {
                case '"' -> {
                    if (field.length() > 0) {
                        throw DataException.at(file, line, "stray quote inside an unquoted field");
                    }
                    quoted = true;
                    fieldStarted = true;
                    quoteLine = line;
                }
                case ',' -> {
                    fields.add(field.toString());
                    field.setLength(0);
                    fieldStarted = true;
                }
                case '\r' -> {
                    // part of CRLF; a lone CR is ignored as well
                }
                case '\n' -> {
                    endRow(rows, fields, field, fieldStarted, rowLine);
                    fields = new ArrayList<>();
                    fieldStarted = false;
                    line++;
                    rowLine = line;
                }
                default -> {
                    field.append(c);
                    fieldStarted = true;
                }
            }
            i++;
        }
        if (quoted) {
            throw DataException.at(file, quoteLine, "quoted field is never closed");
        }
        endRow(rows, fields, field, fieldStarted, rowLine);
        return rows;
    }

    private static void endRow(List<Row> rows, List<String> fields, StringBuilder field, boolean started, int line) {
        if (!started && fields.isEmpty()) {
            field.setLength(0);
            return; // blank line
        }
        fields.add(field.toString());
        field.setLength(0);
        rows.add(new Row(line, List.copyOf(fields)));
    }
}
