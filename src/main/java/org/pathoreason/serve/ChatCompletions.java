package org.pathoreason.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pathoreason.generate.ContinuousBatcher;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: encodes the request, submits one sequence per choice to the continuous batcher
 * and answers in OpenAI's shape, whole ({@code chat.completion}) or streamed ({@code chat.completion.chunk} events
 * with {@code reasoning_content} and {@code content} deltas, then {@code [DONE]}). A stream whose client goes away
 * cancels its sequences at the next step boundary.
 */
final class ChatCompletions {

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletions.class);
    /** While nothing is generated, a stream sends an SSE comment this often, which also notices a gone client. */
    private static final long KEEP_ALIVE_MS = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a stream's events go; {@link IOException} means the client is gone. */
    interface EventSink {
        void data(String json) throws IOException;

        void comment(String text) throws IOException;
    }

    private final ServedModel model;
    private final ContinuousBatcher batcher;
    private final ChatPrompts prompts;
    private final ServeOptions options;
    private final ServeMetrics metrics;
    private final int maxModelLength;
    final AtomicInteger openStreams = new AtomicInteger();

    ChatCompletions(ServedModel model, ContinuousBatcher batcher, ServeOptions options, ServeMetrics metrics) {
        this.model = model;
        this.batcher = batcher;
        this.prompts = new ChatPrompts(model, options);
        this.options = options;
        this.metrics = metrics;
        this.maxModelLength = Math.min(options.maxModelLength(), model.maxPositions());
    }

    int maxModelLength() {
        return maxModelLength;
    }

    /** One event of one choice, from the engine thread to the request's thread. */
    private sealed interface Event permits Token, Ended, Failed {
        int choice();
    }

    private record Token(int choice, String delta) implements Event {
    }

    private record Ended(int choice, GenerationResult result, ContinuousBatcher.End end) implements Event {
    }

    private record Failed(int choice, RuntimeException error) implements Event {
    }

    /** A request on its way: its sequences and the events they send. */
    private final class Running {
        final String id = "chatcmpl-" + HexFormat.of().formatHex(randomBytes(12));
        final long created = System.currentTimeMillis() / 1000;
        final long arrival;
        final int promptTokens;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final List<ContinuousBatcher.Sequence> sequences = new ArrayList<>();
        boolean firstToken;

        Running(long arrival, int promptTokens) {
            this.arrival = arrival;
            this.promptTokens = promptTokens;
        }

        void cancel() {
            for (ContinuousBatcher.Sequence s : sequences) {
                s.cancel();
            }
        }

        void sawToken() {
            if (!firstToken) {
                firstToken = true;
                metrics.firstToken((System.nanoTime() - arrival) / 1e9);
            }
        }
    }

    private Running submit(ChatRequest request, long arrival) {
        if (request.model() != null && !request.model().equals(model.name())) {
            throw ApiException.notFound("model", "the model '" + request.model() + "' does not exist; this server "
                    + "serves '" + model.name() + "'");
        }
        ChatPrompts.Encoded encoded = prompts.encode(request);
        int room = maxModelLength - encoded.promptTokens();
        if (room < 1) {
            throw ApiException.badRequest("messages", "the prompt has " + encoded.promptTokens() + " tokens; this "
                    + "model's maximum context length is " + maxModelLength + " tokens");
        }
        int maxTokens;
        if (request.maxTokens() != null) {
            maxTokens = request.maxTokens();
            if (maxTokens > room) {
                throw ApiException.badRequest("max_tokens", "max_tokens is " + maxTokens + " but the prompt has "
                        + encoded.promptTokens() + " tokens and this model's maximum context length is "
                        + maxModelLength + " tokens (at most " + room + " can be generated)");
            }
        } else {
            maxTokens = Math.min(options.defaultMaxTokens(), room);
        }
        long seed = request.seed() != null ? request.seed() : RANDOM.nextLong();
        Running run = new Running(arrival, encoded.promptTokens());
        Duration left = options.requestTimeout().minusNanos(System.nanoTime() - arrival);
        for (int i = 0; i < request.n(); i++) {
            SamplingOptions sampling = new SamplingOptions(maxTokens, request.temperature(), request.topK(),
                    request.topP(), seed + i, request.stop(),
                    request.ignoreEos() ? java.util.Set.of() : model.stopTokenIds(), true);
            int choice = i;
            Optional<ContinuousBatcher.Sequence> s = batcher.offer(encoded.prompt(), sampling,
                    new ContinuousBatcher.Listener() {
                        @Override
                        public void onToken(long tokenId, String delta) {
                            run.events.add(new Token(choice, delta));
                        }

                        @Override
                        public void onEnd(GenerationResult result, ContinuousBatcher.End end) {
                            run.events.add(new Ended(choice, result, end));
                        }

                        @Override
                        public void onError(RuntimeException error) {
                            run.events.add(new Failed(choice, error));
                        }
                    }, left.isNegative() ? Duration.ofMillis(1) : left);
            if (s.isEmpty()) {
                run.cancel();
                throw ApiException.busy("the server is busy (" + batcher.stats().waiting() + " requests waiting); "
                        + "retry later", 1);
            }
            run.sequences.add(s.get());
        }
        return run;
    }

    /** Answers a non-streaming request. */
    ObjectNode complete(ChatRequest request, long arrival) throws InterruptedException {
        Running run = submit(request, arrival);
        Ended[] ended = new Ended[request.n()];
        int remaining = request.n();
        try {
            while (remaining > 0) {
                Event e = run.events.poll(KEEP_ALIVE_MS, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                if (e instanceof Token) {
                    run.sawToken();
                } else if (e instanceof Failed f) {
                    run.cancel();
                    LOG.warn("generation failed: {}", f.error().toString());
                    throw ApiException.internal("generation failed: " + f.error().getMessage());
                } else if (e instanceof Ended d) {
                    ended[d.choice()] = d;
                    remaining--;
                }
            }
        } catch (InterruptedException e) {
            run.cancel();
            throw e;
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", run.id);
        root.put("object", "chat.completion");
        root.put("created", run.created);
        root.put("model", model.name());
        ArrayNode choices = root.putArray("choices");
        int completion = 0;
        for (int i = 0; i < ended.length; i++) {
            Ended d = ended[i];
            if (d.result().tokenIds().length == 0 && d.end() != ContinuousBatcher.End.FINISHED) {
                throw ApiException.unavailable("the request ran out of time waiting for a place in the batch; "
                        + "retry later", 1);
            }
            completion += d.result().tokenIds().length;
            ReasoningSplitter splitter = new ReasoningSplitter();
            ReasoningSplitter.Delta a = splitter.feed(d.result().text());
            ReasoningSplitter.Delta b = splitter.finish();
            ObjectNode c = choices.addObject();
            c.put("index", i);
            ObjectNode message = c.putObject("message");
            message.put("role", "assistant");
            message.put("content", a.content() + b.content());
            String reasoning = a.reasoning() + b.reasoning();
            if (reasoning.isEmpty()) {
                message.putNull("reasoning_content");
            } else {
                message.put("reasoning_content", reasoning);
            }
            c.putNull("logprobs");
            c.put("finish_reason", finishReason(d));
        }
        usage(root.putObject("usage"), run.promptTokens, completion);
        metrics.tokens(run.promptTokens, completion);
        metrics.finished((System.nanoTime() - arrival) / 1e9);
        return root;
    }

    /**
     * Answers a streaming request: the first event goes out once the request is accepted (errors before that are
     * thrown, so that they get their status); a client gone away cancels the sequences.
     */
    void stream(ChatRequest request, long arrival, EventSink sink) throws InterruptedException {
        if (openStreams.incrementAndGet() > options.maxStreams()) {
            openStreams.decrementAndGet();
            throw ApiException.busy("too many open streams (at most " + options.maxStreams() + "); retry later", 1);
        }
        try {
            Running run = submit(request, arrival);
            try {
                streamEvents(request, run, sink);
            } catch (IOException e) {
                run.cancel();
                LOG.debug("stream {} closed by the client; generation cancelled", run.id);
            }
        } finally {
            openStreams.decrementAndGet();
        }
    }

    private void streamEvents(ChatRequest request, Running run, EventSink sink)
            throws IOException, InterruptedException {
        int n = request.n();
        ReasoningSplitter[] splitters = new ReasoningSplitter[n];
        for (int i = 0; i < n; i++) {
            splitters[i] = new ReasoningSplitter();
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("role", "assistant");
            delta.put("content", "");
            sink.data(chunk(run, request, i, delta, null));
        }
        int remaining = n;
        int completion = 0;
        while (remaining > 0) {
            Event e = run.events.poll(KEEP_ALIVE_MS, TimeUnit.MILLISECONDS);
            if (e == null) {
                sink.comment("keep-alive");
                continue;
            }
            if (e instanceof Token t) {
                run.sawToken();
                send(run, request, t.choice(), splitters[t.choice()].feed(t.delta()), sink);
            } else if (e instanceof Failed f) {
                run.cancel();
                LOG.warn("generation failed: {}", f.error().toString());
                sink.data(ApiException.internal("generation failed: " + f.error().getMessage()).body().toString());
                sink.data("[DONE]");
                return;
            } else if (e instanceof Ended d) {
                remaining--;
                completion += d.result().tokenIds().length;
                send(run, request, d.choice(), splitters[d.choice()].finish(), sink);
                sink.data(chunk(run, request, d.choice(), Json.MAPPER.createObjectNode(), finishReason(d)));
            }
        }
        metrics.tokens(run.promptTokens, completion);
        metrics.finished((System.nanoTime() - run.arrival) / 1e9);
        if (request.includeUsage()) {
            ObjectNode last = base(run, "chat.completion.chunk");
            last.putArray("choices");
            usage(last.putObject("usage"), run.promptTokens, completion);
            sink.data(last.toString());
        }
        sink.data("[DONE]");
    }

    private void send(Running run, ChatRequest request, int choice, ReasoningSplitter.Delta d, EventSink sink)
            throws IOException {
        if (!d.reasoning().isEmpty()) {
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("reasoning_content", d.reasoning());
            sink.data(chunk(run, request, choice, delta, null));
        }
        if (!d.content().isEmpty()) {
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("content", d.content());
            sink.data(chunk(run, request, choice, delta, null));
        }
    }

    private String chunk(Running run, ChatRequest request, int choice, ObjectNode delta, String finishReason) {
        ObjectNode root = base(run, "chat.completion.chunk");
        ObjectNode c = root.putArray("choices").addObject();
        c.put("index", choice);
        c.set("delta", delta);
        c.putNull("logprobs");
        if (finishReason == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finishReason);
        }
        if (request.includeUsage()) {
            root.putNull("usage");
        }
        return root.toString();
    }

    private ObjectNode base(Running run, String object) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", run.id);
        root.put("object", object);
        root.put("created", run.created);
        root.put("model", model.name());
        return root;
    }

    /** Stop or length; a sequence cut by its time limit or by shutdown reports {@code length}, as it was cut short. */
    private static String finishReason(Ended d) {
        return d.end() == ContinuousBatcher.End.FINISHED ? d.result().finishReason().apiName() : "length";
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void usage(ObjectNode u, int prompt, int completion) {
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
    }
}
