package org.pathoreason.knowledge;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tab-separated triples with entity declarations (see {@code package-info}):
 * <pre>
 * #name	my graph
 * #entity	plasma_cell	cell_type	plasma cell	plasma cells|plasmacyte
 * plasma_cell	suggests	chronic_inflammation	weight=0.8;required=false
 * </pre>
 * Other lines starting with {@code #} are comments. Entities may be declared after the triples that use them.
 */
final class TsvGraphFormat {

    private TsvGraphFormat() {
    }

    private record PendingRelation(Relation relation, long line) {
    }

    static KnowledgeGraph read(BufferedReader reader, String source) throws IOException {
        KnowledgeGraph.Builder builder = KnowledgeGraph.builder().name(GraphFormats.baseName(source));
        List<PendingRelation> pending = new ArrayList<>();
        String line;
        long lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                if (f[0].equals("#entity")) {
                    if (f.length < 4 || f.length > 5) {
                        throw new IllegalArgumentException("expected #entity<TAB>id<TAB>type<TAB>name[<TAB>synonym|synonym...]"
                                + " but found " + f.length + " tab-separated fields");
                    }
                    List<String> synonyms = new ArrayList<>();
                    if (f.length == 5 && !f[4].isBlank()) {
                        for (String s : f[4].split("\\|", -1)) {
                            synonyms.add(s.strip());
                        }
                    }
                    builder.addEntity(new Entity(f[1].strip(), f[3].strip(), f[2].strip(), synonyms));
                } else if (f[0].equals("#name")) {
                    if (f.length != 2) {
                        throw new IllegalArgumentException("expected #name<TAB>graph name");
                    }
                    builder.name(f[1].strip());
                } else if (f[0].startsWith("#")) {
                    continue;
                } else {
                    if (f.length < 3 || f.length > 4) {
                        throw new IllegalArgumentException("expected head<TAB>relation<TAB>tail[<TAB>key=value;...]"
                                + " but found " + f.length + " tab-separated field" + (f.length == 1 ? "" : "s"));
                    }
                    Map<String, String> attributes = f.length == 4 ? attributes(f[3]) : Map.of();
                    pending.add(new PendingRelation(new Relation(f[0].strip(), f[1].strip(), f[2].strip(), attributes),
                            lineNo));
                }
            } catch (IllegalArgumentException | NullPointerException e) {
                throw GraphException.at(source, lineNo, e.getMessage());
            }
        }
        for (PendingRelation p : pending) {
            try {
                builder.addRelation(p.relation());
            } catch (IllegalArgumentException e) {
                throw GraphException.at(source, p.line(), e.getMessage() + " (declare it with an #entity line)");
            }
        }
        return builder.build();
    }

    private static Map<String, String> attributes(String field) {
        Map<String, String> map = new LinkedHashMap<>();
        if (field.isBlank()) {
            return map;
        }
        for (String pair : field.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("attribute '" + pair.strip() + "' is not key=value");
            }
            String key = pair.substring(0, eq).strip();
            if (map.put(key, pair.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException("attribute '" + key + "' given twice");
            }
        }
        return map;
    }
}
