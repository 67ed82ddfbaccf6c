package org.pathoreason.train.rl;

import org.pathoreason.data.Task;

import org.pathoreason.data.PromptEncoder;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.FinishReason;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.TokenDecoder;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.model.qwen2vl.TinyModels;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.train.AdamW;
import org.pathoreason.train.TrainConfig;

/**
 * A tiny random Qwen2.5-VL (vocabulary of 100, the test ids of {@link TinyModels}) with a toy "tokenizer": ids
 * 0-25 are the letters a-z, 26-35 the digits, anything else is left out of the text. Prompts are the sample's
 * question in letters after a bos token; samples whose id starts with {@code img} also get one small image.
 */
final class RlFixtures {

    static final long STOP = TinyModels.EOS;
    static final int[] IMAGE_GRID = {1, 4, 4};

    private RlFixtures() {
    }

    static Qwen2VLModel model(NDManager root, long seed) {
        return Qwen2VLModel.random(TinyModels.config(false), seed, root);
    }

    static final TokenDecoder DECODER = ids -> {
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            if (id < 26) {
                sb.append((char) ('a' + id));
            } else if (id < 36) {
                sb.append((char) ('0' + id - 26));
            }
        }
        return sb.toString();
    };

    static long[] letters(String text) {
        long[] out = new long[text.length() + 1];
        out[0] = TinyModels.BOS;
        for (int i = 0; i < text.length(); i++) {
            out[i + 1] = text.charAt(i) - 'a';
        }
        return out;
    }

    static final java.util.function.Function<Sample, Prompt> ENCODER = sample -> {
        long[] text = letters(sample.question());
        if (sample.id().startsWith("img")) {
            long[] ids = TinyModels.prompt(IMAGE_GRID, new long[] {TinyModels.BOS}, java.util.Arrays.copyOfRange(text,
                    1, text.length));
            return new Prompt(ids, TinyModels.patches(IMAGE_GRID, sample.id().hashCode()), List.of(IMAGE_GRID));
        }
        return Prompt.text(text);
    };

    static Sample sample(String id, String question) {
        return new Sample(id, List.of(), question, List.of(), "a", null, null, null, List.of(), Task.OPEN, null,
                Map.of());
    }

    static List<Sample> samples(int n) {
        List<Sample> out = new ArrayList<>();
        String[] words = {"tissue", "cells", "gland", "stroma", "nuclei", "mitosis", "fibrosis", "necrosis"};
        for (int i = 0; i < n; i++) {
            out.add(sample((i % 3 == 0 ? "img-" : "txt-") + i, words[i % words.length]));
        }
        return out;
    }

    /** Share of the completion's letters that are {@code letter}: a reward the tiny policy can learn. */
    static Reward letterShare(char letter) {
        return new Reward() {
            @Override
            public String name() {
                return "letter";
            }

            @Override
            public RewardResult score(RewardInput input) {
                String t = input.completion();
                long hits = t.chars().filter(c -> c == letter).count();
                double share = t.isEmpty() ? 0 : (double) hits / t.length();
                Map<String, Double> parts = new LinkedHashMap<>();
                parts.put("letter", share);
                parts.put("accuracy", hits > 0 ? 1.0 : 0.0);
                return new RewardResult(share, parts);
            }
        };
    }

    /** The completion's text length over 10: varies within almost every group of a random policy. */
    static Reward textLength() {
        return new Reward() {
            @Override
            public String name() {
                return "length_score";
            }

            @Override
            public RewardResult score(RewardInput input) {
                return RewardResult.of("length_score", input.completion().length() / 10.0);
            }
        };
    }

    /** A reward that is the same for every completion. */
    static Reward constant(double value) {
        return new Reward() {
            @Override
            public String name() {
                return "constant";
            }

            @Override
            public RewardResult score(RewardInput input) {
                return RewardResult.of("constant", value);
            }
        };
    }

    /** A small config: {@code prompts} per step, 4 completions of at most 6 tokens, lr 1e-3, constant schedule. */
    static GrpoConfig config(String algorithm, int prompts, long steps, double klCoef) {
        GrpoConfig d = GrpoConfig.defaults(algorithm);
        TrainConfig t = new TrainConfig(1e-3, 0.0, 0.9, 0.999, 1e-8, "constant", 0, 0, 0, steps, 1, prompts, 1, 1.0,
                7, true, 2, 5, 0, 1, false, false, false, 64, AdamW.DEFAULT_NO_DECAY);
        RlOptions r = d.rl();
        RlOptions rl = new RlOptions(r.algorithm(), 4, 8, 64, 6, 1.0, 1.0, 0, 1, 0, 8, r.oldLogp(), r.advEps(),
                r.scaleAdvByStd(), r.clipLow(), r.clipHigh(), r.dualClipC(), r.lossAgg(), 0, klCoef, KlEstimators.Kind.K3, false,
                r.dynamicSampling(), "reward", 3, false, r.promptStyle());
        return new GrpoConfig(t, rl, d.reward(), d.lora());
    }

    /** A generated completion for hand-made rollouts. */
    static GenerationResult completion(long... ids) {
        boolean stopped = ids[ids.length - 1] == STOP;
        return new GenerationResult(ids, DECODER.decode(ids), new float[ids.length],
                stopped ? FinishReason.STOP : FinishReason.LENGTH);
    }

    static GrpoTrainer.Builder trainer(GrpoConfig config, Qwen2VLModel policy, Reward reward, List<Sample> samples,
                                       java.nio.file.Path runDir, NDManager root) {
        return GrpoTrainer.builder().setConfig(config).setPolicy(policy).setPrompts(ENCODER)
                .setTokenDecoder(DECODER).setStopTokenIds(Set.of(STOP)).setReward(reward).setSamples(samples)
                .setRunDir(runDir).setManager(root).optProgress(false);
    }
}
