package org.pathoreason.cli;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import picocli.CommandLine;

class DataExportCommandTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = PathoReasonCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void exportsToLlavaAndWebDatasetAndConvertReadsThemBack() throws Exception {
        Files.createDirectories(dir.resolve("d/images"));
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("d/images/a.png").toFile());
        Path data = dir.resolve("d/pairs.jsonl");
        SampleJsonl.write(data, List.of(new Sample("fig-1", List.of("images/a.png"), "", List.of(), null, null, null,
                "Plasma cells.", List.of(), Task.CAPTION, null, Map.of())));
        assertThat(run("data", "export", "--data", data.toString(), "--to", "llava", "--out",
                dir.resolve("x/llava.json").toString())).isZero();
        assertThat(run("data", "export", "--data", data.toString(), "--to", "webdataset", "--out",
                dir.resolve("x/wds").toString(), "--shard-size", "5")).isZero();
        assertThat(out.toString()).contains("wrote 1 conversations to", "wrote 1 samples in 1 shards to",
                "(shard-000000.tar .. shard-000000.tar)");
        assertThat(run("data", "convert", dir.resolve("x/wds").toString(), "--out", dir.resolve("back.jsonl").toString()))
                .isZero();
        Sample back = SampleJsonl.read(dir.resolve("back.jsonl")).get(0);
        assertThat(back.caption()).isEqualTo("Plasma cells.");
        assertThat(back.images()).containsExactly("x/wds/shard-000000/fig-1.png");
        assertThat(dir.resolve(back.images().get(0))).isRegularFile();
        assertThat(run("data", "export", "--data", data.toString(), "--to", "parquet", "--out", "y")).isEqualTo(2);
        assertThat(err.toString()).contains("expected llava or webdataset, got 'parquet'");
    }
}
