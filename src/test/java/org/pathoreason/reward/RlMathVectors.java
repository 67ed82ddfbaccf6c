package org.pathoreason.reward;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;

/** Loads fixtures/vectors/rl-math.json, the peer numbers (verl, TRL, PathReasoner) the RL math must reproduce. */
public final class RlMathVectors {

    public static final Path FILE = TestResources.fixture("vectors/rl-math.json");

    private static JsonNode root;

    private RlMathVectors() {
    }

    public static synchronized JsonNode root() {
        if (root == null) {
            try {
                root = Json.MAPPER.readTree(Files.readString(FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read test vectors " + FILE.toAbsolutePath(), e);
            }
        }
        return root;
    }

    public static JsonNode get(String section) {
        JsonNode n = root().get(section);
        if (n == null) {
            throw new IllegalStateException(FILE + " has no section '" + section + "'");
        }
        return n;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
