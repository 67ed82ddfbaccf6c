package org.pathoreason.data.readers;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;

/** The dataset formats PathoReason reads, with their readers and auto-detection. */
public enum DatasetFormat {
    /** Canonical sample JSONL (DESIGN.md). */
    JSONL("jsonl", () -> (file, options) -> SampleJsonl.read(file)),
    /** PathMMU {@code data.json} (or the folder holding it), or one of its per-subset files. */
    PATHMMU("pathmmu", PathMmuReader::new),
    /** WSI-VQA JSON list. */
    WSI_VQA("wsi-vqa", WsiVqaReader::new),
    /** SlideBench-VQA CSV. */
    SLIDEBENCH("slidebench", SlideBenchReader::new),
    /** LLaVA / ShareGPT conversation JSON. */
    LLAVA("llava", LlavaConversationReader::new),
    /** A folder with one sub-folder of images per class. */
    IMAGE_FOLDER("image-folder", ImageFolderReader::new),
    /** WebDataset tar shards: a {@code .tar} file or a folder of them. */
    WEBDATASET("webdataset", WebDatasetReader::new);

    private final String id;
    private final Supplier<DatasetReader> reader;

    DatasetFormat(String id, Supplier<DatasetReader> reader) {
        this.id = id;
        this.reader = reader;
    }

    /** The name used on the command line. */
    public String id() {
        return id;
    }

    public DatasetReader reader() {
        return reader.get();
    }

    /** Parses a command-line name ({@code jsonl}, {@code pathmmu}, {@code wsi-vqa}, ...). */
    public static DatasetFormat parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DatasetFormat f : values()) {
            if (f.id.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown dataset format '" + name + "' (expected one of " + ids() + ")");
    }

    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(DatasetFormat::id).toList());
    }

    /** The folder that relative image paths of samples read from {@code input} are relative to. */
    public Path imageBase(Path input) {
        Path abs = input.toAbsolutePath().normalize();
        return Files.isDirectory(abs) ? abs : abs.getParent();
    }

    /** Reads a dataset; a PathMMU folder is read through its {@code data.json}. */
    public List<Sample> read(Path input, ReadOptions options) {
        Path file = this == PATHMMU && Files.isDirectory(input) ? input.resolve("data.json") : input;
        if (!Files.exists(file)) {
            throw new DataException(file + ": no such file or folder");
        }
        return reader().read(file, options);
    }

    /**
     * Guesses the format: a folder is PathMMU when it holds {@code data.json}, WebDataset when it holds
     * {@code .tar} shards, else an image folder; {@code .jsonl} is canonical; {@code .csv} is SlideBench;
     * {@code .tar} is a WebDataset shard; a {@code .json} file is told apart by its first record.
     */
    public static DatasetFormat detect(Path input) {
        if (Files.isDirectory(input)) {
            if (Files.isRegularFile(input.resolve("data.json"))) {
                return PATHMMU;
            }
            try (java.util.stream.Stream<Path> s = Files.list(input)) {
                if (s.anyMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tar"))) {
                    return WEBDATASET;
                }
            } catch (IOException e) {
                throw new DataException(input + ": cannot list: " + e.getMessage(), e);
            }
            return IMAGE_FOLDER;
        }
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tar")) {
            return WEBDATASET;
        }
        if (name.endsWith(".jsonl")) {
            return JSONL;
        }
        if (name.endsWith(".csv")) {
            return SLIDEBENCH;
        }
        if (name.endsWith(".json")) {
            return detectJson(input);
        }
        throw new DataException(input + ": cannot tell the format from the name; give --format (one of " + ids() + ")");
    }

    private static DatasetFormat detectJson(Path file) {
        try (JsonParser p = JsonRecords.open(file)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                // PathMMU: {subset: {split: [...]}}, or one subset's {split: [...]}
                if (p.nextToken() == JsonToken.FIELD_NAME) {
                    JsonToken v = p.nextToken();
                    if (v == JsonToken.START_ARRAY || v == JsonToken.START_OBJECT
                            && p.nextToken() == JsonToken.FIELD_NAME && p.nextToken() == JsonToken.START_ARRAY) {
                        return PATHMMU;
                    }
                }
            } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT) {
                JsonNode first = p.readValueAsTree();
                if (first.has("conversations")) {
                    return LLAVA;
                }
                if (first.has("Question") && first.has("Answer")) {
                    return WSI_VQA;
                }
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot detect the format: " + e.getMessage(), e);
        }
        throw new DataException(file + ": not a PathMMU, WSI-VQA or LLaVA JSON file as far as its first record "
                + "shows; give --format (one of " + ids() + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
