package org.pathoreason.data.pdf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.llm.FakeChatServer;

/** The optional vision checker against a fake chat server: reject, tighten the box, clean the caption. */
class VisionFigureCheckerTest {

    @TempDir
    Path dir;

    @Test
    void theCheckerRejectsTightensAndCleansPairs() throws IOException {
        Path pdf = dir.resolve("textbook.pdf");
        new TextbookPdf().write(pdf);
        try (FakeChatServer server = new FakeChatServer();
             ChatClient client = ChatClient.builder().setBaseUrl(server.baseUrl()).setModel("vlm")
                     .optTimeout(Duration.ofSeconds(5)).optMaxAttempts(2)
                     .optBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).build()) {
            server.otherwise(request -> {
                String text = FakeChatServer.userText(request);
                if (text.contains("FIGURE 2-1")) {
                    return FakeChatServer.Reply.content("{\"match\": false, \"reason\": \"shows a table\"}");
                }
                if (text.contains("meant to show Figure 1")) {
                    return FakeChatServer.Reply.content("Sure:\n```json\n{\"match\": true, \"bbox\": [0, 0, 0.5, 0.5],"
                            + " \"caption\": \"Adipose tissue of the colon.\", \"reason\": \"tightened\"}\n```");
                }
                if (text.contains("meant to show Figure 9")) {
                    return FakeChatServer.Reply.content("I cannot tell."); // unreadable twice: kept as extracted
                }
                return FakeChatServer.Reply.content("{\"match\": true, \"bbox\": null, \"caption\": null}");
            });
            PdfFigureExtractor.Result r = new PdfFigureExtractor(PdfOptions.defaults())
                    .checker(new VisionFigureChecker(client)).extract(List.of(pdf), dir.resolve("out"));

            assertThat(r.checker()).isEqualTo("vlm at " + server.baseUrl() + "/chat/completions");
            assertThat(r.pairs()).noneMatch(s -> "2-1".equals(s.meta().get("label")));
            assertThat(r.total().checkerRejected()).isEqualTo(1);
            assertThat(r.files().get(0).unmatched()).anyMatch(u -> u.what().equals("rejected")
                    && u.text().equals("FIGURE 2-1: shows a table"));

            Sample one = r.pairs().stream().filter(s -> "figure-1".equals(s.id().split("/")[1])).findFirst()
                    .orElseThrow();
            assertThat(one.caption()).isEqualTo("Adipose tissue of the colon.");
            assertThat(one.meta().get("caption_extracted")).asString().startsWith("Adipose tissue of the colon: mature");
            BufferedImage crop = ImageIO.read(r.out().resolve(one.images().get(0)).toFile());
            assertThat(crop.getWidth()).isBetween(76, 82); // half of the 152 pt region at 77 dpi
            Sample nine = r.pairs().stream().filter(s -> "9".equals(s.meta().get("label"))).findFirst().orElseThrow();
            assertThat((String) nine.meta().get("checker")).startsWith("not checked: unreadable reply");

            JsonNode first = server.requests().get(0);
            assertThat(first.at("/model").asText()).isEqualTo("vlm");
            assertThat(first.at("/messages/1/content/0/image_url/url").asText()).startsWith("data:image/png;base64,");
        }
    }
}
