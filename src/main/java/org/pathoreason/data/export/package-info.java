/**
 * Canonical samples out to the formats other trainers read: LLaVA / ShareGPT conversation JSON
 * ({@link org.pathoreason.data.export.LlavaExport}) and WebDataset tar shards
 * ({@link org.pathoreason.data.export.WebDatasetExport}). Both read back through {@code data.readers}.
 */
package org.pathoreason.data.export;
