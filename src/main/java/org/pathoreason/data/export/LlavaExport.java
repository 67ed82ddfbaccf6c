package org.pathoreason.data.export;

import org.pathoreason.data.Task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.ImagePaths;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Canonical samples as LLaVA / ShareGPT conversation JSON, the format LLaMA-Factory, SlideChat and PathReasoner-R1's
 * training code read:
 * <pre>
 * [{"id": "...", "image": "images/x.png", "images": ["images/x.png"],
 *   "conversations": [{"from": "human", "value": "&lt;image&gt;\nQuestion\nA) first\nB) second"},
 *                     {"from": "gpt", "value": "&lt;observe&gt;..&lt;/observe&gt;&lt;think&gt;..&lt;/think&gt;&lt;answer&gt;B&lt;/answer&gt;"}]}]
 * </pre>
 * {@code image} is LLaVA's (a path, or a list for several images), {@code images} LLaMA-Factory's; paths are
 * relative to the written file's folder. The answer turn carries the reasoning in tags when the sample has one,
 * else the bare answer (the option letter for multiple choice). A caption sample is a "Describe this image." turn
 * answered by the caption. {@code data.readers.LlavaConversationReader} reads the file back (captions come back as
 * open questions, as LLaVA has no task field).
 */
public final class LlavaExport {

    /** The human turn of a caption sample. */
    public static final String CAPTION_PROMPT = "Describe this image.";

    private LlavaExport() {
    }

    /** Writes the samples (whose relative images are read against {@code imageBase}) to {@code file}, atomically. */
    public static void write(List<Sample> samples, Path imageBase, Path file) {
        List<Sample> rebased = ImagePaths.rebase(samples, imageBase, file.toAbsolutePath().getParent());
        List<Map<String, Object>> records = new ArrayList<>(rebased.size());
        for (Sample s : rebased) {
            records.add(record(s));
        }
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(records) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, Object> record(Sample s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", s.id());
        if (!s.images().isEmpty()) {
            r.put("image", s.images().size() == 1 ? s.images().get(0) : s.images());
            r.put("images", s.images());
        }
        StringBuilder human = new StringBuilder();
        for (int i = 0; i < s.images().size(); i++) {
            human.append("<image>\n");
        }
        String answer;
        if (Task.CAPTION.equals(s.task())) {
            human.append(s.question().isBlank() ? CAPTION_PROMPT : s.question().strip());
            answer = s.caption().strip();
        } else {
            human.append(s.question().strip());
            for (int i = 0; i < s.options().size(); i++) {
                human.append('\n').append(Sample.letter(i)).append(") ").append(s.options().get(i));
            }
            answer = s.answer().strip();
        }
        Sample.Reasoning rs = s.reasoning();
        String gpt = answer;
        boolean observe = rs != null && rs.observe() != null && !rs.observe().isBlank();
        boolean think = rs != null && rs.think() != null && !rs.think().isBlank();
        if (observe || think) {
            gpt = (observe ? "<observe>" + rs.observe().strip() + "</observe>" : "")
                    + (think ? "<think>" + rs.think().strip() + "</think>" : "") + "<answer>" + answer + "</answer>";
        }
        r.put("conversations", List.of(Map.of("from", "human", "value", human.toString()),
                Map.of("from", "gpt", "value", gpt)));
        return r;
    }
}
