package org.pathoreason.eval.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.eval.ClassificationMetrics;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.model.clip.ClipTokenizer;

/** Prompt files, class embeddings, scoring, MI-Zero pooling and retrieval ranks. */
class ZeroShotTest {

    static final Path QUILT = Path.of("src/test/resources/org/pathoreason/eval/clip/quilt-en-classnames.json");
    static final Path MODEL = Path.of("src/test/resources/org/pathoreason/model/clip/openclip");

    @Test
    void quiltClassNamesBecomePrompts() {
        ZeroShotPrompts p = ZeroShotPrompts.read(QUILT, "nck");
        assertThat(p.labels()).hasSize(8).contains("adipose", "colorectal adenocarcinoma epithelium");
        assertThat(p.prompts("adipose")).hasSize(ZeroShotPrompts.DEFAULT_TEMPLATES.size())
                .contains("a histopathology image of adipose.");
        assertThat(ZeroShotPrompts.read(QUILT, "skin").labels()).hasSize(16);
        assertThatThrownBy(() -> ZeroShotPrompts.read(QUILT, null)).isInstanceOf(DataException.class)
                .hasMessageContaining("choose one (--dataset NAME)").hasMessageContaining("lc25000_lung");
        assertThatThrownBy(() -> ZeroShotPrompts.read(QUILT, "nope")).hasMessageContaining("no dataset 'nope'");
        assertThat(p.classOf("ADIPOSE")).isEqualTo("adipose");
        assertThat(p.classOf("smooth_muscle")).isEqualTo("smooth muscle");
    }

    @Test
    void conchFilesAndGraphsGivePromptEnsembles(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("prompts.json");
        Files.writeString(f, "{\"0\": {\"classnames\": {\"tumor\": [\"tumor\", \"carcinoma\"], \"normal\": "
                + "[\"normal tissue\"]}, \"templates\": [\"CLASSNAME.\", \"an image of CLASSNAME\"]}}");
        ZeroShotPrompts p = ZeroShotPrompts.read(f, null);
        assertThat(p.prompts("tumor")).containsExactly("tumor.", "an image of tumor", "carcinoma.",
                "an image of carcinoma");
        ZeroShotPrompts g = ZeroShotPrompts.fromGraph(SynthWorld.builtIn().graph(), List.of("CLASSNAME."));
        assertThat(g.labels()).hasSize(13).contains("adenocarcinoma");
        assertThat(g.prompts("squamous_cell_carcinoma")).contains("SCC.");
        assertThatThrownBy(() -> new ZeroShotPrompts(Map.of("a", List.of("a"), "b", List.of("b")), List.of("x")))
                .hasMessageContaining("has no CLASSNAME");
    }

    @Test
    void classEmbeddingsAverageNormalisedPromptEmbeddings() throws Exception {
        ZeroShotPrompts p = ZeroShotPrompts.read(QUILT, "lc25000_colon");
        try (ClipModel m = ClipModel.load(MODEL); ClipTokenizer t = ClipTokenizer.load(MODEL, m.config());
             ClipEncoder e = new ClipEncoder(m, t, 3)) {
            float[][] classes = ZeroShot.classEmbeddings(e, p);
            float[][] prompts = e.texts(p.prompts("benign colonic tissue"));
            double[] mean = new double[prompts[0].length];
            for (float[] row : prompts) {
                for (int j = 0; j < row.length; j++) {
                    mean[j] += row[j] / prompts.length;
                }
            }
            float[] expected = ZeroShot.normalised(mean);
            for (int j = 0; j < expected.length; j++) {
                assertThat(classes[1][j]).isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-6f));
            }
            double norm = 0;
            for (float v : classes[0]) {
                norm += v * v;
            }
            assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void scoringPicksTheHighestLogit() {
        double[][] logits = {{3, 1, 0}, {0, 2, 1}, {0, 3, 1}, {1, 0, 2}};
        ZeroShot.Result r = ZeroShot.score(logits, new int[] {0, 1, 2, 2}, List.of("a", "b", "c"), false);
        assertThat(r.predictions()).containsExactly(0, 1, 1, 2);
        assertThat(r.accuracy()).isEqualTo(0.75);
        assertThat(r.chance()).isEqualTo(1.0 / 3);
        assertThat(r.confusion().count("c", "b")).isEqualTo(1);
    }

    @Test
    void miZeroAveragesTheTopTiles() {
        double[][] tiles = {{1, 9}, {5, 0}, {3, 1}, {4, 2}};
        assertThat(MiZero.pool(tiles, 1)).containsExactly(5, 9);
        assertThat(MiZero.pool(tiles, 2)).containsExactly(4.5, 5.5);
        assertThat(MiZero.pool(tiles, 100)).containsExactly(3.25, 3.0);
    }

    @Test
    void retrievalRanksAgreeWithRecallAtK() {
        float[][] img = {{1, 0}, {0, 1}, {0.7f, 0.7f}};
        float[][] txt = {{0.9f, 0.1f}, {0.6f, 0.8f}, {0, 1}};
        Retrieval.Result r = Retrieval.evaluate(img, txt);
        double[][] sim = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                sim[i][j] = img[i][0] * txt[j][0] + img[i][1] * txt[j][1];
            }
        }
        for (int k : new int[] {1, 2}) {
            double[] ref = ClassificationMetrics.recallAtK(sim, k);
            assertThat(r.imageToText().recallAt(k == 2 ? 5 : 1)).isEqualTo(k == 2 ? 1.0 : ref[0]);
            if (k == 1) {
                assertThat(r.textToImage().recallAt(1)).isEqualTo(ref[1]);
            }
        }
        assertThat(r.imageToText().meanRank()).isGreaterThanOrEqualTo(1.0);
    }
}
