package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pathoreason.util.Json;

/**
 * The page in a real browser (Debian's headless Chromium through Selenium): upload a tile, ask a multiple-choice
 * question, watch the reasoning and the answer appear, check the knowledge-graph highlights and their neighbours,
 * the history and the case export. Screenshots go to {@code target/screenshots/}. Skipped, saying why, when
 * Chromium or its driver is not installed.
 */
class PageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path tmp;

    static ApiServer server;
    static ChromeDriver browser;
    static Path downloads;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "headless Chromium is not installed (apt-get install chromium chromium-driver); page test skipped");
        server = ApiServer.start(TaughtCheckpoint.shared(), ServeOptions.builder().port(0)
                .modelName("pathoreason-tiny").build());
        downloads = Files.createDirectories(tmp.resolve("downloads"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1366,900",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Map<String, Object> behaviour = new HashMap<>();
        behaviour.put("behavior", "allow");
        behaviour.put("downloadPath", downloads.toString());
        browser.executeCdpCommand("Page.setDownloadBehavior", behaviour);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.stop();
        }
    }

    static void shot(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static WebElement id(String id) {
        return browser.findElement(By.id(id));
    }

    @Test
    void aPathologistAsksAboutATileAndExportsTheCase() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        browser.get(ServeTestKit.base(server) + "/");
        wait.until(d -> id("model-name").getText().contains("pathoreason-tiny"));
        assertThat(id("notice").isDisplayed()).isTrue();
        assertThat(id("notice").getText()).contains("Research use only").contains("not for diagnosis");
        // every control has a label a screen reader announces
        Object unlabelled = ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('input, textarea, select')]"
                        + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id);");
        assertThat((List<?>) unlabelled).isEmpty();
        shot("serve-page-start.png");

        Path tile = ServeTestKit.writePng(tmp.resolve("tile.png"), 96, 96);
        id("image-input").sendKeys(tile.toAbsolutePath().toString());
        wait.until(d -> id("preview").isDisplayed());
        id("mode-mcq").click();
        wait.until(d -> id("options").isDisplayed());
        id("question").sendKeys(TaughtCheckpoint.QUESTION);
        id("options").sendKeys(String.join(Keys.chord(Keys.SHIFT, Keys.ENTER), TaughtCheckpoint.OPTIONS));
        assertThat(id("options").getAttribute("value").split("\n")).containsExactlyElementsOf(TaughtCheckpoint.OPTIONS);
        // keyboard: Ctrl+Enter asks
        id("question").sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        wait.until(d -> id("status").getText().startsWith("Done"));

        assertThat(id("reasoning").getText()).isEqualTo(TaughtCheckpoint.REASONING);
        assertThat(id("answer").getText()).isEqualTo(TaughtCheckpoint.ANSWER);
        List<WebElement> terms = browser.findElements(By.cssSelector("#reasoning .term"));
        assertThat(terms.stream().map(WebElement::getText).map(String::toLowerCase))
                .contains("plasma cells", "lymphocytes", "chronic inflammation");
        assertThat(browser.findElements(By.cssSelector("#answer .term"))).isNotEmpty();
        WebElement term = terms.stream().filter(t -> t.getText().equalsIgnoreCase("plasma cells")).findFirst()
                .orElseThrow();
        term.click();
        wait.until(d -> id("entity-panel").isDisplayed());
        assertThat(id("entity-title").getText().toLowerCase()).contains("plasma cell");
        assertThat(browser.findElements(By.cssSelector("#entity-neighbours li"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#history li"))).hasSize(1);
        shot("serve-page-answer.png");

        id("export").click();
        wait.until(d -> exported() != null);
        JsonNode c = Json.MAPPER.readTree(exported().toFile());
        assertThat(c.get("question").asText()).isEqualTo(TaughtCheckpoint.QUESTION);
        assertThat(c.get("options")).hasSize(4);
        assertThat(c.get("reasoning").asText()).isEqualTo(TaughtCheckpoint.REASONING);
        assertThat(c.get("answer").asText()).isEqualTo(TaughtCheckpoint.ANSWER);
        assertThat(c.get("model").asText()).isEqualTo("pathoreason-tiny");
        assertThat(c.at("/settings/temperature").asDouble()).isZero();
        assertThat(c.at("/image/data_url").asText()).startsWith("data:image/png;base64,");
        assertThat(c.get("notice").asText()).contains("not for diagnosis");
    }

    static Path exported() {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.filter(p -> p.getFileName().toString().matches("pathoreason-case-.*\\.json"))
                    .findFirst().orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
