package org.pathoreason.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves checkpoints into {@code runs/<name>/checkpoints/step-N/}, each written whole into a hidden temporary
 * folder and renamed into place (so a run killed mid-save leaves only a dot-folder, never a half checkpoint), keeps
 * the newest {@code keepLast}, and finds the newest complete one to resume from.
 *
 * <p>A checkpoint holds {@code model.safetensors} (shards plus index above 5 GB, {@code format=pt} metadata, so
 * transformers can load it), {@code optimizer.safetensors} ({@code <param>.exp_avg}, {@code <param>.exp_avg_sq}
 * and {@code <param>.step} per trained parameter), {@code trainer_state.json}, and what the caller's hook writes:
 * {@code config.json}, tokenizer files, {@code pathoreason.json}.
 */
public final class CheckpointManager {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointManager.class);
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    /** Hugging Face's default {@code max_shard_size}. */
    private static final long MAX_SHARD_BYTES = 5_000_000_000L;

    private final Path root;
    private final int keepLast;

    /**
     * @param runDir the run folder; checkpoints go to {@code runDir/checkpoints}
     * @param keepLast how many checkpoints to keep (older ones are deleted after each save)
     */
    public CheckpointManager(Path runDir, int keepLast) {
        if (keepLast <= 0) {
            throw new IllegalArgumentException("keep_last must be > 0, got " + keepLast);
        }
        this.root = runDir.resolve("checkpoints");
        this.keepLast = keepLast;
    }

    public Path root() {
        return root;
    }

    /** True when something done every {@code every} updates is due after update {@code step} (0: never). */
    public static boolean due(long step, long every) {
        return every > 0 && step > 0 && step % every == 0;
    }

    /**
     * Writes checkpoint {@code step-<state.globalStep()>} atomically, replacing one of the same step, then deletes
     * checkpoints beyond the newest {@code keepLast} and leftovers of interrupted saves.
     *
     * @param weights every model weight, by Hugging Face name (frozen ones included)
     * @param extraFiles writes the rest of the folder (config.json, tokenizer, pathoreason.json); may be null
     * @return the checkpoint folder
     */
    public Checkpoint save(TrainState state, Map<String, NDArray> weights, AdamW optimizer,
            AtomicFiles.FolderWriter extraFiles) {
        return save(state, dir -> {
            SafetensorsWriter model = new SafetensorsWriter().metadata(Map.of("format", "pt"));
            weights.forEach(model::put);
            model.writeSharded(dir, MAX_SHARD_BYTES);
        }, optimizer, extraFiles);
    }

    /**
     * As {@link #save(TrainState, Map, AdamW, AtomicFiles.FolderWriter)} with the weights written by
     * {@code weights}: a LoRA run writes its adapter ({@code adapter_config.json}, {@code adapter_model.safetensors}).
     */
    public Checkpoint save(TrainState state, AtomicFiles.FolderWriter weights, AdamW optimizer,
            AtomicFiles.FolderWriter extraFiles) {
        Path target = root.resolve("step-" + state.globalStep());
        AtomicFiles.writeFolder(target, dir -> {
            weights.write(dir);
            optimizerWriter(optimizer).write(dir.resolve(Checkpoint.OPTIMIZER));
            Files.write(dir.resolve(Checkpoint.STATE), Json.PRETTY.writeValueAsBytes(state));
            if (extraFiles != null) {
                extraFiles.write(dir);
            }
        });
        prune();
        return new Checkpoint(target, state.globalStep());
    }

    private static SafetensorsWriter optimizerWriter(AdamW optimizer) {
        AdamW.Settings s = optimizer.settings();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("optimizer", "adamw");
        meta.put("betas", s.beta1() + "," + s.beta2());
        meta.put("eps", Double.toString(s.eps()));
        meta.put("weight_decay", Double.toString(s.weightDecay()));
        SafetensorsWriter w = new SafetensorsWriter().metadata(meta);
        optimizer.stateTensors().forEach(w::put);
        optimizer.steps().forEach((name, step) -> w.put(name + Checkpoint.STEP_SUFFIX, new long[0],
                new long[] {step}));
        return w;
    }

    /** Complete checkpoints, oldest first. Hidden folders (unfinished or replaced writes) are never listed. */
    public List<Checkpoint> list() {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                Matcher m = STEP_DIR.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d) && complete(d)) {
                    out.add(new Checkpoint(d, Long.parseLong(m.group(1))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(Checkpoint::step));
        return out;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private static boolean complete(Path d) {
        return Files.isRegularFile(d.resolve(Checkpoint.STATE)) && Files.isRegularFile(d.resolve(Checkpoint.OPTIMIZER))
                && (Files.isRegularFile(d.resolve(Checkpoint.WEIGHTS))
                        || Files.isRegularFile(d.resolve(Checkpoint.ADAPTER_WEIGHTS))
                        || Files.isRegularFile(d.resolve(Checkpoint.WEIGHTS_INDEX)));
    }

    private void prune() {
        List<Checkpoint> all = list();
        for (int i = 0; i < all.size() - keepLast; i++) {
            AtomicFiles.deleteRecursively(all.get(i).dir());
            LOG.debug("deleted old checkpoint {}", all.get(i).dir());
        }
        // Leftovers of saves interrupted by a kill: hidden ".step-N.partial-*" / ".step-N.old-*" folders.
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, ".step-*")) {
            for (Path d : dirs) {
                AtomicFiles.deleteRecursively(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + root + ": " + e.getMessage(), e);
        }
    }
}
