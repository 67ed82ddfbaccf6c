package org.pathoreason.model.qwen2vl;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.util.FuzzFiles;
import org.pathoreason.util.PathoReasonException;

/**
 * Any bytes as each JSON file of a checkpoint folder: {@code config.json} (read as a Qwen2.5-VL config, its derived
 * sizes computed, and opened as a checkpoint with small valid weights), {@code preprocessor_config.json},
 * {@code tokenizer_config.json} (its chat template) and {@code pathoreason.json}. Each either works or fails with
 * the project's own exception. Seeds: {@code src/test/resources/org/pathoreason/model/qwen2vl/CheckpointFilesFuzzTestInputs/}.
 */
@Tag("fuzz")
class CheckpointFilesFuzzTest {

    // A valid one-tensor safetensors file: 8-byte header length, the header, 4 bytes of data.
    private static final byte[] WEIGHTS = weights();

    private static byte[] weights() {
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes();
        byte[] out = new byte[8 + header.length + 4];
        out[0] = (byte) header.length;
        System.arraycopy(header, 0, out, 8, header.length);
        return out;
    }

    @FuzzTest(maxDuration = "10s")
    void anyBytesAsCheckpointJsonFiles(byte[] bytes) throws Exception {
        Path dir = FuzzFiles.folder("checkpoint");
        Path config = FuzzFiles.write(dir, CheckpointDir.CONFIG, bytes);
        try {
            Qwen2VLConfig c = Qwen2VLConfig.read(config);
            c.vision().headDim();
            c.vision().patchValues();
            c.vision().mergeUnit();
            c.vision().windowInMergedTokens();
            c.text().headDim();
            c.parameterCount();
            c.toJson();
        } catch (PathoReasonException expected) {
            // a clear error naming the file: what the property allows
        }
        try {
            PreprocessorConfig p = PreprocessorConfig.read(FuzzFiles.write(dir, CheckpointDir.PREPROCESSOR_CONFIG,
                    bytes));
            p.factor();
        } catch (PathoReasonException expected) {
            // as above
        }
        FuzzFiles.write(dir, CheckpointDir.TOKENIZER_CONFIG, bytes);
        FuzzFiles.write(dir, CheckpointDir.PROVENANCE, bytes);
        FuzzFiles.write(dir, "model.safetensors", WEIGHTS);
        try {
            CheckpointDir.readChatTemplate(dir);
        } catch (PathoReasonException expected) {
            // as above
        }
        try (CheckpointDir ckpt = CheckpointDir.open(dir)) {
            ckpt.chatTemplate();
            ckpt.provenance();
        } catch (PathoReasonException expected) {
            // as above
        }
        Files.deleteIfExists(dir.resolve(CheckpointDir.PROVENANCE));
    }
}
