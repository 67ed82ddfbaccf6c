package org.pathoreason.knowledge;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Picks the reader for a graph file by its extension, else by its first bytes. */
final class GraphFormats {

    private GraphFormats() {
    }

    static KnowledgeGraph load(Path file) {
        String source = file.toString();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gz = name.endsWith(".gz");
        if (gz) {
            name = name.substring(0, name.length() - 3);
        }
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = new BufferedInputStream(gz ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16)) {
            String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
            return switch (ext) {
                case "json" -> JsonGraphFormat.read(in, source);
                case "tsv", "txt" -> TsvGraphFormat.read(reader(in), source);
                case "csv" -> PrimeKgFormat.read(reader(in), source);
                case "owl", "rdf", "xml" -> OwlGraphFormat.read(in, source);
                default -> sniff(in, source);
            };
        } catch (NoSuchFileException e) {
            throw new GraphException(source + ": no such file");
        } catch (IOException e) {
            throw new GraphException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static KnowledgeGraph sniff(InputStream in, String source) throws IOException {
        in.mark(4096);
        byte[] head = in.readNBytes(4096);
        in.reset();
        String start = new String(head, StandardCharsets.UTF_8).stripLeading();
        if (start.startsWith("\uFEFF")) {
            start = start.substring(1).stripLeading();
        }
        if (start.startsWith("{")) {
            return JsonGraphFormat.read(in, source);
        }
        if (start.startsWith("<")) {
            return OwlGraphFormat.read(in, source);
        }
        if (PrimeKgFormat.looksLikeHeader(start)) {
            return PrimeKgFormat.read(reader(in), source);
        }
        return TsvGraphFormat.read(reader(in), source);
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** The file name without folders and extensions, as a default graph name. */
    static String baseName(String source) {
        String n = source.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n.isEmpty() ? "graph" : n;
    }
}
