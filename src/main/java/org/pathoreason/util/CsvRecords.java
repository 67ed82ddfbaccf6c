package org.pathoreason.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV records one at a time, each with the line it starts on, read by jackson-dataformat-csv: RFC 4180 as pandas'
 * {@code to_csv} writes it (quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF). Blank lines
 * are skipped and a UTF-8 byte order mark is dropped. No header handling: the first record is the header, if any.
 *
 * <pre>{@code
 * try (CsvRecords csv = CsvRecords.open(reader, "kg.csv")) {
 *     for (CsvRecords.Row row; (row = csv.next()) != null; ) { ... row.line(), row.fields() ... }
 * }
 * }</pre>
 */
public final class CsvRecords implements Closeable {

    private static final CsvFactory FACTORY = CsvFactory.builder().enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    /** One record and the 1-based line where it starts. */
    public record Row(long line, List<String> fields) {
        public Row {
            fields = List.copyOf(fields);
        }
    }

    /** A file that is not valid CSV; the message is {@code source:line: problem}. */
    public static final class CsvException extends PathoReasonException {
        private final String source;
        private final long line;
        private final String problem;

        CsvException(String source, long line, String problem, Throwable cause) {
            super(source + ":" + line + ": " + problem, cause);
            this.source = source;
            this.line = line;
            this.problem = problem;
        }

        public String source() {
            return source;
        }

        /** The line on which the broken record starts. */
        public long line() {
            return line;
        }

        public String problem() {
            return problem;
        }
    }

    private final CsvParser parser;
    private final String source;
    private boolean first = true;

    private CsvRecords(CsvParser parser, String source) {
        this.parser = parser;
        this.source = source;
    }

    /** Reads records from {@code in}; {@code source} names it in errors (a file name). */
    public static CsvRecords open(Reader in, String source) {
        try {
            return new CsvRecords(FACTORY.createParser(in), source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** Every record of a UTF-8 file. */
    public static List<Row> readAll(Path file) {
        List<Row> rows = new ArrayList<>();
        try (CsvRecords csv = open(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString())) {
            for (Row row; (row = csv.next()) != null; ) {
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * The next record, or null at the end of the input.
     *
     * @throws CsvException when the record is not valid CSV (a quote never closed, text after a closing quote)
     */
    public Row next() {
        long line = parser.currentLocation().getLineNr();
        try {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return null;
            }
            if (token != JsonToken.START_ARRAY) {
                throw new IllegalStateException("unexpected " + token + " at the start of a CSV record");
            }
            line = parser.currentLocation().getLineNr();
            List<String> fields = new ArrayList<>();
            while (parser.nextToken() == JsonToken.VALUE_STRING) {
                fields.add(parser.getText());
            }
            if (first && !fields.isEmpty() && fields.get(0).startsWith("\uFEFF")) {
                fields.set(0, fields.get(0).substring(1)); // a Reader does not drop the byte order mark
            }
            first = false;
            return new Row(line, fields);
        } catch (JsonProcessingException e) {
            throw new CsvException(source, line, problem(e), e);
        } catch (CharacterCodingException e) {
            // bytes that are not UTF-8: bad content, not bad I/O (found by fuzzing)
            throw new CsvException(source, line, "not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    private static String problem(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m != null && m.startsWith("Missing closing quote")) {
            return "quoted field is never closed";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
