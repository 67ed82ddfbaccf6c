package org.pathoreason.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleJsonlTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsTheCanonicalFormat() throws IOException {
        Sample s = new Sample("synth-000123", List.of("images/000123.png"), "What is the most likely diagnosis?",
                List.of("Acute inflammation", "Chronic inflammation"), "B", "Chronic inflammation",
                new Sample.Reasoning("plasma cells", "plasma cells suggest chronic inflammation"), null,
                List.of("plasma cell"), Task.MCQ, "diagnosis", Map.of("seed", 7));
        Path file = dir.resolve("d.jsonl");
        SampleJsonl.write(file, List.of(s));
        String line = Files.readString(file).trim();
        assertThat(line).contains("\"answer_text\":\"Chronic inflammation\"").doesNotContain("caption");
        assertThat(SampleJsonl.read(file)).containsExactly(s);
        assertThat(SampleJsonl.resolveImage(file, "images/000123.png")).isEqualTo(dir.resolve("images/000123.png"));
    }

    @Test
    void reportsFileAndLineForBadRecords() throws IOException {
        Path file = dir.resolve("bad.jsonl");
        String ok = "{\"id\":\"a\",\"task\":\"yesno\",\"question\":\"q\",\"answer\":\"yes\"}";
        Files.writeString(file, ok + "\n\n{\"id\":\"b\",\"task\":\"mcq\",\"options\":[\"x\",\"y\"],\"answer\":\"E\"}\n");
        assertThatThrownBy(() -> SampleJsonl.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("bad.jsonl:3")
                .hasMessageContaining("'E'");
        Files.writeString(file, ok + "\n{\"id\": \n");
        assertThatThrownBy(() -> SampleJsonl.read(file)).hasMessageContaining("bad.jsonl:2: malformed JSON");
        Files.writeString(file, ok + "\n" + ok + "\n");
        assertThatThrownBy(() -> SampleJsonl.read(file)).hasMessageContaining("bad.jsonl:2: duplicate id 'a'");
        Files.writeString(file, "{\"task\":\"open\",\"answer\":\"x\"}\n");
        assertThatThrownBy(() -> SampleJsonl.read(file)).hasMessageContaining("bad.jsonl:1: missing required field 'id'");
        Files.writeString(file, "{\"id\":\"n\",\"task\":\"open\",\"answer\":\"x\",\"images\":[null]}\n");
        assertThatThrownBy(() -> SampleJsonl.read(file)).isInstanceOf(DataException.class)
                .hasMessageContaining("bad.jsonl:1: a list field (images, options, entities) has a null entry");
        // bytes that are not UTF-8: a DataException naming the file (was an UncheckedIOException)
        Files.write(file, new byte[] {'{', (byte) 0xC3, '}', '\n'});
        assertThatThrownBy(() -> SampleJsonl.read(file)).isInstanceOf(DataException.class)
                .hasMessageContaining("bad.jsonl: cannot read");
        Files.writeString(file, "{\"id\":\"c\",\"task\":\"essay\"}\n");
        assertThatThrownBy(() -> SampleJsonl.read(file)).hasMessageContaining("unknown task 'essay'");
    }

    @Test
    void metaKeepsInsertionOrderSoOutputIsByteStable() {
        java.util.LinkedHashMap<String, Object> meta = new java.util.LinkedHashMap<>();
        for (String k : List.of("zeta", "alpha", "mid", "beta", "omega")) {
            meta.put(k, k.length());
        }
        Sample s = new Sample("m", null, "q", null, "yes", null, null, null, null, Task.YESNO, null, meta);
        assertThat(s.meta().keySet()).containsExactly("zeta", "alpha", "mid", "beta", "omega");
    }
}
