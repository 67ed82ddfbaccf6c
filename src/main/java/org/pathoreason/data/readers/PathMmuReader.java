package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;

/**
 * PathMMU's {@code data.json}: {@code {subset: {split: [item, ...]}}} with subsets such as PubMed, EduContent,
 * Atlas, SocialPath, PathCLS and splits {@code val}, {@code test}, {@code test_tiny}. Each item has {@code No},
 * {@code img} (relative to the {@code images/} folder beside {@code data.json}), {@code question},
 * {@code options} ({@code "A) text"}), {@code answer} ({@code "D) text"}) and usually {@code explanation}.
 * PathMMU also ships per-subset files, {@code {split: [item, ...]}} (e.g. {@code socialpath_mapping.json}, whose
 * items add {@code tw_id}, {@code img_position}, {@code ref_web}); these are read too, the subset named by
 * {@link ReadOptions#subset()} or taken from the file name ({@code socialpath_mapping.json} is SocialPath).
 *
 * <p>Sample ids are {@code subset/split/No}, e.g. {@code PubMed/test/12}; an item without {@code No} uses its
 * 0-based position in its split's list instead. Images become {@code images/<img>}; {@code subset} is the PathMMU
 * subset; {@code meta} keeps {@code split}, {@code No}, the explanation and any other scalar fields.
 */
public final class PathMmuReader implements DatasetReader {

    /** PathMMU's subsets, as {@code data.json} spells them. */
    public static final List<String> SUBSETS = List.of("PubMed", "EduContent", "Atlas", "SocialPath", "PathCLS");

    @Override
    public List<Sample> read(Path file, ReadOptions options) {
        List<Sample> samples = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> subsetsSeen = new LinkedHashSet<>();
        Boolean perSubset = null;
        String fileSubset = null;
        try (JsonParser p = JsonRecords.open(file)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw DataException.at(file, p.currentTokenLocation().getLineNr(),
                        "expected PathMMU's {subset: {split: [items]}} or a per-subset {split: [items]} object, found "
                                + JsonRecords.describe(t));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (perSubset == null && (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT)) {
                    perSubset = value == JsonToken.START_ARRAY;
                    if (perSubset) {
                        fileSubset = subsetOfFile(file, options.subset());
                    }
                }
                if (Boolean.TRUE.equals(perSubset)) {
                    readSplit(file, p, fileSubset, name, options, ids, samples);
                    continue;
                }
                if (value != JsonToken.START_OBJECT) {
                    throw DataException.at(file, p.currentTokenLocation().getLineNr(), "subset '" + name
                            + "' should map split names to lists, found " + JsonRecords.describe(value));
                }
                subsetsSeen.add(name);
                if (options.subset() != null && !options.subset().equalsIgnoreCase(name)) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String split = p.currentName();
                    p.nextToken();
                    readSplit(file, p, name, split, options, ids, samples);
                }
            }
        } catch (JsonProcessingException e) {
            throw JsonRecords.malformed(file, e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (Boolean.FALSE.equals(perSubset) && options.subset() != null
                && subsetsSeen.stream().noneMatch(options.subset()::equalsIgnoreCase)) {
            throw new DataException(file + ": no subset '" + options.subset() + "' (the file has "
                    + String.join(", ", subsetsSeen) + ")");
        }
        return samples;
    }

    /** Reads one split's list (the parser on its first token), unless the options leave the split out. */
    private static void readSplit(Path file, JsonParser p, String subset, String split, ReadOptions options,
            Set<String> ids, List<Sample> samples) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw DataException.at(file, p.currentTokenLocation().getLineNr(), "split '" + subset + "/" + split
                    + "' should be a list of items, found " + JsonRecords.describe(p.currentToken()));
        }
        if (!options.keepsSplit(split)) {
            p.skipChildren();
            return;
        }
        JsonRecords.forEachElement(file, p, r -> {
            Sample s = toSample(file, r, subset, split);
            if (!ids.add(s.id())) {
                throw JsonRecords.bad(file, r, "duplicate id '" + s.id() + "' (two items with the same No)");
            }
            samples.add(s);
        });
    }

    /**
     * The subset a per-subset file holds: the one given, else the one its name starts with, ignoring case and
     * anything after an underscore or dot ({@code socialpath_mapping.json}, {@code PubMed.json}).
     */
    static String subsetOfFile(Path file, String given) {
        if (given != null && !given.isBlank()) {
            return SUBSETS.stream().filter(given.strip()::equalsIgnoreCase).findFirst().orElse(given.strip());
        }
        String stem = file.getFileName().toString().split("[_.]", 2)[0];
        return SUBSETS.stream().filter(stem::equalsIgnoreCase).findFirst().orElseThrow(() -> new DataException(
                file + ": a per-subset PathMMU file ({split: [items]}) whose name names no subset; name it (one of "
                        + String.join(", ", SUBSETS) + ") with the subset option (--subset)"));
    }

    private static Sample toSample(Path file, JsonRecords.Located r, String subset, String split) {
        JsonNode item = r.node();
        String where = subset + "/" + split + " ";
        if (!item.isObject()) {
            throw JsonRecords.bad(file, r, where + "item should be an object");
        }
        JsonNode no = item.get("No");
        String number = no == null || no.isNull() ? String.valueOf(r.index()) : no.asText();
        String id = subset + "/" + split + "/" + number;
        String question = JsonRecords.text(file, r, item, "question");
        String img = JsonRecords.text(file, r, item, "img");
        JsonNode opts = item.get("options");
        if (opts == null || !opts.isArray() || opts.size() < 2) {
            throw JsonRecords.bad(file, r, "item " + id + ": 'options' should be a list of at least 2 \"A) text\" strings");
        }
        List<String> options = new ArrayList<>();
        for (int i = 0; i < opts.size(); i++) {
            String raw = opts.get(i).asText();
            Optional<OptionLabels.Labelled> l = OptionLabels.parse(raw);
            if (l.isPresent() && !l.get().letter().equals(Sample.letter(i))) {
                throw JsonRecords.bad(file, r, "item " + id + ": option " + (i + 1) + " is labelled '"
                        + l.get().letter() + "', expected '" + Sample.letter(i) + "'");
            }
            options.add(l.map(OptionLabels.Labelled::text).orElse(raw.strip()));
        }
        String answerRaw = JsonRecords.text(file, r, item, "answer");
        String letter = OptionLabels.parse(answerRaw).map(OptionLabels.Labelled::letter)
                .or(() -> OptionLabels.bareLetter(answerRaw))
                .orElseThrow(() -> JsonRecords.bad(file, r, "item " + id + ": answer '" + answerRaw
                        + "' does not start with an option letter (expected e.g. \"D) text\")"));
        int index = Sample.letterIndex(letter);
        if (index >= options.size()) {
            throw JsonRecords.bad(file, r, "item " + id + ": answer letter " + letter + " but only "
                    + options.size() + " options");
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("split", split);
        meta.put("No", number);
        for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            if (!Set.of("No", "img", "question", "options", "answer").contains(k) && f.getValue().isValueNode()
                    && !f.getValue().isNull()) {
                meta.put(k, f.getValue().asText());
            }
        }
        return new Sample(id, List.of("images/" + img), question, options, letter, options.get(index), null, null,
                null, Task.MCQ, subset, meta);
    }
}
