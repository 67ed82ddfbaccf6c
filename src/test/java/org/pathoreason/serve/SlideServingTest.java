package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pathoreason.wsi.DeepZoomWriter;
import org.pathoreason.wsi.Slide;
import org.pathoreason.wsi.Slides;

/** Deep Zoom of a --slides folder made on the fly, and the viewer page in headless Chromium. */
class SlideServingTest {

    @TempDir
    static Path tmp;
    static Path slides;
    static ApiServer server;

    @BeforeAll
    static void start() throws Exception {
        slides = Files.createDirectories(tmp.resolve("slides"));
        for (String n : new String[] {"CMU-1-Small-Region.svs", "openslide-boxes.tiff"}) {
            Files.copy(Path.of("src/test/resources/wsi", n), slides.resolve(n));
        }
        server = ApiServer.start(TaughtCheckpoint.shared(), ServeOptions.builder().port(0).slidesDir(slides).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    static HttpResponse<byte[]> bytes(String path) throws Exception {
        return ServeTestKit.HTTP.send(HttpRequest.newBuilder(URI.create(ServeTestKit.base(server) + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void slidesDescriptorsAndTilesAreServedFromTheSlide() throws Exception {
        JsonNode list = ServeTestKit.json(ServeTestKit.get(server, "/v1/slides", null));
        assertThat(list.get("data")).hasSize(2);
        JsonNode cmu = list.get("data").get(0);
        assertThat(cmu.get("id").asText()).isEqualTo("CMU-1-Small-Region");
        assertThat(cmu.get("width").asLong()).isEqualTo(2220);
        assertThat(cmu.get("dzi").asText()).isEqualTo("/slides/CMU-1-Small-Region.dzi");

        HttpResponse<String> dzi = ServeTestKit.get(server, "/slides/CMU-1-Small-Region.dzi", null);
        assertThat(dzi.statusCode()).isEqualTo(200);
        assertThat(dzi.body()).contains("TileSize=\"254\"", "Overlap=\"1\"", "Width=\"2220\"", "Height=\"2967\"");

        // level 12 is the full resolution (2967 needs 12 halvings); tile 1_1 has overlap on all four sides
        HttpResponse<byte[]> tile = bytes("/slides/CMU-1-Small-Region_files/12/1_1.jpeg");
        assertThat(tile.statusCode()).isEqualTo(200);
        assertThat(tile.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        BufferedImage got = ImageIO.read(new ByteArrayInputStream(tile.body()));
        assertThat(got.getWidth()).isEqualTo(256);
        try (Slide s = Slides.open(slides.resolve("CMU-1-Small-Region.svs"))) {
            // the same pixels DeepZoomWriter writes to disk, encoded the same way
            assertThat(tile.body()).isEqualTo(DeepZoomWriter.encode(DeepZoomWriter.tile(s, 12, 1, 1,
                    DeepZoomWriter.Options.defaults()), DeepZoomWriter.Options.defaults()));
        }
        // a second request comes from the cache, byte for byte
        assertThat(bytes("/slides/CMU-1-Small-Region_files/12/1_1.jpeg").body()).isEqualTo(tile.body());

        assertThat(bytes("/slides/CMU-1-Small-Region_files/12/99_0.jpeg").statusCode()).isEqualTo(404);
        assertThat(bytes("/slides/CMU-1-Small-Region_files/13/0_0.jpeg").statusCode()).isEqualTo(404);
        assertThat(bytes("/slides/nope.dzi").statusCode()).isEqualTo(404);
        assertThat(bytes("/slides/..%2F..%2Fetc%2Fpasswd_files/0/0_0.jpeg").statusCode()).isEqualTo(404);
        assertThat(bytes("/slides/CMU-1-Small-Region_files/12/1_1.png").statusCode()).isEqualTo(404);
    }

    @Test
    void theTileCacheStaysWithinItsBound() {
        SlideTiles t = new SlideTiles(slides, 40_000);
        long most = 0;
        for (int c = 0; c < 8; c++) {
            t.tile("CMU-1-Small-Region", 12, c, 3);
            most = Math.max(most, t.cachedBytes());
            assertThat(t.cachedBytes()).isLessThanOrEqualTo(40_000);
        }
        assertThat(most).isGreaterThan(10_000);
        t.close();
    }

    @Test
    void aServerWithoutSlidesSaysSo() throws Exception {
        try (ApiServer plain = ApiServer.start(TaughtCheckpoint.shared(), ServeOptions.builder().port(0).build())) {
            HttpResponse<String> r = ServeTestKit.get(plain, "/v1/slides", null);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("--slides");
        }
    }

    @Test
    void theViewerShowsTheSlidesTissue() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(PageBrowserTest.CHROMIUM)
                && Files.isExecutable(PageBrowserTest.DRIVER), "headless Chromium is not installed; viewer test "
                + "skipped");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(PageBrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(PageBrowserTest.DRIVER.toFile()).usingAnyFreePort().build(), options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            browser.get(ServeTestKit.base(server) + "/viewer?slide=CMU-1-Small-Region");
            JavascriptExecutor js = browser;
            wait.until(d -> "CMU-1-Small-Region".equals(js.executeScript("return document.getElementById('view')"
                    + ".dataset.slide")));
            // the fitted view of a 2967-pixel-high slide in about 830 pixels needs level 10's few tiles
            wait.until(d -> Integer.parseInt(String.valueOf(js.executeScript(
                    "return document.getElementById('view').dataset.tilesLoaded || '0'"))) >= 4);
            Thread.sleep(300);
            browser.findElement(org.openqa.selenium.By.id("zoom-in")).click();
            Thread.sleep(500);
            Files.createDirectories(PageBrowserTest.SHOTS);
            File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Path shot = PageBrowserTest.SHOTS.resolve("serve-viewer.png");
            Files.copy(f.toPath(), shot, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            BufferedImage img = ImageIO.read(shot.toFile());
            long tissue = 0;
            long total = 0;
            for (int y = img.getHeight() / 4; y < img.getHeight(); y += 2) {
                for (int x = 0; x < img.getWidth(); x += 2) {
                    int p = img.getRGB(x, y);
                    int r = (p >> 16) & 255;
                    int g = (p >> 8) & 255;
                    int b = p & 255;
                    total++;
                    // H&E: pink to purple, red and blue well above green
                    if (r - g > 25 && b - g > 10) {
                        tissue++;
                    }
                }
            }
            assertThat((double) tissue / total).as("share of H&E-coloured pixels in the viewer").isGreaterThan(0.05);
            assertThat(String.valueOf(js.executeScript("return document.getElementById('info').textContent")))
                    .contains("CMU-1-Small-Region: 2220 x 2967 px");
        } finally {
            browser.quit();
        }
    }
}
