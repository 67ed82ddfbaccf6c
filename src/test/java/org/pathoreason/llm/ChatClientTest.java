package org.pathoreason.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathoreason.llm.FakeChatServer.Reply;

class ChatClientTest {

    private final FakeChatServer server = new FakeChatServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private ChatClient.Builder client() {
        return ChatClient.builder().setBaseUrl(server.baseUrl()).setModel("m")
                .optTimeout(Duration.ofSeconds(5)).optBackoff(Duration.ofMillis(5), Duration.ofMillis(20));
    }

    @Test
    void sendsTextAndImagePartsWithTheKeyAndReadsTheReply() {
        server.then(Reply.content("a reply"));
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        ChatRequest req = ChatRequest.of(ChatRequest.Message.system("be brief"),
                ChatRequest.Message.user(List.of(new ChatRequest.Image(ImageDataUrls.of(img)),
                        new ChatRequest.Text("what is it?")))).withMaxTokens(64).withJsonMode(true);
        try (ChatClient c = client().optApiKeyEnv("K").optEnvironment(Map.of("K", "sk-1")::get).build()) {
            assertThat(c.complete(req)).isEqualTo("a reply");
            assertThat(c.stats().httpRequests()).isEqualTo(1);
        }
        JsonNode sent = server.requests().get(0);
        assertThat(sent.get("model").asText()).isEqualTo("m");
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_object");
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("be brief");
        assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("image_url");
        assertThat(sent.at("/messages/1/content/0/image_url/url").asText()).startsWith("data:image/png;base64,iVBORw");
        assertThat(sent.at("/messages/1/content/1/text").asText()).isEqualTo("what is it?");
        assertThat(server.authHeaders().get(0)).isEqualTo("Bearer sk-1");
    }

    @Test
    void retriesServerErrorsAndUnreadableRepliesThenSucceeds() {
        server.then(new Reply(503, "busy", 0)).then(Reply.content("not a number")).then(Reply.content("42"));
        try (ChatClient c = client().optMaxAttempts(3).build()) {
            int n = c.complete(ChatRequest.of(ChatRequest.Message.user("n?")), s -> {
                try {
                    return Integer.parseInt(s.strip());
                } catch (NumberFormatException e) {
                    throw new ChatClient.UnreadableReply("not an integer: " + s);
                }
            });
            assertThat(n).isEqualTo(42);
            assertThat(c.stats().retries()).isEqualTo(2);
        }
        assertThat(server.bodies()).hasSize(3);
    }

    @Test
    void permanentErrorsFailAtOnceWithTheReason() {
        server.then(new Reply(401, "{\"error\": \"bad key\"}", 0));
        try (ChatClient c = client().optMaxAttempts(4).build()) {
            assertThatThrownBy(() -> c.complete(ChatRequest.of(ChatRequest.Message.user("x"))))
                    .isInstanceOf(LlmException.class)
                    .hasMessageContaining("HTTP 401").hasMessageContaining("1 attempt)")
                    .hasMessageContaining(server.baseUrl());
        }
        assertThat(server.bodies()).hasSize(1);
    }

    @Test
    void timeoutsAndDeadEndpointsEndInAnLlmException() throws Exception {
        server.otherwise(r -> new Reply(200, FakeChatServer.chatBody("late"), 3000));
        long start = System.nanoTime();
        try (ChatClient c = client().optTimeout(Duration.ofMillis(200)).optMaxAttempts(2).build()) {
            assertThatThrownBy(() -> c.complete(ChatRequest.of(ChatRequest.Message.user("x"))))
                    .isInstanceOfSatisfying(LlmException.class,
                            e -> assertThat(e.reason()).isEqualTo("timed out after 200 ms"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (ChatClient c = ChatClient.builder().setBaseUrl("http://127.0.0.1:" + closedPort + "/v1").setModel("m")
                .optMaxAttempts(2).optBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).build()) {
            assertThatThrownBy(() -> c.complete(ChatRequest.of(ChatRequest.Message.user("x"))))
                    .isInstanceOf(LlmException.class).hasMessageContaining("connection error")
                    .hasMessageContaining("2 attempts");
        }
    }

    @Test
    void readsTextAndPartsContentAndRejectsOtherBodies() throws Exception {
        assertThat(ChatClient.messageContent("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}")).isEqualTo("hi");
        assertThat(ChatClient.messageContent(
                "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"text\":\"b\"}]}}]}"))
                .isEqualTo("ab");
        assertThatThrownBy(() -> ChatClient.messageContent("<html>oops</html>")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ChatClient.messageContent("{\"error\": {\"message\": \"x\"}}"))
                .hasMessageContaining("choices[0].message.content");
    }

    @Test
    void findsJsonObjectsInChattyReplies() {
        List<JsonNode> found = JsonReplies.objects("Sure.\n```json\n{'ok': true,}\n```\nand {\"n\": 2} done");
        assertThat(found).isNotEmpty();
        assertThat(found.get(0).get("ok").asBoolean()).isTrue();
        assertThat(found).anySatisfy(n -> assertThat(n.path("n").asInt()).isEqualTo(2));
        assertThat(JsonReplies.objects("no json here")).isEmpty();
    }

    @Test
    void endpointIsNormalisedAndLoggedWithoutCredentials() {
        assertThat(ChatClient.chatCompletionsUri("http://h:1/v1/").toString()).isEqualTo("http://h:1/v1/chat/completions");
        assertThat(ChatClient.chatCompletionsUri("https://h/v1/chat/completions").toString())
                .isEqualTo("https://h/v1/chat/completions");
        assertThat(ChatClient.forLog(URI.create("https://user:pw@host:8443/v1/chat/completions?key=x")))
                .isEqualTo("https://host:8443/v1/chat/completions");
        assertThatThrownBy(() -> ChatClient.chatCompletionsUri("ftp://h/v1")).hasMessageContaining("http(s)");
    }
}
