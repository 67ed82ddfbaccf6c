package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.pathoreason.serve.ApiServer;
import org.pathoreason.serve.ServeOptions;
import org.pathoreason.text.PromptStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason serve}: an OpenAI-compatible API and the page for a pathologist, over one checkpoint. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a checkpoint: OpenAI-compatible /v1/chat/completions (streamed, continuously batched), "
                + "/v1/models, /health, /metrics, and a page for a pathologist at /. Research use only.")
public final class ServeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    EngineMixin engine;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "LoRA adapter folder (PEFT layout) merged into the checkpoint's weights.")
    Path adapter;

    @Option(names = "--host", defaultValue = ServeOptions.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require this key on every route but /health "
            + "(default: the " + ServeOptions.API_KEY_ENV + " environment variable; none when unset).")
    String apiKey;

    @Option(names = "--media-dir", paramLabel = "DIR",
            description = "Allow file: image URLs of files under DIR (default: only data: URLs).")
    Path mediaDir;

    @Option(names = "--slides", paramLabel = "DIR",
            description = "Serve the whole-slide images under DIR as Deep Zoom (GET /v1/slides, /slides/NAME.dzi, "
                    + "/slides/NAME_files/L/C_R.jpeg) with a viewer at /viewer.")
    Path slides;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "Model id for clients "
            + "(default: the checkpoint folder's name).")
    String servedName;

    @Option(names = "--style", defaultValue = "cot", paramLabel = "STYLE", description = "How a bare question is put "
            + "to the model: cot, cod, think-answer, observe-think-answer or plain (default: ${DEFAULT-VALUE}).")
    String style;

    @Option(names = "--graph", paramLabel = "FILE", description = "Knowledge graph for the page's entity "
            + "highlights (default: the built-in pathology graph).")
    Path graph;

    @Option(names = "--max-batch", defaultValue = "16", description = "Sequences decoded together "
            + "(default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-queue", defaultValue = "64", description = "Requests waiting before 429 "
            + "(default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-model-len", defaultValue = "8192", description = "Tokens per sequence, prompt plus "
            + "completion (default: ${DEFAULT-VALUE}, capped by the model).")
    int maxModelLength;

    @Option(names = "--limit-images", defaultValue = "4", description = "Images per request "
            + "(default: ${DEFAULT-VALUE}).")
    int maxImages;

    @Option(names = "--max-image-pixels", defaultValue = "16777216", description = "Largest image, width x height "
            + "(default: ${DEFAULT-VALUE}).")
    long maxImagePixels;

    @Option(names = "--request-timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "Time a request may take (default: ${DEFAULT-VALUE}).")
    long requestTimeout;

    @Option(names = "--drain-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "On SIGTERM, time given to requests in flight (default: ${DEFAULT-VALUE}).")
    long drainTimeout;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        engine.start();
        String key = apiKey != null ? apiKey : System.getenv(ServeOptions.API_KEY_ENV);
        ServeOptions options = ServeOptions.builder().host(host).port(port)
                .apiKey(key == null || key.isBlank() ? null : key).mediaDir(mediaDir).modelName(servedName)
                .style(PromptStyle.parse(style)).graph(graph).maxBatch(maxBatch).maxQueue(maxQueue)
                .maxModelLength(maxModelLength).maxImagesPerRequest(maxImages).maxImagePixels(maxImagePixels)
                .requestTimeout(Duration.ofSeconds(requestTimeout)).drainTimeout(Duration.ofSeconds(drainTimeout))
                .slidesDir(slides).adapter(adapter).build();
        ApiServer server = ApiServer.start(model, options);
        // SIGTERM (and Ctrl-C): stop taking requests, let those in flight finish, then exit
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "serve-shutdown"));
        out.printf("serving %s at http://%s:%d/ (API key %s); research use only, not for diagnosis%n",
                server.modelName(), host, server.port(), options.apiKey() == null ? "off" : "on");
        if (slides != null) {
            out.printf("slides of %s at http://%s:%d/viewer%n", slides, host, server.port());
        }
        out.flush();
        try {
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
        }
    }
}
