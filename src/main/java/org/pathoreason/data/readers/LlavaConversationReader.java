package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pathoreason.data.Sample;
import org.pathoreason.text.ReasoningTags;

/**
 * LLaVA / ShareGPT conversation records ({@code [{id, image, conversations: [{from, value}, ...]}]}), the
 * format of SlideChat's SlideInstruction and PathReasoner's training data. Each human turn followed by a gpt turn
 * becomes one sample; the {@code <image>} placeholder is removed from the question. A gpt turn written as
 * {@code <observe>..</observe>} (or {@code <info>}) {@code <think>..</think><answer>..</answer>} gives the
 * reasoning target and the answer; otherwise the whole turn is the answer.
 *
 * <p>The task follows the content: a question listing options ({@code A) ..}, {@code A. ..} lines) with a
 * single-letter answer is {@code mcq} (the option lines leave the question); a yes/no answer is {@code yesno};
 * anything else is {@code open}. Sample ids are the record's {@code id} for a one-exchange conversation and
 * {@code <id>/<t>} (t from 0) for each exchange of a longer one. {@code image} (a path or a list) is kept as
 * written, relative to the JSON file's folder.
 */
public final class LlavaConversationReader implements DatasetReader {

    private static final Pattern OPTION_LINE = Pattern.compile("^[ \\t]*\\(?([A-Z])[).:]\\)?\\s+(.+?)\\s*$",
            Pattern.MULTILINE);
    // PathReasoner writes its findings in <info> in some records; ReasoningTags knows <observe> only
    private static final Pattern INFO = Pattern.compile("<info>(.*?)</info>", Pattern.DOTALL);

    @Override
    public List<Sample> read(Path file, ReadOptions options) {
        List<Sample> samples = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonRecords.Located r : JsonRecords.readArray(file, "{id, image, conversations} records")) {
            JsonNode n = r.node();
            if (!n.isObject()) {
                throw JsonRecords.bad(file, r, "expected an object with id, image, conversations");
            }
            String id = JsonRecords.text(file, r, n, "id");
            List<String> images = images(file, r, n.get("image"));
            JsonNode conv = n.get("conversations");
            if (conv == null || !conv.isArray() || conv.isEmpty()) {
                throw JsonRecords.bad(file, r, id + ": 'conversations' should be a non-empty list of {from, value}");
            }
            List<String[]> exchanges = exchanges(file, r, id, conv);
            for (int t = 0; t < exchanges.size(); t++) {
                String sid = exchanges.size() == 1 ? id : id + "/" + t;
                if (!ids.add(sid)) {
                    throw JsonRecords.bad(file, r, "duplicate id '" + sid + "'");
                }
                samples.add(toSample(sid, images, exchanges.get(t)[0], exchanges.get(t)[1], t));
            }
        }
        return samples;
    }

    private static List<String> images(Path file, JsonRecords.Located r, JsonNode image) {
        List<String> images = new ArrayList<>();
        if (image == null || image.isNull()) {
            return images;
        }
        if (image.isTextual()) {
            images.add(image.asText());
        } else if (image.isArray()) {
            image.forEach(i -> images.add(i.asText()));
        } else {
            throw JsonRecords.bad(file, r, "'image' should be a path or a list of paths");
        }
        return images;
    }

    /** Pairs each human turn with the gpt turn that follows it. */
    private static List<String[]> exchanges(Path file, JsonRecords.Located r, String id, JsonNode conv) {
        List<String[]> out = new ArrayList<>();
        String pending = null;
        for (int i = 0; i < conv.size(); i++) {
            JsonNode turn = conv.get(i);
            String from = turn.path("from").asText("").toLowerCase(Locale.ROOT);
            JsonNode value = turn.get("value");
            if (value == null || !value.isTextual()) {
                throw JsonRecords.bad(file, r, id + ": turn " + i + " has no text 'value'");
            }
            switch (from) {
                case "human", "user" -> pending = value.asText();
                case "gpt", "assistant" -> {
                    if (pending == null) {
                        throw JsonRecords.bad(file, r, id + ": turn " + i + " answers no human turn");
                    }
                    out.add(new String[] {pending, value.asText()});
                    pending = null;
                }
                case "system" -> {
                    // a system prompt belongs to the prompt builder, not to the sample
                }
                default -> throw JsonRecords.bad(file, r, id + ": turn " + i + " is from '" + from
                        + "'; expected human or gpt");
            }
        }
        if (out.isEmpty()) {
            throw JsonRecords.bad(file, r, id + ": no human turn followed by a gpt turn");
        }
        return out;
    }

    private static Sample toSample(String id, List<String> images, String human, String gpt, int turn) {
        String question = human.replace("<image>", "").strip();
        Sample.Reasoning reasoning = null;
        String answer = gpt.strip();
        ReasoningTags.Parsed tags = ReasoningTags.parse(gpt);
        if (tags.answer() != null) {
            answer = tags.answer();
            String observe = tags.observe();
            if (observe == null) {
                Matcher info = INFO.matcher(gpt);
                observe = info.find() ? info.group(1).strip() : null;
            }
            if (tags.think() != null || observe != null) {
                reasoning = new Sample.Reasoning(observe, tags.think());
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        if (turn > 0) {
            meta.put("turn", turn);
        }
        List<String> options = new ArrayList<>();
        Matcher opt = OPTION_LINE.matcher(question);
        int firstOptionAt = -1;
        while (opt.find()) {
            if (!opt.group(1).equals(Sample.letter(options.size()))) {
                options.clear();
                firstOptionAt = -1;
                if (!opt.group(1).equals("A")) {
                    continue;
                }
            }
            if (options.isEmpty()) {
                firstOptionAt = opt.start();
            }
            options.add(opt.group(2));
        }
        String letter = answerLetter(answer, options);
        if (options.size() >= 2 && letter != null) {
            String stem = question.substring(0, firstOptionAt).strip();
            int index = Sample.letterIndex(letter);
            return new Sample(id, images, stem, options, letter, options.get(index), reasoning, null, null,
                    Task.MCQ, null, meta);
        }
        String yn = answer.toLowerCase(Locale.ROOT).replaceAll("[.!]+$", "").strip();
        if (yn.equals("yes") || yn.equals("no")) {
            return new Sample(id, images, question, List.of(), yn, answer, reasoning, null, null, Task.YESNO,
                    null, meta);
        }
        return new Sample(id, images, question, List.of(), answer, answer, reasoning, null, null, Task.OPEN,
                null, meta);
    }

    /** The letter of an answer like {@code B}, {@code (B)}, {@code B) text} within the options, else null. */
    private static String answerLetter(String answer, List<String> options) {
        if (options.size() < 2) {
            return null;
        }
        String letter = OptionLabels.bareLetter(answer)
                .or(() -> OptionLabels.parse(answer).map(OptionLabels.Labelled::letter)).orElse(null);
        if (letter != null && Sample.letterIndex(letter) < options.size()) {
            return letter;
        }
        int byText = WsiVqaReader.indexOf(options, answer);
        return byText >= 0 ? Sample.letter(byText) : null;
    }
}
