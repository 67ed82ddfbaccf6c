package org.pathoreason.knowledge;

import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.util.CsvRecords;

/**
 * PrimeKG's {@code kg.csv}: one edge per row with both end nodes spelled out. Columns are found by name in the
 * header (order free, extra columns ignored). A node's id is {@code type:source:id}, e.g.
 * {@code gene_protein:NCBI:9796}, with the type in lower_snake_case; its name is {@code x_name}. The edge type is
 * the {@code relation} column in lower_snake_case, and {@code display_relation} is kept as the attribute
 * {@code display}.
 */
final class PrimeKgFormat {

    static final List<String> COLUMNS = List.of("relation", "display_relation", "x_index", "x_id", "x_type", "x_name",
            "x_source", "y_index", "y_id", "y_type", "y_name", "y_source");

    private PrimeKgFormat() {
    }

    static boolean looksLikeHeader(String firstLine) {
        String l = firstLine.startsWith("\uFEFF") ? firstLine.substring(1) : firstLine;
        return l.startsWith("relation,") || l.startsWith("\"relation\",") || l.startsWith(",relation,");
    }

    static KnowledgeGraph read(Reader reader, String source) throws IOException {
        KnowledgeGraph.Builder builder = KnowledgeGraph.builder().name(GraphFormats.baseName(source));
        try (CsvRecords csv = CsvRecords.open(reader, source)) {
            CsvRecords.Row first = csv.next();
            if (first == null) {
                throw GraphException.at(source, 1, "empty file (expected a PrimeKG header: " + String.join(",", COLUMNS) + ")");
            }
            List<String> header = first.fields();
            int[] col = new int[COLUMNS.size()];
            for (int i = 0; i < col.length; i++) {
                col[i] = header.indexOf(COLUMNS.get(i));
                if (col[i] < 0) {
                    throw GraphException.at(source, first.line(), "missing column '" + COLUMNS.get(i)
                            + "' (PrimeKG kg.csv needs " + String.join(", ", COLUMNS) + ")");
                }
            }
            // Millions of rows share a handful of types and display labels: share the strings and maps.
            Map<String, String> snake = new HashMap<>();
            Map<String, Map<String, String>> displayAttributes = new HashMap<>();
            for (CsvRecords.Row record; (record = csv.next()) != null; ) {
                List<String> row = record.fields();
                long line = record.line();
                if (row.size() != header.size()) {
                    throw GraphException.at(source, line, "expected " + header.size() + " fields as in the header, found "
                            + row.size());
                }
                try {
                    String x = node(builder, row, col, 2, snake);
                    String y = node(builder, row, col, 7, snake);
                    String type = snake.computeIfAbsent(field(row, col, 0), Names::toLowerSnake);
                    Map<String, String> attrs = displayAttributes.computeIfAbsent(row.get(col[1]),
                            d -> d.isBlank() ? Map.of() : AttributeMap.freeze(Map.of("display", d)));
                    builder.addRelation(new Relation(x, type, y, attrs));
                } catch (IllegalArgumentException e) {
                    throw GraphException.at(source, line, e.getMessage());
                }
            }
        } catch (CsvRecords.CsvException e) {
            throw GraphException.at(source, e.line(), e.problem());
        }
        return builder.build();
    }

    /** Adds the node described by the five columns from {@code first} (index, id, type, name, source); returns its id. */
    private static String node(KnowledgeGraph.Builder builder, List<String> row, int[] col, int first,
                               Map<String, String> snake) {
        String type = snake.computeIfAbsent(field(row, col, first + 2), Names::toLowerSnake);
        String id = type + ":" + field(row, col, first + 4) + ":" + field(row, col, first + 1);
        Entity known = builder.entity(id);
        String name = field(row, col, first + 3);
        if (known != null && known.name().equals(name)) {
            return known.id(); // reuse the stored string rather than keeping one per row
        }
        builder.addEntity(new Entity(id, name, type));
        return id;
    }

    private static String field(List<String> row, int[] col, int i) {
        String v = row.get(col[i]);
        if (v.isBlank()) {
            throw new IllegalArgumentException("empty '" + COLUMNS.get(i) + "'");
        }
        return v;
    }
}
