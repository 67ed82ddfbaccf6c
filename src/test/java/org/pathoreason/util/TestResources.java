package org.pathoreason.util;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * Files the tests read, found on the test class path (copied there from {@code src/test/resources}), so that the
 * suite needs nothing outside the repository. Third-party fixtures live under {@code fixtures/} with their licences
 * in {@code src/test/resources/fixtures/NOTICE.md}.
 */
public final class TestResources {

    private TestResources() {
    }

    /** The file of a class-path resource, e.g. {@code fixtures/tiles/crc-adi-224.tif}; fails naming it if absent. */
    public static Path path(String resource) {
        URL url = TestResources.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + resource + " (expected under src/test/resources)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("test resource " + resource + " is not a file: " + url, e);
        }
    }

    /** A third-party fixture under {@code fixtures/} (see its NOTICE.md). */
    public static Path fixture(String name) {
        return path("fixtures/" + name);
    }
}
