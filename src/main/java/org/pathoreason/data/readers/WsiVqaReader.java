package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WSI-VQA's JSON ({@code WsiVQA_train/val/test.json}): a list of {@code {Id, Question, Answer, Choice?}} where
 * {@code Id} names the TCGA slide (several questions share it). A record with {@code Choice} is a closed
 * question and becomes an {@code mcq} sample whose answer is the letter of {@code Answer} among the choices (an
 * exact match, else one equal up to case, surrounding space and a final full stop); one without is an
 * {@code open} question scored with BLEU/ROUGE-L. A closed record whose answer is none of its choices (21 of
 * WSI-VQA's 3,724 closed training questions) is logged with its file, line and record and kept as an {@code open}
 * sample in subset {@code closed}, with {@code meta.choices} and {@code meta.answer_not_in_choices}.
 *
 * <p>Sample ids are {@code <Id>/<k>} with k the 0-based position of the question among its slide's questions in
 * the file (e.g. {@code TCGA-LD-A74U/2}). {@code subset} is {@code closed} or {@code open}; {@code meta.slide} is
 * the slide id; images come from {@link ReadOptions#slidePattern()}.
 */
public final class WsiVqaReader implements DatasetReader {

    private static final Logger LOG = LoggerFactory.getLogger(WsiVqaReader.class);

    @Override
    public List<Sample> read(Path file, ReadOptions options) {
        List<Sample> samples = new ArrayList<>();
        Map<String, Integer> perSlide = new HashMap<>();
        for (JsonRecords.Located r : JsonRecords.readArray(file, "{Id, Question, Answer, Choice?} records")) {
            JsonNode n = r.node();
            if (!n.isObject()) {
                throw JsonRecords.bad(file, r, "expected an object with Id, Question, Answer");
            }
            String slide = JsonRecords.text(file, r, n, "Id");
            String question = JsonRecords.text(file, r, n, "Question");
            JsonNode answerNode = n.get("Answer");
            if (answerNode == null || answerNode.isNull() || !answerNode.isValueNode()) {
                throw JsonRecords.bad(file, r, "missing field 'Answer'");
            }
            String answer = answerNode.asText();
            int k = perSlide.merge(slide, 1, Integer::sum) - 1;
            String id = slide + "/" + k;
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("slide", slide);
            List<String> images = options.slideImages(slide, null);
            JsonNode choice = n.get("Choice");
            if (choice == null || choice.isNull() || (choice.isArray() && choice.isEmpty())) {
                samples.add(new Sample(id, images, question, List.of(), answer, answer, null, null, null,
                        Task.OPEN, "open", meta));
                continue;
            }
            if (!choice.isArray() || choice.size() < 2) {
                throw JsonRecords.bad(file, r, "'Choice' of " + id + " should be a list of at least 2 texts");
            }
            if (choice.size() > 26) {
                throw JsonRecords.bad(file, r, "'Choice' of " + id + " has " + choice.size() + " texts; at most 26");
            }
            List<String> opts = new ArrayList<>();
            choice.forEach(c -> opts.add(c.asText()));
            int index = indexOf(opts, answer);
            if (index < 0) {
                // WSI-VQA's train split has a few such records ("the correct option is c(grade 3)."); keep them,
                // scored as open text, rather than lose the file.
                LOG.warn("{}:{}: record {}: Answer '{}' of {} is not one of its Choice texts {}; read as an open "
                        + "question", file, r.line(), r.index(), answer, id, opts);
                meta.put("choices", opts);
                meta.put("answer_not_in_choices", true);
                samples.add(new Sample(id, images, question, List.of(), answer, answer, null, null, null,
                        Task.OPEN, "closed", meta));
                continue;
            }
            samples.add(new Sample(id, images, question, opts, Sample.letter(index), opts.get(index), null, null,
                    null, Task.MCQ, "closed", meta));
        }
        return samples;
    }

    static int indexOf(List<String> options, String answer) {
        int exact = options.indexOf(answer);
        if (exact >= 0) {
            return exact;
        }
        String a = loose(answer);
        for (int i = 0; i < options.size(); i++) {
            if (loose(options.get(i)).equals(a)) {
                return i;
            }
        }
        return -1;
    }

    private static String loose(String s) {
        return s.strip().replaceAll("\\.$", "").strip().toLowerCase(Locale.ROOT);
    }
}
