package org.pathoreason.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/** Reads and writes canonical sample JSONL files (one {@link Sample} per line). */
public final class SampleJsonl {

    private static final ObjectMapper MAPPER = Json.MAPPER;

    private SampleJsonl() {
    }

    /**
     * Reads every sample; blank lines are skipped. Image paths are kept as written (relative to the file's folder);
     * use {@link #resolveImage(Path, String)} to open them.
     *
     * @throws DataException naming file and line for malformed JSON, a missing id, a duplicate id, an unknown task,
     *     or an answer letter outside the options
     */
    public static List<Sample> read(Path file) {
        List<Sample> samples = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Sample s = parseLine(file, lineNo, line);
                if (!ids.add(s.id())) {
                    throw DataException.at(file, lineNo, "duplicate id '" + s.id() + "'");
                }
                samples.add(s);
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        return samples;
    }

    /** Parses and validates one line. */
    public static Sample parseLine(Path file, long lineNo, String line) {
        Sample s;
        try {
            s = MAPPER.readValue(line, Sample.class);
        } catch (ValueInstantiationException e) {
            // a constructor or creator refused a value: say which, not "problem: NullPointerException"
            if (e.getCause() instanceof DataException d) {
                throw DataException.at(file, lineNo, d.getMessage());
            }
            if (e.getCause() instanceof NullPointerException npe) {
                throw DataException.at(file, lineNo, "id".equals(npe.getMessage()) ? "missing required field 'id'"
                        : "a list field (images, options, entities) has a null entry");
            }
            throw DataException.at(file, lineNo, "malformed JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw DataException.at(file, lineNo, "malformed JSON: " + e.getOriginalMessage());
        }
        validate(s, file, lineNo);
        return s;
    }

    static void validate(Sample s, Path file, long lineNo) {
        Task task = s.task();
        if (task == null) {
            throw DataException.at(file, lineNo, "missing field 'task' (expected mcq, yesno, open or caption)");
        }
        switch (task) {
            case MCQ -> {
                if (s.options().size() < 2) {
                    throw DataException.at(file, lineNo, "mcq sample '" + s.id() + "' needs at least 2 options");
                }
                int idx = Sample.letterIndex(s.answer());
                if (idx < 0 || idx >= s.options().size()) {
                    throw DataException.at(file, lineNo, "answer '" + s.answer() + "' of sample '" + s.id()
                            + "' is not an option letter A-" + Sample.letter(s.options().size() - 1));
                }
            }
            case YESNO, OPEN -> {
                if (s.answer() == null) {
                    throw DataException.at(file, lineNo, "sample '" + s.id() + "' has no answer");
                }
            }
            case CAPTION -> {
                if (s.caption() == null || s.caption().isBlank()) {
                    throw DataException.at(file, lineNo, "caption sample '" + s.id() + "' has no caption");
                }
            }
            default -> throw DataException.at(file, lineNo, "unknown task '" + task
                    + "' (expected mcq, yesno, open or caption)");
        }
    }

    /** Writes samples atomically, one JSON object per line. */
    public static void write(Path file, List<Sample> samples) {
        AtomicFiles.write(file, out -> {
            for (Sample s : samples) {
                out.write(MAPPER.writeValueAsBytes(s));
                out.write('\n');
            }
        });
    }

    /** Resolves an image path of a sample against the JSONL file's folder. */
    public static Path resolveImage(Path jsonlFile, String image) {
        Path p = Path.of(image);
        if (p.isAbsolute()) {
            return p;
        }
        Path dir = jsonlFile.toAbsolutePath().getParent();
        return dir.resolve(p).normalize();
    }
}
