package org.pathoreason.data.synth;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.util.Json;

class SynthGeneratorTest {

    @TempDir
    Path tmp;

    private static SynthOptions small(long seed, int threads) {
        return new SynthOptions(seed, 1.0, 112, threads, 0.4);
    }

    /** The standard splits shrunk to a few samples each, to keep the test fast. */
    private static List<SplitPlan> tinyPlans() {
        return SplitPlan.standard().stream()
                .map(p -> p.withBaseCount(p.name().equals("sft") ? 10 : 6))
                .toList();
    }

    private static SynthGenerator generator(long seed, int threads) {
        return new SynthGenerator(SynthWorld.builtIn(), small(seed, threads), tinyPlans());
    }

    @Test
    void writesEverySplitImagesGraphCardAndContactSheet() throws IOException {
        Path out = tmp.resolve("world");
        SynthGenerator.Result result = generator(5, 2).generate(out);
        for (String split : List.of("pretrain", "sft", "rl", "val", "test")) {
            List<Sample> samples = SampleJsonl.read(out.resolve(split + ".jsonl"));
            assertThat(samples).hasSize(result.splits().get(split).size()).isNotEmpty();
            for (Sample s : samples) {
                Path image = SampleJsonl.resolveImage(out.resolve(split + ".jsonl"), s.images().get(0));
                assertThat(ImageIO.read(image.toFile()).getWidth()).isEqualTo(112);
            }
        }
        assertThat(SampleJsonl.read(out.resolve("pretrain.jsonl"))).allMatch(s -> s.task().equals(Task.CAPTION));
        assertThat(SampleJsonl.read(out.resolve("rl.jsonl"))).noneMatch(s -> s.task().equals(Task.OPEN))
                // answers only, as real RL data: no chain of thought to learn from
                .allMatch(s -> s.reasoning() == null && s.answer() != null && !s.entities().isEmpty());
        for (String split : List.of("sft", "val", "test")) {
            assertThat(SampleJsonl.read(out.resolve(split + ".jsonl"))).as(split)
                    .allMatch(s -> s.reasoning() != null && !s.reasoning().think().isBlank());
        }
        assertThat(KnowledgeGraph.load(out.resolve("graph.json")).entityCount())
                .isEqualTo(SynthWorld.builtIn().graph().entityCount());
        Map<?, ?> card = Json.MAPPER.readValue(out.resolve("card.json").toFile(), Map.class);
        assertThat(((Map<?, ?>) ((Map<?, ?>) card.get("splits")).get("sft")).get("samples")).isEqualTo(10);
        assertThat(((Map<?, ?>) ((Map<?, ?>) card.get("splits")).get("rl")).get("reasoning")).isEqualTo(false);
        assertThat(Files.readString(out.resolve("DATASET.md"))).contains("| sft | 10 |")
                .contains("squamous_cell_carcinoma");
        assertThat(ImageIO.read(out.resolve("contact-sheet.png").toFile()).getWidth()).isGreaterThan(500);
    }

    @Test
    void sameSeedGivesByteIdenticalFilesWhateverTheThreads() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        generator(11, 1).generate(a);
        generator(11, 2).generate(b);
        Map<String, byte[]> fa = files(a);
        Map<String, byte[]> fb = files(b);
        assertThat(fa.keySet()).isEqualTo(fb.keySet()).contains("sft.jsonl", "images/test-000000.png");
        for (String name : fa.keySet()) {
            assertThat(fb.get(name)).as(name).isEqualTo(fa.get(name));
        }
    }

    @Test
    void anotherSeedGivesOtherCases() {
        List<SynthGenerator.Planned> a = generator(11, 1).plan().get("sft");
        List<SynthGenerator.Planned> b = generator(12, 1).plan().get("sft");
        assertThat(a.stream().map(p -> p.synthCase().imageSeed()).toList())
                .doesNotContainAnyElementsOf(b.stream().map(p -> p.synthCase().imageSeed()).toList());
        assertThat(a.stream().map(SynthGenerator.Planned::sample).toList())
                .isNotEqualTo(b.stream().map(SynthGenerator.Planned::sample).toList());
    }

    @Test
    void refusesToReplaceAFolderThatIsNotAnEarlierSynthOutput() throws IOException {
        Path precious = tmp.resolve("precious");
        Files.createDirectories(precious);
        Files.writeString(precious.resolve("thesis.tex"), "do not delete");
        assertThatThrownBy(() -> generator(1, 1).generate(precious))
                .hasMessageContaining("not empty").hasMessageContaining("card.json");
        assertThat(precious.resolve("thesis.tex")).exists();
    }

    @Test
    void splitSizesFollowTheScale() {
        Map<String, List<SynthGenerator.Planned>> plan =
                new SynthGenerator(SynthWorld.builtIn(), new SynthOptions(3, 0.2, 112, 1, 0.4)).plan();
        assertThat(plan.get("pretrain")).hasSize(1000);
        assertThat(plan.get("sft")).hasSize(600);
        assertThat(plan.get("rl")).hasSize(200);
        assertThat(plan.get("val")).hasSize(60);
        assertThat(plan.get("test")).hasSize(277);
        long diagnosisQuestions = plan.get("sft").stream().filter(p -> p.sample().subset().equals("diagnosis"))
                .count();
        assertThat(diagnosisQuestions).isEqualTo(240);
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }
}
