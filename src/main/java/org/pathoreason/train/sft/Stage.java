package org.pathoreason.train.sft;

import java.util.Locale;

/** The supervised stages this package trains. */
public enum Stage {
    /**
     * Continued pretraining (knowledge infusion): the user turn holds the image(s) and a caption request, the
     * assistant turn is the sample's {@code caption}.
     */
    PRETRAIN("pretrain"),
    /** Supervised fine-tuning: the assistant turn is the reasoning and the answer in tags. */
    SFT("sft");

    private final String id;

    Stage(String id) {
        this.id = id;
    }

    /** The name used on the command line, in {@code run.json} and in checkpoint provenance. */
    public String id() {
        return id;
    }

    public static Stage parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Stage s : values()) {
            if (s.id.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + name + "', expected pretrain or sft");
    }
}
