package org.pathoreason.tmpdemo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.cli.EvalCommand;
import picocli.CommandLine;

class DemoTest {
    @Test
    void demo() throws Exception {
        Engines.start();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
        Path root = Path.of("/tmp/evaldemo");
        org.pathoreason.util.AtomicFiles.deleteRecursively(root);
        Files.createDirectories(root);
        TinyEvalFixture f = TinyEvalFixture.create(root);
        int code = new CommandLine(new EvalCommand()).execute("--model", f.checkpoint.toString(), "--data", f.data.toString(),
            "--extract", "pathmmu", "--random-fallback", "--max-new-tokens", "40", "--out", root.resolve("out").toString());
        System.out.println("code " + code);
    }
}
