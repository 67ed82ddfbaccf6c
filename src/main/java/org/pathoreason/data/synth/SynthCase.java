package org.pathoreason.data.synth;

import java.util.List;

/**
 * One drawn case of the world: a diagnosis, the findings its image shows (finding ids: required ones
 * first, then optional ones in graph order), the seed
 * of its image, and whether its combination of optional findings is held out of the training splits.
 */
public record SynthCase(String diagnosis, List<String> findings, long imageSeed, boolean unseenCombination) {

    public SynthCase {
        findings = List.copyOf(findings);
    }
}
