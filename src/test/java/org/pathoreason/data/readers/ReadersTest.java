package org.pathoreason.data.readers;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.util.TestResources;

class ReadersTest {

    static final Path DATA = Path.of("src/test/resources/datasets");

    @TempDir
    Path tmp;

    @Test
    void pathmmuItemsBecomeMcqSamplesWithStableIds() {
        Path file = DATA.resolve("pathmmu/data.json");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.PATHMMU);
        assertThat(DatasetFormat.detect(DATA.resolve("pathmmu"))).isEqualTo(DatasetFormat.PATHMMU);
        List<Sample> all = DatasetFormat.PATHMMU.read(DATA.resolve("pathmmu"), ReadOptions.DEFAULTS);
        assertThat(all).extracting(Sample::id).containsExactly("PubMed/test/12", "PubMed/test/13",
                "PubMed/test_tiny/3", "SocialPath/val/1", "SocialPath/test/0");
        Sample s = all.get(0);
        assertThat(s.task()).isEqualTo(Task.MCQ);
        assertThat(s.options()).containsExactly("Bi-lobed nuclei with eosinophilic granules", "Macronucleoli",
                "Cytoplasmic vacuolation", "Multi-lobed nuclei");
        assertThat(s.answer()).isEqualTo("D");
        assertThat(s.answerText()).isEqualTo("Multi-lobed nuclei");
        assertThat(s.images()).containsExactly("images/PubMed_12.jpg");
        assertThat(s.subset()).isEqualTo("PubMed");
        assertThat(s.meta()).containsEntry("split", "test").containsEntry("No", "12")
                .containsEntry("explanation", "Hypersegmented neutrophils have five or more nuclear lobes.");
        // brackets inside an option text are kept
        assertThat(all.get(1).options().get(0)).isEqualTo("Grocott methenamine silver (GMS)");
        assertThat(all.get(2).options()).hasSize(3);
        assertThat(all.get(3).meta()).containsEntry("tw_id", "1587300000000000000");

        List<Sample> test = DatasetFormat.PATHMMU.read(file, ReadOptions.DEFAULTS.withSplits(Set.of("test")));
        assertThat(test).extracting(Sample::id).containsExactly("PubMed/test/12", "PubMed/test/13",
                "SocialPath/test/0");
    }

    static final String SOCIALPATH_ITEM = "{\"No\": 7, \"img\": \"SocialPath_7.jpg\", \"question\": \"Which cell?\", "
            + "\"options\": [\"A) Eosinophil\", \"B) Basophil\"], \"answer\": \"A) Eosinophil\", "
            + "\"tw_id\": \"1045452664673316865\", \"img_position\": 2, \"ref_web\": \"https://x.com/a/status/1\"}";

    @Test
    void pathmmuPerSubsetFilesTakeTheSubsetFromTheNameOrTheOption() throws IOException {
        // the shape of PathMMU's socialpath_mapping.json: {split: [items]}
        Path file = tmp.resolve("socialpath_mapping.json");
        Files.writeString(file, "{\"val\": [" + SOCIALPATH_ITEM + "],\n \"test\": [\n"
                + SOCIALPATH_ITEM.replace("\"No\": 7", "\"No\": 8") + "]}");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.PATHMMU);
        List<Sample> all = DatasetFormat.PATHMMU.read(file, ReadOptions.DEFAULTS);
        assertThat(all).extracting(Sample::id).containsExactly("SocialPath/val/7", "SocialPath/test/8");
        assertThat(all.get(0).subset()).isEqualTo("SocialPath");
        assertThat(all.get(0).images()).containsExactly("images/SocialPath_7.jpg");
        assertThat(all.get(0).meta()).containsEntry("split", "val").containsEntry("tw_id", "1045452664673316865")
                .containsEntry("img_position", "2");
        assertThat(DatasetFormat.PATHMMU.read(file, ReadOptions.DEFAULTS.withSplits(Set.of("test"))))
                .extracting(Sample::id).containsExactly("SocialPath/test/8");

        // a name that names no subset needs the option; the option also overrides the name
        Path other = tmp.resolve("my-items.json");
        Files.copy(file, other);
        assertThatThrownBy(() -> DatasetFormat.PATHMMU.read(other, ReadOptions.DEFAULTS))
                .isInstanceOf(DataException.class).hasMessageContaining("my-items.json")
                .hasMessageContaining("names no subset").hasMessageContaining("--subset");
        assertThat(DatasetFormat.PATHMMU.read(other, ReadOptions.DEFAULTS.withSubset("pubmed")))
                .extracting(Sample::id).containsExactly("PubMed/val/7", "PubMed/test/8");

        // one shape per file: a subset object after a split list is an error naming the line
        Files.writeString(file, "{\"val\": [" + SOCIALPATH_ITEM + "],\n \"PubMed\": {\"test\": []}}");
        assertThatThrownBy(() -> DatasetFormat.PATHMMU.read(file, ReadOptions.DEFAULTS))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("socialpath_mapping.json:2: split 'SocialPath/PubMed' should be a list");
    }

    @Test
    void pathmmuWholeFileKeepsOneSubsetWhenNamed() {
        Path file = DATA.resolve("pathmmu/data.json");
        assertThat(DatasetFormat.PATHMMU.read(file, ReadOptions.DEFAULTS.withSubset("socialpath")))
                .extracting(Sample::id).containsExactly("SocialPath/val/1", "SocialPath/test/0");
        assertThatThrownBy(() -> DatasetFormat.PATHMMU.read(file, ReadOptions.DEFAULTS.withSubset("Atlas")))
                .isInstanceOf(DataException.class).hasMessageContaining("no subset 'Atlas' (the file has PubMed, SocialPath)");
    }

    @Test
    void pathmmuErrorsNameFileLineAndRecord() throws IOException {
        Path bad = tmp.resolve("data.json");
        Files.writeString(bad, """
                {"PubMed": {"test": [
                  {"No": 1, "img": "a.jpg", "question": "q?", "options": ["A) x", "B) y"], "answer": "B) y"},
                  {"No": 2, "img": "b.jpg", "question": "q?", "options": ["A) x", "B) y"], "answer": "C) z"}
                ]}}
                """);
        assertThatThrownBy(() -> DatasetFormat.PATHMMU.read(bad, ReadOptions.DEFAULTS))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("data.json:3: record 1: item PubMed/test/2: answer letter C but only 2 options");
        Files.writeString(bad, "{\"PubMed\": {\"test\": [\n {\"No\": 1,, }\n]}}");
        assertThatThrownBy(() -> DatasetFormat.PATHMMU.read(bad, ReadOptions.DEFAULTS))
                .isInstanceOf(DataException.class).hasMessageContaining("data.json:2: malformed JSON");
        Files.writeString(bad, "{\"PubMed\": {\"test\": [\n {\"No\": 1, \"img\": \"a\", \"question\": \"q\", "
                + "\"options\": [\"A) x\", \"C) y\"], \"answer\": \"A\"}\n]}}");
        assertThatThrownBy(() -> DatasetFormat.PATHMMU.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining(":2: record 0: item PubMed/test/1: option 2 is labelled 'C', expected 'B'");
    }

    @Test
    void wsiVqaClosedAndOpenQuestions() {
        Path file = DATA.resolve("wsi-vqa.json");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.WSI_VQA);
        List<Sample> s = DatasetFormat.WSI_VQA.read(file, ReadOptions.DEFAULTS.withSlidePattern("slides/{slide}.svs"));
        assertThat(s).extracting(Sample::id).containsExactly("TCGA-LD-A74U/0", "TCGA-LD-A74U/1", "TCGA-AR-A1AI/0",
                "TCGA-AR-A1AI/1", "TCGA-AR-A1AI/2", "TCGA-LD-A74U/2");
        assertThat(s.get(0).task()).isEqualTo(Task.MCQ);
        assertThat(s.get(0).answer()).isEqualTo("C");
        assertThat(s.get(0).subset()).isEqualTo("closed");
        assertThat(s.get(0).images()).containsExactly("slides/TCGA-LD-A74U.svs");
        assertThat(s.get(1).answer()).isEqualTo("B");
        // answer matched up to case and the trailing full stop of the choice
        assertThat(s.get(2).answer()).isEqualTo("D");
        assertThat(s.get(3).task()).isEqualTo(Task.OPEN);
        assertThat(s.get(3).answer()).isEqualTo("Medullary Carcinoma");
        assertThat(s.get(3).subset()).isEqualTo("open");
        assertThat(s.get(3).meta()).containsEntry("slide", "TCGA-AR-A1AI");
        assertThat(DatasetFormat.WSI_VQA.read(file, ReadOptions.DEFAULTS).get(0).images()).isEmpty();
    }

    @Test
    void wsiVqaMalformedRecordsAreReportedAndOffChoiceAnswersKeptAsOpen() throws IOException {
        Path bad = tmp.resolve("vqa.json");
        Files.writeString(bad, "[\n{\"Id\": \"S1\", \"Question\": \"q\", \"Answer\": \"a\"},\n"
                + "{\"Id\": \"S1\", \"Question\": \"grade?\", \"Choice\": [\"grade 1\", \"grade 3\"], "
                + "\"Answer\": \"the correct option is b(grade 3).\"}\n]");
        Sample off = DatasetFormat.WSI_VQA.read(bad, ReadOptions.DEFAULTS).get(1);
        assertThat(off.id()).isEqualTo("S1/1");
        assertThat(off.task()).isEqualTo(Task.OPEN);
        assertThat(off.subset()).isEqualTo("closed");
        assertThat(off.meta()).containsEntry("answer_not_in_choices", true)
                .containsEntry("choices", List.of("grade 1", "grade 3"));
        Files.writeString(bad, "[\n{\"Id\": \"S1\", \"Question\": \"q\"}\n]");
        assertThatThrownBy(() -> DatasetFormat.WSI_VQA.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("vqa.json:2: record 0: missing field 'Answer'");
        Files.writeString(bad, "{\"Id\": 1}");
        assertThatThrownBy(() -> DatasetFormat.WSI_VQA.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("vqa.json:1: expected a JSON list");
    }

    @Test
    void slideBenchCsvWithQuotedFieldsAndLetterOrTextAnswers() {
        Path file = DATA.resolve("slidebench.csv");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.SLIDEBENCH);
        List<Sample> s = DatasetFormat.SLIDEBENCH.read(file,
                ReadOptions.DEFAULTS.withSlidePattern("feat/{tumor}/{slide}.csv"));
        assertThat(s).extracting(Sample::id).containsExactly("101", "102", "103", "104");
        assertThat(s.get(0).question()).isEqualTo("Which growth pattern dominates the tumour, sheets or glands?");
        assertThat(s.get(0).options().get(1)).isEqualTo("Glandular, tubule-forming");
        assertThat(s.get(0).images()).containsExactly("feat/BRCA/TCGA-A7-A0CJ-01Z-00-DX2.csv");
        assertThat(s.get(1).question()).isEqualTo("What is the histologic type?\n(Consider the whole slide.)");
        assertThat(s.get(1).answer()).isEqualTo("B");
        assertThat(s.get(1).subset()).isEqualTo("Diagnosis");
        assertThat(s.get(1).meta()).containsEntry("question_type", "Histologic Type").containsEntry("tumor", "BRCA");
        assertThat(s.get(2).options()).containsExactly("Yes", "No");
        assertThat(s.get(3).answer()).isEqualTo("B");
    }

    @Test
    void slideBenchErrorsNameTheLine() throws IOException {
        Path bad = tmp.resolve("bench.csv");
        Files.writeString(bad, "ID,Slide,Question,A,B,C,D,Answer\n1,S,\"multi\nline\",x,y,,,A\n2,S,q,x,,z,,A\n");
        assertThatThrownBy(() -> DatasetFormat.SLIDEBENCH.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("bench.csv:4: record 2: option C is given but an earlier option is empty");
        Files.writeString(bad, "ID,Slide,Question,A,B,Answer\n1,S,q,x,y,E\n");
        assertThatThrownBy(() -> DatasetFormat.SLIDEBENCH.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("bench.csv:2: record 1: Answer 'E' is neither a letter A-B");
        Files.writeString(bad, "ID,Slide,A,B,Answer\n1,S,x,y,A\n");
        assertThatThrownBy(() -> DatasetFormat.SLIDEBENCH.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("bench.csv:1: missing column 'Question'");
        Files.writeString(bad, "ID,Slide,Question,A,B,Answer\n1,S,\"never closed,x,y,A\n");
        assertThatThrownBy(() -> DatasetFormat.SLIDEBENCH.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("bench.csv:2: quoted field is never closed");
    }

    @Test
    void llavaConversationsGiveReasoningTasksAndTurnIds() {
        Path file = DATA.resolve("llava.json");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.LLAVA);
        List<Sample> s = DatasetFormat.LLAVA.read(file, ReadOptions.DEFAULTS);
        assertThat(s).extracting(Sample::id).containsExactly("pr-0001", "pr-0002", "train::2/0", "train::2/1");
        Sample dx = s.get(0);
        assertThat(dx.task()).isEqualTo(Task.OPEN);
        assertThat(dx.question()).isEqualTo("What is the most likely diagnosis for this breast lesion?");
        assertThat(dx.answer()).isEqualTo("Ductal carcinoma in situ, cribriform type");
        assertThat(dx.reasoning().observe()).startsWith("Ducts are filled");
        assertThat(dx.reasoning().think()).startsWith("Cribriform architecture");
        assertThat(dx.images()).containsExactly("tiles/breast-ducts.png");
        Sample mcq = s.get(1);
        assertThat(mcq.task()).isEqualTo(Task.MCQ);
        assertThat(mcq.question()).isEqualTo("Which tissue is shown?");
        assertThat(mcq.options()).containsExactly("Adipose tissue", "Smooth muscle", "Tumour epithelium", "Lymphocytes");
        assertThat(mcq.answer()).isEqualTo("A");
        assertThat(mcq.reasoning().observe()).isNull();
        assertThat(s.get(2).task()).isEqualTo(Task.YESNO);
        assertThat(s.get(2).answer()).isEqualTo("no");
        assertThat(s.get(3).question()).isEqualTo("What is the Nottingham grade?");
        assertThat(s.get(3).meta()).containsEntry("turn", 1);
    }

    @Test
    void llavaFromSlideChatExampleFile() {
        Path file = TestResources.fixture("formats/slidechat-train-example.json");
        List<Sample> s = DatasetFormat.detect(file).read(file, ReadOptions.DEFAULTS);
        assertThat(s).isNotEmpty();
        assertThat(s.get(0).id()).isEqualTo("train::0");
        assertThat(s.get(0).images()).containsExactly("TCGA-A7-A0CJ-01Z-00-DX2.csv");
        assertThat(s.get(0).question()).doesNotContain("<image>").startsWith("How does the presence of vascular");
        assertThat(s).allSatisfy(x -> assertThat(x.answer()).isNotBlank());
    }

    @Test
    void llavaErrors() throws IOException {
        Path bad = tmp.resolve("conv.json");
        Files.writeString(bad, "[\n{\"id\": \"x\", \"conversations\": [{\"from\": \"gpt\", \"value\": \"hi\"}]}\n]");
        assertThatThrownBy(() -> DatasetFormat.LLAVA.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("conv.json:2: record 0: x: turn 0 answers no human turn");
        Files.writeString(bad, "[\n{\"id\": \"x\", \"conversations\": [{\"from\": \"bot\", \"value\": \"hi\"}]}\n]");
        assertThatThrownBy(() -> DatasetFormat.LLAVA.read(bad, ReadOptions.DEFAULTS))
                .hasMessageContaining("turn 0 is from 'bot'; expected human or gpt");
    }

    @Test
    void imageFolderClassesBecomeZeroShotQuestions() throws IOException {
        Path root = tmp.resolve("crc");
        writePng(root.resolve("ADI/a1.png"));
        writePng(root.resolve("ADI/sub/a2.png"));
        writePng(root.resolve("TUM/t1.png"));
        writePng(root.resolve("normal_mucosa/n1.jpg"));
        Files.writeString(root.resolve("TUM/notes.txt"), "not an image");
        Files.createDirectories(root.resolve("EMPTY"));
        assertThat(DatasetFormat.detect(root)).isEqualTo(DatasetFormat.IMAGE_FOLDER);
        List<Sample> s = DatasetFormat.IMAGE_FOLDER.read(root, ReadOptions.DEFAULTS);
        assertThat(s).extracting(Sample::id).containsExactly("ADI/a1.png", "ADI/sub/a2.png", "TUM/t1.png",
                "normal_mucosa/n1.jpg");
        assertThat(s.get(0).options()).containsExactly("ADI", "TUM", "normal mucosa");
        assertThat(s).extracting(Sample::answer).containsExactly("A", "A", "B", "C");
        assertThat(s.get(3).answerText()).isEqualTo("normal mucosa");
        assertThat(s.get(3).subset()).isEqualTo("normal_mucosa");
        assertThat(s.get(1).images()).containsExactly("ADI/sub/a2.png");
        Path one = tmp.resolve("one");
        writePng(one.resolve("ADI/a.png"));
        assertThatThrownBy(() -> DatasetFormat.IMAGE_FOLDER.read(one, ReadOptions.DEFAULTS))
                .hasMessageContaining("found 1 class folder(s) with images");
    }

    @Test
    void convertedSamplesRoundTripThroughCanonicalJsonlWithRebasedImages() {
        Path src = DATA.resolve("pathmmu/data.json");
        List<Sample> samples = DatasetFormat.PATHMMU.read(src, ReadOptions.DEFAULTS);
        Path out = tmp.resolve("converted/pathmmu.jsonl");
        SampleJsonl.write(out, ImagePaths.rebase(samples, DatasetFormat.PATHMMU.imageBase(src), out.getParent()));
        List<Sample> back = DatasetFormat.detect(out).read(out, ReadOptions.DEFAULTS);
        assertThat(back).hasSameSizeAs(samples);
        assertThat(back.get(0).answer()).isEqualTo("D");
        assertThat(SampleJsonl.resolveImage(out, back.get(0).images().get(0)))
                .isEqualTo(src.toAbsolutePath().getParent().resolve("images/PubMed_12.jpg").normalize());
    }

    @Test
    void statsCountSubsetsSplitsTasksAndLetters() {
        List<Sample> samples = DatasetFormat.PATHMMU.read(DATA.resolve("pathmmu"), ReadOptions.DEFAULTS);
        DatasetStats st = DatasetStats.of(samples);
        assertThat(st.total()).isEqualTo(5);
        assertThat(st.subsets()).containsEntry("PubMed", 3).containsEntry("SocialPath", 2);
        assertThat(st.splits()).containsEntry("test", 3).containsEntry("test_tiny", 1).containsEntry("val", 1);
        assertThat(st.answerLetters()).containsEntry("A", 2).containsEntry("B", 2).containsEntry("D", 1);
        assertThat(st.format()).contains("PubMed").contains("60.0%");
    }

    @Test
    void unknownFormatsAreExplained() {
        assertThatThrownBy(() -> DatasetFormat.parse("coco"))
                .hasMessageContaining("unknown dataset format 'coco' (expected one of jsonl, pathmmu, wsi-vqa");
        assertThat(DatasetFormat.parse("WSI_VQA")).isEqualTo(DatasetFormat.WSI_VQA);
        assertThatThrownBy(() -> DatasetFormat.detect(Path.of("x.parquet"))).hasMessageContaining("give --format");
    }

    private static void writePng(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xd070a0);
        ImageIO.write(img, p.toString().endsWith(".jpg") ? "jpg" : "png", p.toFile());
    }
}
