package org.pathoreason.data.synth;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The visual findings the tile renderer can draw. Each has the id of its entity in the synthetic world's knowledge
 * graph (a graph used with the renderer must name its findings with these ids) and a short phrase describing what
 * is seen, used in observations and captions.
 */
public enum Finding {
    NEUTROPHILS("neutrophils", "neutrophils with multilobed nuclei"),
    PLASMA_CELLS("plasma_cells", "plasma cells with eccentric nuclei and clock-face chromatin"),
    LYMPHOCYTES("lymphocytes", "small round lymphocytes with dense nuclei"),
    EOSINOPHILS("eosinophils", "eosinophils with bilobed nuclei and bright red granules"),
    GIANT_CELLS("giant_cells", "multinucleated giant cells with peripheral nuclei"),
    EPITHELIOID_HISTIOCYTES("epithelioid_histiocytes",
            "aggregates of epithelioid histiocytes with pale elongated nuclei forming granulomas"),
    CASEOUS_NECROSIS("caseous_necrosis", "amorphous granular eosinophilic caseous necrosis"),
    GHOST_CELLS("ghost_cells", "anucleate ghost cells whose outlines and architecture are preserved"),
    NUCLEAR_DEBRIS("nuclear_debris", "karyorrhectic nuclear debris"),
    FIBRIN("fibrin", "bright eosinophilic fibrin strands"),
    OEDEMA("oedema", "pale oedematous stroma with widely separated fibres"),
    FIBROSIS("fibrosis", "dense collagenous fibrosis with few spindle cells"),
    CONGESTED_VESSELS("congested_vessels", "dilated vessels packed with red blood cells"),
    HAEMORRHAGE("haemorrhage", "extravasated red blood cells in the stroma"),
    KERATIN_PEARLS("keratin_pearls", "keratin pearls with concentric lamellae"),
    INTERCELLULAR_BRIDGES("intercellular_bridges", "intercellular bridges between squamous cells"),
    SQUAMOUS_MATURATION("squamous_maturation",
            "stratified squamous epithelium with orderly maturation from basal to flattened surface cells"),
    REGULAR_GLANDS("regular_glands", "regular glands lined by a single layer of cells with basal nuclei"),
    ATYPICAL_GLANDS("atypical_glands", "crowded back-to-back atypical glands with stratified nuclei"),
    NUCLEAR_PLEOMORPHISM("nuclear_pleomorphism", "nuclear pleomorphism with variation in nuclear size and shape"),
    HYPERCHROMASIA("hyperchromasia", "hyperchromatic nuclei with coarse dark chromatin"),
    PROMINENT_NUCLEOLI("prominent_nucleoli", "vesicular nuclei with prominent nucleoli"),
    MITOSES("mitoses", "mitotic figures"),
    LYMPHOID_SHEETS("lymphoid_sheets", "diffuse sheets of large atypical lymphoid cells with vesicular nuclei");

    private static final Map<String, Finding> BY_ID = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Finding::id, Function.identity()));

    private final String id;
    private final String description;

    Finding(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The id of this finding's entity in the knowledge graph. */
    public String id() {
        return id;
    }

    /** A short phrase saying what the finding looks like. */
    public String description() {
        return description;
    }

    public static Optional<Finding> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }
}
