package org.pathoreason.model.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.pathoreason.util.FuzzFiles;
import org.pathoreason.util.PathoReasonException;

/**
 * Any bytes as a {@code model.safetensors} file: opening it and reading every tensor either works or fails with
 * the project's own exception; nothing else (no index, size or allocation error from a header that lies) comes out.
 * Seeds: {@code src/test/resources/org/pathoreason/model/io/SafetensorsFuzzTestInputs/}.
 */
@Tag("fuzz")
class SafetensorsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyBytesAsSafetensors(byte[] bytes) {
        Path file = FuzzFiles.write("model.safetensors", bytes);
        try (SafetensorsReader r = SafetensorsReader.open(file, 64)) {
            for (String name : r.names()) {
                TensorInfo t = r.info(name);
                r.readBytes(name);
                r.readFloats(name);
                if (!t.dtype().isFloatingPoint()) {
                    r.readLongs(name);
                }
            }
        } catch (PathoReasonException expected) {
            // a clear error naming the file: what the property allows
        }
    }
}
