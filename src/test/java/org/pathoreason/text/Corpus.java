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

    private static final String[] SYLLABLES = {"ad", "en", "o", "ma", "cyt", "lym", "pho", "gran", "u", "lo",
        "hist", "io", "path", "ker", "at", "in", "neu", "tro", "phil", "ic", "my", "el", "fib", "ro", "sis", "car",
        "ci", "no", "epi", "the", "li", "al", "meso", "derm", "chon", "dro", "os", "te", "oid", "plas", "mic"};

    private Corpus() {
    }

    /** A made-up word of 1-4 syllables: many distinct words, so thousands of merges are possible. */
    private static String madeUp(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            sb.append(SYLLABLES[(int) Math.min(SYLLABLES.length - 1, Math.abs(r.nextGaussian()) * 12)]);
        }
        return sb.toString();
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
                int kind = r.nextInt(12);
                String word = kind == 0 ? EXTRAS[r.nextInt(EXTRAS.length)]
                        : kind < 5 ? madeUp(r) : WORDS[r.nextInt(WORDS.length)];
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
