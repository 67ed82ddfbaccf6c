package org.pathoreason.wsi;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.Task;
import org.pathoreason.util.CsvRecords;
import org.pathoreason.util.Json;

/**
 * The question files of the public slide benchmarks, read into slide questions ({@code meta.slide} holds the slide
 * id the file names; {@link SlideIndex} finds its file):
 * <ul>
 *   <li>WSI-VQA (Chen et al., ECCV 2024; {@code WsiVQA_test.json}): a JSON array of {@code {"Id": TCGA case,
 *       "Question", "Answer": text, "Choice": [4 texts]}}; with {@code Choice} a closed question (the answer is one
 *       of the choices), without it an open one.</li>
 *   <li>SlideBench (SlideChat, CVPR 2025; {@code SlideBench-VQA (TCGA).csv}, {@code SlideBench-VQA (BCNB).csv}):
 *       CSV with a header naming {@code Slide}, {@code Question}, {@code A}..{@code D} and {@code Answer} (a
 *       letter), and optionally {@code ID}, {@code Tumor}, {@code Broad Category}, {@code Narrow Category} (TCGA)
 *       or {@code Task} (BCNB); every question is closed.</li>
 *   <li>{@code jsonl}: the project's own slide questions (canonical samples, the slide in {@code meta.slide}).</li>
 * </ul>
 */
public final class SlideBenchmarks {

    /** Which benchmark a question file is from. */
    public enum Benchmark {
        WSI_VQA("wsi-vqa"),
        SLIDEBENCH("slidebench"),
        /** The project's slide questions ({@code wsi synth}'s {@code slide-questions.jsonl}; meta.slide names each). */
        JSONL("jsonl");

        private final String id;

        Benchmark(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Benchmark parse(String s) {
            for (Benchmark b : values()) {
                if (b.id.equalsIgnoreCase(s.strip())) {
                    return b;
                }
            }
            throw new DataException("--benchmark must be wsi-vqa, slidebench or jsonl, got '" + s + "'");
        }
    }

    /** What a question file held: the questions read and the entries left out (with why). */
    public record Read(List<Sample> questions, List<String> skipped) {
    }

    private SlideBenchmarks() {
    }

    public static Read read(Benchmark benchmark, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": no such question file");
        }
        return switch (benchmark) {
            case WSI_VQA -> wsiVqa(file);
            case SLIDEBENCH -> slideBench(file);
            case JSONL -> new Read(org.pathoreason.data.SampleJsonl.read(file), List.of());
        };
    }

    private static Read wsiVqa(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new DataException(file + ": not JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isArray()) {
            throw new DataException(file + ": expected WSI-VQA's JSON array of {\"Id\", \"Question\", \"Answer\", "
                    + "\"Choice\"} objects");
        }
        List<Sample> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            String where = file + ": entry " + i;
            String id = text(e, "Id", where);
            String question = text(e, "Question", where);
            String answer = text(e, "Answer", where);
            String qid = String.format(Locale.ROOT, "wsivqa-%05d", i);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put(SlideQuestions.META_SLIDE, id);
            meta.put("benchmark", Benchmark.WSI_VQA.id());
            JsonNode choice = e.get("Choice");
            if (choice == null || choice.isNull()) {
                out.add(Sample.builder(qid).question(question).answer(answer).task(Task.OPEN).subset("open")
                        .meta(meta).build());
                continue;
            }
            if (!choice.isArray() || choice.isEmpty()) {
                throw new DataException(where + " (Id " + id + "): \"Choice\" must be an array of option texts");
            }
            List<String> options = new ArrayList<>();
            int gold = -1;
            for (JsonNode c : choice) {
                String o = c.asText().strip();
                if (gold < 0 && o.equalsIgnoreCase(answer.strip())) {
                    gold = options.size();
                }
                options.add(o);
            }
            if (gold < 0) {
                skipped.add(where + " (Id " + id + "): the answer '" + answer + "' is none of its choices");
                continue;
            }
            out.add(Sample.builder(qid).question(question).options(options).answer(Sample.letter(gold))
                    .answerText(options.get(gold)).task(Task.MCQ).subset("closed").meta(meta).build());
        }
        return new Read(out, skipped);
    }

    private static String text(JsonNode e, String field, String where) {
        JsonNode v = e == null ? null : e.get(field);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            throw new DataException(where + ": missing \"" + field + "\"");
        }
        return v.asText();
    }

    private static Read slideBench(Path file) {
        List<CsvRecords.Row> rows = CsvRecords.readAll(file);
        if (rows.isEmpty()) {
            throw new DataException(file + ": empty; expected SlideBench's CSV with a header row");
        }
        List<String> header = rows.get(0).fields().stream().map(h -> h.strip().replace("\uFEFF", "")).toList();
        int slide = column(header, "Slide", file);
        int question = column(header, "Question", file);
        int answer = column(header, "Answer", file);
        int[] letters = {column(header, "A", file), column(header, "B", file), header.indexOf("C"),
                header.indexOf("D")};
        int idCol = header.indexOf("ID");
        int broad = header.indexOf("Broad Category");
        int narrow = header.indexOf("Narrow Category");
        int task = header.indexOf("Task");
        int tumor = header.indexOf("Tumor");
        List<Sample> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (CsvRecords.Row row : rows.subList(1, rows.size())) {
            List<String> f = row.fields();
            String where = file + ": line " + row.line();
            if (f.size() < header.size()) {
                throw new DataException(where + ": " + f.size() + " fields, the header has " + header.size());
            }
            List<String> options = new ArrayList<>();
            for (int c : letters) {
                if (c >= 0 && !f.get(c).isBlank()) {
                    options.add(f.get(c).strip());
                }
            }
            String gold = f.get(answer).strip().toUpperCase(Locale.ROOT);
            int g = gold.length() == 1 ? gold.charAt(0) - 'A' : -1;
            if (g < 0 || g >= options.size()) {
                skipped.add(where + ": Answer '" + f.get(answer) + "' is not the letter of one of its "
                        + options.size() + " options");
                continue;
            }
            String id = "slidebench-" + (idCol >= 0 && !f.get(idCol).isBlank() ? f.get(idCol).strip()
                    : String.valueOf(row.line()));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put(SlideQuestions.META_SLIDE, f.get(slide).strip());
            meta.put("benchmark", Benchmark.SLIDEBENCH.id());
            if (tumor >= 0) {
                meta.put("tumor", f.get(tumor).strip());
            }
            if (narrow >= 0) {
                meta.put("narrow_category", f.get(narrow).strip());
            }
            String subset = broad >= 0 ? f.get(broad).strip() : task >= 0 ? f.get(task).strip() : "slidebench";
            out.add(Sample.builder(id).question(f.get(question).strip()).options(options).answer(Sample.letter(g))
                    .answerText(options.get(g)).task(Task.MCQ).subset(subset).meta(meta).build());
        }
        return new Read(out, skipped);
    }

    private static int column(List<String> header, String name, Path file) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new DataException(file + ": the header has no '" + name + "' column (it has " + header
                    + "); expected SlideBench's Slide, Question, A, B, C, D, Answer");
        }
        return i;
    }
}
