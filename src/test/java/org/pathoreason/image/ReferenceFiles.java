package org.pathoreason.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;

/** The Pillow reference outputs under src/test/resources/org/pathoreason/image/reference and the tiles under fixtures/tiles. */
final class ReferenceFiles {

    static final Path TILES = TestResources.fixture("tiles");

    private ReferenceFiles() {
    }

    static Path reference(String name) {
        try {
            return Path.of(ReferenceFiles.class.getResource("reference/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource reference/" + name, e);
        }
    }

    static JsonNode manifest() throws IOException {
        return Json.MAPPER.readTree(reference("manifest.json").toFile());
    }

    static Path tile(String name) {
        return TILES.resolve(name);
    }
}
