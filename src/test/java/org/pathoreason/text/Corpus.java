package org.pathoreason.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A deterministic pathology-flavoured corpus for tokenizer tests. */
final class Corpus {

    private static final String[] WORDS = {"the", "tissue", "shows", "plasma", "cells", "with", "eccentric",
        "nuclei", "chronic", "inflammation", "granuloma", "formation", "multinucleated", "giant", "neutrophilic",
        "infiltration", "adenocarcinoma", "glands", "stroma", "mitotic", "figures", "are", "frequent", "and",
        "necrosis", "is", "present", "in", "a", "of", "squamous", "carcinoma", "keratin", "pearls", "lymphocytes",
        "fibrosis", "H&E", "x200", "Ki-67", "HER2", "positive", "negative", "tumour", "margin", "invasion"};

    private static final String[] EXTRAS = {"naïve", "café", "Größe", "épithélium", "腺癌", "组织", "μm", "—", "→",
        "🙂", "½", "1,234.5", "don't", "it's", "\t", "  "};

    private Corpus() {
    }

    static List<String> lines(int count, long seed) {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 5 + r.nextInt(15);
            for (int w = 0; w < n; w++) {
                if (w > 0) {
                    sb.append(' ');
                }
                String word = r.nextInt(12) == 0 ? EXTRAS[r.nextInt(EXTRAS.length)] : WORDS[r.nextInt(WORDS.length)];
                if (w == 0) {
                    word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                }
                sb.append(word);
            }
            sb.append(r.nextBoolean() ? "." : ", see figure " + r.nextInt(100) + ".");
            sb.append('\n');
            lines.add(sb.toString());
        }
        return lines;
    }
}
