package org.pathoreason;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.eval.TinyEvalFixture;

/** The README's library example compiles against the project and runs on a checkpoint. */
class ReadmeExampleTest {

    @TempDir
    Path dir;

    @Test
    void theLibraryExampleCompilesAndAnswers() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("## Use it as a library");
        assertThat(section).as("README has a 'Use it as a library' section").isGreaterThan(0);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme.substring(section));
        assertThat(m.find()).as("the section has a Java example").isTrue();
        String source = m.group(1);
        assertThat(source.lines().count()).isLessThanOrEqualTo(20);

        Path src = dir.resolve("src/AskAboutATile.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        TinyEvalFixture fixture = TinyEvalFixture.create(dir.resolve("tiny"));
        Path image = fixture.data.getParent().resolve(fixture.samples.get(0).images().get(0));
        String printed = runMain(classes, fixture.checkpoint, image);
        assertThat(printed).contains("=> ").contains("tokens, ");
    }

    private static String runMain(Path classes, Path checkpoint, Path image) throws Exception {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass("AskAboutATile").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[] {checkpoint.toString(), image.toString()});
        } catch (IOException e) {
            throw e;
        } finally {
            System.setOut(before);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
