package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.util.CsvRecords;

/**
 * SlideBench-VQA (SlideChat) test CSV with the columns {@code ID, Slide, Tumor, Broad Category, Narrow Category,
 * Question, A, B, C, D, Answer} (other columns, such as pandas' unnamed index or a model's {@code Output}, are
 * ignored). Options are the non-empty cells among A..D, which must not leave gaps; {@code Answer} is a letter
 * ({@code B}, {@code B.}, {@code (B)}), a labelled option ({@code B) text}) or an option's exact text.
 *
 * <p>Sample ids are the {@code ID} column. {@code subset} is the broad category; {@code meta} keeps
 * {@code question_type} (the narrow category), {@code tumor} and {@code slide}; images come from
 * {@link ReadOptions#slidePattern()} ({@code {slide}} and {@code {tumor}} are filled in).
 */
public final class SlideBenchReader implements DatasetReader {

    private static final List<String> REQUIRED = List.of("ID", "Slide", "Question", "A", "B", "Answer");
    private static final List<String> LETTERS = List.of("A", "B", "C", "D");

    @Override
    public List<Sample> read(Path file, ReadOptions options) {
        List<CsvRecords.Row> rows;
        try {
            rows = CsvRecords.readAll(file);
        } catch (CsvRecords.CsvException e) {
            throw DataException.at(file, e.line(), e.problem());
        }
        if (rows.isEmpty()) {
            throw DataException.at(file, 1, "empty file; expected a SlideBench header (ID, Slide, Tumor, Broad "
                    + "Category, Narrow Category, Question, A, B, C, D, Answer)");
        }
        Map<String, Integer> columns = new HashMap<>();
        List<String> header = rows.get(0).fields();
        for (int i = 0; i < header.size(); i++) {
            columns.putIfAbsent(header.get(i).strip(), i);
        }
        for (String c : REQUIRED) {
            if (!columns.containsKey(c)) {
                throw DataException.at(file, rows.get(0).line(), "missing column '" + c + "' (header has "
                        + header + ")");
            }
        }
        List<Sample> samples = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int r = 1; r < rows.size(); r++) {
            CsvRecords.Row row = rows.get(r);
            Sample s = toSample(file, row, r, columns, options);
            if (!ids.add(s.id())) {
                throw at(file, row, r, "duplicate ID '" + s.id() + "'");
            }
            samples.add(s);
        }
        return samples;
    }

    private static Sample toSample(Path file, CsvRecords.Row row, int record, Map<String, Integer> columns,
            ReadOptions options) {
        if (row.fields().size() > 1 && row.fields().size() < columns.values().stream().mapToInt(i -> i).max()
                .orElse(0) + 1) {
            // pandas always writes every column; a short row is a broken line
            throw at(file, row, record, "has " + row.fields().size() + " fields, the header has more");
        }
        String id = required(file, row, record, columns, "ID");
        String slide = required(file, row, record, columns, "Slide");
        String question = required(file, row, record, columns, "Question");
        String tumor = cell(row, columns, "Tumor");
        List<String> opts = new ArrayList<>();
        boolean gap = false;
        for (String letter : LETTERS) {
            String v = cell(row, columns, letter);
            if (v == null || v.isBlank()) {
                gap = true;
            } else if (gap) {
                throw at(file, row, record, "option " + letter + " is given but an earlier option is empty");
            } else {
                opts.add(v.strip());
            }
        }
        if (opts.size() < 2) {
            throw at(file, row, record, "needs at least options A and B");
        }
        String answer = required(file, row, record, columns, "Answer");
        int index = answerIndex(answer, opts);
        if (index < 0) {
            throw at(file, row, record, "Answer '" + answer + "' is neither a letter A-" + Sample.letter(opts.size() - 1)
                    + " nor the text of an option");
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("slide", slide);
        putIfPresent(meta, "tumor", tumor);
        putIfPresent(meta, "question_type", cell(row, columns, "Narrow Category"));
        String broad = cell(row, columns, "Broad Category");
        String subset = broad == null || broad.isBlank() ? "all" : broad.strip();
        return new Sample(id, options.slideImages(slide, tumor), question, opts, Sample.letter(index),
                opts.get(index), null, null, null, Task.MCQ, subset, meta);
    }

    static int answerIndex(String answer, List<String> opts) {
        Optional<String> letter = OptionLabels.bareLetter(answer)
                .or(() -> OptionLabels.parse(answer).map(OptionLabels.Labelled::letter));
        if (letter.isPresent()) {
            int i = Sample.letterIndex(letter.get());
            return i < opts.size() ? i : -1;
        }
        return WsiVqaReader.indexOf(opts, answer);
    }

    private static void putIfPresent(Map<String, Object> meta, String key, String value) {
        if (value != null && !value.isBlank()) {
            meta.put(key, value.strip());
        }
    }

    private static String cell(CsvRecords.Row row, Map<String, Integer> columns, String column) {
        Integer i = columns.get(column);
        return i == null || i >= row.fields().size() ? null : row.fields().get(i);
    }

    private static String required(Path file, CsvRecords.Row row, int record, Map<String, Integer> columns, String column) {
        String v = cell(row, columns, column);
        if (v == null || v.isBlank()) {
            throw at(file, row, record, "empty '" + column + "'");
        }
        return v.strip();
    }

    private static DataException at(Path file, CsvRecords.Row row, int record, String problem) {
        return DataException.at(file, row.line(), "record " + record + ": " + problem);
    }
}
