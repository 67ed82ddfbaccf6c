package org.pathoreason.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The LoRA switches of the training commands, turned into {@code lora.*} config overrides (the {@code lora:}
 * section of the config file does the same): {@code --lora --lora-r 16} is {@code --set lora.enabled=true --set
 * lora.r=16}. Values left out keep the config's (defaults r 8, alpha 16, dropout 0.05, the language model's
 * q/k/v/o and gate/up/down projections).
 */
public final class LoraMixin {

    @Option(names = "--lora", description = "Train LoRA adapters on the frozen base instead of the whole model; "
            + "checkpoints and final/ hold the adapter in PEFT's layout (same as --set lora.enabled=true).")
    boolean lora;

    @Option(names = "--lora-r", paramLabel = "R", description = "LoRA rank (default 8).")
    Integer r;

    @Option(names = "--lora-alpha", paramLabel = "ALPHA", description = "lora_alpha; scaling alpha/r (default 16).")
    Double alpha;

    @Option(names = "--lora-dropout", paramLabel = "P", description = "Dropout on the adapters' input (default "
            + "0.05).")
    Double dropout;

    @Option(names = "--lora-targets", paramLabel = "NAMES", split = ",", description = "Module names to adapt, "
            + "comma-separated (default q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj).")
    List<String> targets;

    @Option(names = "--lora-rslora", description = "Rank-stabilised scaling alpha/sqrt(r).")
    boolean rslora;

    @Option(names = "--lora-vision", description = "Match --lora-targets in the vision tower and merger too.")
    boolean vision;

    /** The overrides these options stand for, to apply after the config file's. */
    List<String> overrides() {
        List<String> out = new ArrayList<>();
        if (lora) {
            out.add("lora.enabled=true");
        }
        if (r != null) {
            out.add("lora.r=" + r);
        }
        if (alpha != null) {
            out.add("lora.alpha=" + alpha);
        }
        if (dropout != null) {
            out.add("lora.dropout=" + dropout);
        }
        if (targets != null) {
            out.add("lora.targets=[" + String.join(", ", targets) + "]");
        }
        if (rslora) {
            out.add("lora.rslora=true");
        }
        if (vision) {
            out.add("lora.vision=true");
        }
        return out;
    }
}
