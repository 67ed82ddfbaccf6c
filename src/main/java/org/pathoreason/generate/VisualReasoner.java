package org.pathoreason.generate;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.pathoreason.data.PromptEncoder;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.model.GenerationConfig;
import org.pathoreason.model.Prompt;
import org.pathoreason.text.PromptStyle;

/**
 * Asks a pathology reasoning checkpoint about images: the library's front door. It opens a checkpoint folder
 * once ({@link CheckpointBundle}), builds each prompt with the one {@link PromptEncoder} that training and
 * evaluation use, and generates with the checkpoint's stop ids and default sampling.
 *
 * <pre>{@code
 * try (VisualReasoner reasoner = VisualReasoner.open(Path.of("runs/demo/grpo/final"))) {
 *     Answer a = reasoner.ask(Question.about(Path.of("tile.png"), "What is the most likely diagnosis?")
 *             .withOptions(List.of("Granuloma", "Abscess", "Carcinoma", "Infarct")));
 *     System.out.println(a.answer() + "\n" + a.think());
 * }
 * }</pre>
 *
 * Calls are serialised (one generation at a time per reasoner); batch questions with {@link #askAll}.
 */
public final class VisualReasoner implements AutoCloseable {

    private final CheckpointBundle checkpoint;
    private final PromptEncoder encoder;
    private final Generator generator;
    private final SamplingOptions sampling;
    private final boolean ownsCheckpoint;

    private VisualReasoner(CheckpointBundle checkpoint, PromptStyle style, SamplingOptions sampling,
            boolean ownsCheckpoint) {
        this.checkpoint = checkpoint;
        this.encoder = PromptEncoder.of(checkpoint, style, null);
        this.generator = new Generator(checkpoint.model(), ids -> checkpoint.tokenizer().decode(ids, true));
        this.sampling = sampling.withStopTokenIds(checkpoint.stopIds());
        this.ownsCheckpoint = ownsCheckpoint;
    }

    /** Opens a checkpoint folder with chain-of-thought prompts and the checkpoint's default sampling. */
    public static VisualReasoner open(Path dir) {
        return builder(dir).build();
    }

    /** Settings beyond the defaults; {@code build()} opens the checkpoint. */
    public static Builder builder(Path dir) {
        return new Builder(Objects.requireNonNull(dir, "dir"));
    }

    /**
     * A reasoner over a checkpoint that is already open (the caller keeps closing it).
     *
     * @param sampling how to generate; the checkpoint's stop ids are added
     */
    public static VisualReasoner over(CheckpointBundle checkpoint, PromptStyle style, SamplingOptions sampling) {
        return new VisualReasoner(checkpoint, style, sampling, false);
    }

    /** The checkpoint's sampling defaults from its {@code generation_config.json}. */
    public static SamplingOptions defaultSampling(CheckpointBundle checkpoint, int maxNewTokens) {
        GenerationConfig g = checkpoint.generationConfig();
        int n = maxNewTokens > 0 ? maxNewTokens : g.maxNewTokens() > 0 ? g.maxNewTokens() : 512;
        SamplingOptions greedy = SamplingOptions.greedy(n);
        return g.doSample() ? new SamplingOptions(n, g.temperature(), g.topK(), g.topP(), 0, List.of(),
                checkpoint.stopIds(), true) : greedy;
    }

    public CheckpointBundle checkpoint() {
        return checkpoint;
    }

    public SamplingOptions sampling() {
        return sampling;
    }

    /** The prompt the model is given for a question (token ids and image patches). */
    public Prompt prompt(Question question) {
        return encoder.encode(question.toSample("question"));
    }

    /** Answers one question. */
    public Answer ask(Question question) {
        return askAll(List.of(question), null).get(0);
    }

    /**
     * Answers one question, handing each piece of text to {@code onText} as it is generated.
     */
    public Answer ask(Question question, Consumer<String> onText) {
        Objects.requireNonNull(onText, "onText");
        return askAll(List.of(question), (seq, token, delta) -> {
            if (!delta.isEmpty()) {
                onText.accept(delta);
            }
        }).get(0);
    }

    /** Answers questions in one batch, in order. */
    public List<Answer> askAll(List<Question> questions) {
        return askAll(questions, null);
    }

    private synchronized List<Answer> askAll(List<Question> questions, GenerationListener listener) {
        if (questions.isEmpty()) {
            return List.of();
        }
        List<org.pathoreason.data.Sample> samples = new ArrayList<>(questions.size());
        for (int i = 0; i < questions.size(); i++) {
            samples.add(questions.get(i).toSample("question-" + i));
        }
        encoder.checkImagesExist(samples);
        List<Prompt> prompts = encoder.encode(samples);
        List<Answer> out = new ArrayList<>(questions.size());
        try (NDManager step = Engines.newManager()) {
            List<GenerationResult> results = generator.generate(prompts, sampling, listener, step);
            for (int i = 0; i < results.size(); i++) {
                out.add(Answer.of(withoutStopToken(results.get(i)), prompts.get(i).tokenIds().length));
            }
        }
        return out;
    }

    /** The stop token that ended a completion is not part of its answer's length. */
    private GenerationResult withoutStopToken(GenerationResult r) {
        long[] ids = r.tokenIds();
        if (ids.length > 0 && sampling.stopTokenIds().contains(ids[ids.length - 1])) {
            return new GenerationResult(java.util.Arrays.copyOf(ids, ids.length - 1), r.text(),
                    r.logProbs() == null ? null : java.util.Arrays.copyOf(r.logProbs(), Math.max(0,
                            Math.min(r.logProbs().length, ids.length - 1))), r.finishReason());
        }
        return r;
    }

    @Override
    public void close() {
        if (ownsCheckpoint) {
            checkpoint.close();
        }
    }

    /** Settings of a {@link VisualReasoner}: {@code optX} setters with defaults, one {@code build()}. */
    public static final class Builder {
        private final Path dir;
        private PromptStyle style = PromptStyle.COT;
        private int maxNewTokens;
        private Double temperature;
        private double topP = 1;
        private int topK;
        private long seed;
        private Path adapter;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** System prompt and answer format (default chain of thought). */
        public Builder optStyle(PromptStyle s) {
            this.style = Objects.requireNonNull(s, "style");
            return this;
        }

        /** Most tokens per answer (default: the generation config's, else 512). */
        public Builder optMaxNewTokens(int n) {
            this.maxNewTokens = n;
            return this;
        }

        /** Sampling temperature (0 = greedy; default: the generation config's). */
        public Builder optTemperature(double t) {
            this.temperature = t;
            return this;
        }

        public Builder optTopP(double p) {
            this.topP = p;
            return this;
        }

        public Builder optTopK(int k) {
            this.topK = k;
            return this;
        }

        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * A LoRA adapter folder in PEFT's layout ({@code adapter_config.json}, {@code adapter_model.safetensors})
         * merged into the checkpoint's weights when it is opened (default: none).
         */
        public Builder optAdapter(Path adapterDir) {
            this.adapter = Objects.requireNonNull(adapterDir, "adapterDir");
            return this;
        }

        /** Starts the engine if needed and opens the checkpoint. */
        public VisualReasoner build() {
            Engines.start();
            CheckpointBundle checkpoint = CheckpointBundle.open(dir, adapter == null ? CheckpointBundle.Options.DEFAULT
                    : CheckpointBundle.Options.adapter(LoraAdapter.read(adapter)));
            try {
                SamplingOptions sampling = defaultSampling(checkpoint, maxNewTokens);
                if (temperature != null) {
                    sampling = new SamplingOptions(sampling.maxNewTokens(), temperature, topK, topP, seed, List.of(),
                            sampling.stopTokenIds(), true);
                }
                return new VisualReasoner(checkpoint, style, sampling.withSeed(seed), true);
            } catch (RuntimeException e) {
                checkpoint.close();
                throw e;
            }
        }
    }
}
