package org.pathoreason.knowledge;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader: comma-separated fields, double-quoted fields may hold commas, line breaks and doubled
 * quotes. Tracks the line each record starts on for error messages. Blank lines are skipped.
 */
final class CsvReader implements Closeable {

    private final Reader in;
    private final String source;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int len;
    private long line = 1;
    private long recordLine;
    private final StringBuilder field = new StringBuilder();

    CsvReader(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The line on which the last record returned by {@link #next()} starts. */
    long recordLine() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of input. */
    List<String> next() throws IOException {
        while (true) {
            int c = read();
            if (c < 0) {
                return null;
            }
            if (c == '\r' || c == '\n') {
                consumeLineEnd(c);
                continue;
            }
            if (c == '\uFEFF' && line == 1) {
                continue;
            }
            unread();
            break;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>(12);
        while (true) {
            field.setLength(0);
            int c = read();
            int end;
            if (c == '"') {
                long quoteLine = line;
                while (true) {
                    c = read();
                    if (c < 0) {
                        throw new GraphException(source + ":" + quoteLine
                                + ": unterminated quoted field (a '\"' is never closed)");
                    }
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            field.append('"');
                            continue;
                        }
                        end = d;
                        break;
                    }
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
                if (end >= 0 && end != ',' && end != '\n' && end != '\r') {
                    throw new GraphException(source + ":" + line
                            + ": unexpected character '" + (char) end + "' after a closing quote (expected , or end of line)");
                }
            } else {
                end = c;
                while (end >= 0 && end != ',' && end != '\n' && end != '\r') {
                    field.append((char) end);
                    end = read();
                }
            }
            fields.add(field.toString());
            if (end == ',') {
                continue;
            }
            if (end >= 0) {
                consumeLineEnd(end);
            }
            return fields;
        }
    }

    private void consumeLineEnd(int c) throws IOException {
        if (c == '\r') {
            int d = read();
            if (d != '\n' && d >= 0) {
                unread();
            }
        }
        line++;
    }

    private int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos++];
    }

    /** Steps back over the last char read; only valid right after a successful read. */
    private void unread() {
        pos--;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
