package org.pathoreason.model.lora;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.CheckpointContents;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.io.CheckpointException;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.model.io.TensorInfo;
import org.pathoreason.model.qwen2vl.Qwen2VLParameters;
import org.pathoreason.util.Json;

/**
 * Merges a LoRA adapter into a base checkpoint folder and writes the result as a complete Hugging Face checkpoint
 * (what PEFT's {@code merge_and_unload()} followed by {@code save_pretrained} gives): every adapted weight becomes
 * {@code W + scaling * B @ A}, computed in float32 from the stored weight; the other tensors are copied byte for
 * byte (or converted when another dtype is asked for); the base's tokenizer, configs and other files are copied.
 * {@code pathoreason.json} records stage {@value #STAGE} with the base as parent, and {@value #ADAPTER_RECORD}
 * names the adapter with the digest of its weights and its config.
 *
 * <p>Memory: one tensor at a time (the writer computes each merged tensor while it writes it), so a 7B base
 * merges in about the size of its largest tensor, in float32.
 */
public final class LoraMerge {

    public static final String STAGE = "merge-lora";
    /** The extra file that says which adapter was merged. */
    public static final String ADAPTER_RECORD = "merged_adapter.json";

    private LoraMerge() {
    }

    /**
     * Writes {@code base} with {@code adapter} merged into {@code out}, atomically.
     *
     * @param dtype dtype of the floating tensors written; null keeps each tensor's stored dtype
     * @return the number of weights the adapter changed
     * @throws ModelException when the adapter does not fit the base or a file cannot be read or written
     */
    public static int merge(Path base, LoraAdapter adapter, Path out, DType dtype) {
        if (dtype != null && !dtype.isFloatingPoint()) {
            throw new ModelException("merged weights are stored as F32, F16 or BF16, not " + dtype.safetensorsName());
        }
        if (out.toAbsolutePath().normalize().equals(base.toAbsolutePath().normalize())) {
            throw new ModelException("--out " + out + " is the base checkpoint itself; write the merge elsewhere");
        }
        try (CheckpointDir dir = CheckpointDir.open(base)) {
            SafetensorsReader weights = dir.weights();
            Map<String, String> stored = new HashMap<>();
            for (String name : weights.names()) {
                stored.put(Qwen2VLParameters.canonicalName(name), name);
            }
            adapter.checkFits(parameter -> {
                String name = stored.get(parameter);
                return name == null ? null : info(weights, name).shape();
            }, base);
            SafetensorsWriter writer = new SafetensorsWriter();
            Set<String> adapted = adapter.parameters();
            int changed = 0;
            for (String name : new java.util.TreeSet<>(weights.names())) {
                TensorInfo t = info(weights, name);
                String parameter = Qwen2VLParameters.canonicalName(name);
                DType target = dtype == null || !t.dtype().isFloatingPoint() ? t.dtype() : dtype;
                if (adapted.contains(parameter)) {
                    writer.put(name, target, t.shape(), () -> adapter.merged(parameter, floats(weights, name)));
                    changed++;
                } else if (target != t.dtype()) {
                    writer.put(name, target, t.shape(), () -> floats(weights, name));
                } else {
                    writer.copy(weights, name);
                }
            }
            CheckpointContents contents = new CheckpointContents()
                    .config(config(dir, dtype))
                    .weights(writer)
                    .provenance(Provenance.of(STAGE).withParent(base.toAbsolutePath().normalize().toString()));
            dir.tokenizerJson().ifPresent(contents::tokenizerJson);
            dir.tokenizerConfig().ifPresent(contents::tokenizerConfig);
            dir.preprocessorConfig().ifPresent(contents::preprocessorConfig);
            dir.generationConfig().ifPresent(contents::generationConfig);
            copyOtherFiles(base, contents);
            contents.file(ADAPTER_RECORD, adapterRecord(adapter));
            CheckpointDir.write(out, contents);
            return changed;
        } catch (CheckpointException e) {
            throw new ModelException(e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            throw new ModelException("cannot write the merged checkpoint " + out + ": " + e.getMessage(), e);
        }
    }

    private static TensorInfo info(SafetensorsReader weights, String name) {
        try {
            return weights.info(name);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    private static float[] floats(SafetensorsReader weights, String name) {
        try {
            return weights.readFloats(name);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    /** The base's config, with its dtype field set when the weights change dtype. */
    private static ObjectNode config(CheckpointDir dir, DType dtype) {
        ObjectNode config = dir.config().deepCopy();
        if (dtype != null) {
            String name = switch (dtype) {
                case BF16 -> "bfloat16";
                case F16 -> "float16";
                default -> "float32";
            };
            // transformers 5 writes "dtype", earlier versions "torch_dtype"
            config.put(config.has("dtype") || !config.has("torch_dtype") ? "dtype" : "torch_dtype", name);
        }
        return config;
    }

    /** Files of the base beyond the standard ones (chat_template.jinja, vocab files, a model card). */
    private static void copyOtherFiles(Path base, CheckpointContents contents) throws IOException {
        Set<String> skip = Set.of(CheckpointDir.CONFIG, CheckpointDir.TOKENIZER, CheckpointDir.TOKENIZER_CONFIG,
                CheckpointDir.PREPROCESSOR_CONFIG, CheckpointDir.GENERATION_CONFIG, CheckpointDir.PROVENANCE,
                SafetensorsReader.INDEX_FILE, ADAPTER_RECORD);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(base)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !skip.contains(name) && !name.startsWith(".")
                        && !name.endsWith(".safetensors")) {
                    contents.file(name, f);
                }
            }
        }
    }

    private static byte[] adapterRecord(LoraAdapter adapter) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        Path source = adapter.source();
        n.put("adapter", source == null ? null : source.toAbsolutePath().normalize().toString());
        if (source != null && Files.isRegularFile(source.resolve(LoraAdapter.WEIGHTS_FILE))) {
            n.put("adapter_model_sha256", sha256(source.resolve(LoraAdapter.WEIGHTS_FILE)));
        }
        n.put("layers", adapter.parameters().size());
        n.set("adapter_config", adapter.config().toJson());
        return (Json.PRETTY.writeValueAsString(n) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
