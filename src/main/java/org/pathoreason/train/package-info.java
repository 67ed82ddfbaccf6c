/**
 * Parts every trainer shares: {@link org.pathoreason.train.TrainConfig} (hyperparameters, loaded by
 * {@link org.pathoreason.train.ConfigLoader} from defaults, a YAML/JSON file and {@code --set} overrides, saved
 * by {@link org.pathoreason.train.RunInfo} as {@code run.json}), {@link org.pathoreason.train.AdamW},
 * {@link org.pathoreason.train.Gradients} (global-norm clipping, scaling, zeroing),
 * {@link org.pathoreason.train.LrSchedule}, {@link org.pathoreason.train.ParameterUpdater} (one update from
 * accumulated gradients), {@link org.pathoreason.train.Freezing}, {@link org.pathoreason.train.DataOrder},
 * {@link org.pathoreason.train.StepRandom}, {@link org.pathoreason.train.MetricsLog} and
 * {@link org.pathoreason.train.CheckpointManager}.
 *
 * <p>They work on a model's weights as a {@code Map<String, NDArray>} keyed by Hugging Face names; the trained
 * ones are those that require a gradient. A loop built from them:
 * <pre>{@code
 * ConfigLoader.Resolved<TrainConfig> resolved = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(),
 *         configFile, overrides);
 * TrainConfig cfg = resolved.config();
 * CheckpointManager checkpoints = new CheckpointManager(runDir, cfg.keepLast());
 * long total = cfg.totalSteps(samples.size());
 * try (ParameterUpdater updater = cfg.updater(params, total)) {          // freeze switches, AdamW, schedule
 *     TrainState state = TrainState.start(cfg.seed());
 *     Optional<Checkpoint> latest = checkpoints.latest();
 *     if (latest.isPresent()) {
 *         state = latest.get().restore(params, updater);                // weights, optimiser, schedule
 *         RunInfo.recordResume(runDir, state.globalStep());
 *     } else {
 *         RunInfo.write(runDir, "sft", resolved, Map.of("data", dataFile.toString()));
 *     }
 *     DataOrder.Cursor data = new DataOrder(samples.size(), cfg.seed(), cfg.shuffle())
 *             .cursor(state.dataPosition());
 *     try (MetricsLog log = MetricsLog.open(runDir.resolve("metrics.jsonl"), state.globalStep())) {
 *         while (updater.globalStep() < total) {
 *             StepRandom.seedEngine(cfg.seed(), updater.globalStep(), "engine");
 *             for (int i = 0; i < cfg.gradAccum(); i++) {
 *                 int[] batch = data.nextBatch(cfg.batchSize());
 *                 try (NDManager step = root.newSubManager();
 *                         GradientCollector gc = GradientRecording.open()) {
 *                     gc.backward(loss(step, batch));                    // gradients add up
 *                 }
 *             }
 *             ParameterUpdater.Update u = updater.step(1.0 / cfg.gradAccum());
 *             state = state.at(u.step(), data.position());
 *             if (cfg.shouldLog(u.step())) {
 *                 log.append(u.step(), Map.of("loss", loss, "lr", u.lr(), "grad_norm", u.gradNorm()));
 *             }
 *             if (cfg.shouldSave(u.step())) {
 *                 checkpoints.save(state, params, updater.optimizer(), dir -> writeConfigAndTokenizer(dir));
 *             }
 *         }
 *     }
 * }
 * }</pre>
 */
package org.pathoreason.train;

