/**
 * Readers of benchmark and training formats into canonical {@link org.pathoreason.data.Sample}s, chosen with
 * {@link org.pathoreason.data.readers.DatasetFormat} (which also detects a file's format):
 * <table>
 *   <caption>Formats and the sample ids they give</caption>
 *   <tr><th>format</th><th>input</th><th>sample id</th></tr>
 *   <tr><td>{@code jsonl}</td><td>canonical sample JSONL</td><td>as written</td></tr>
 *   <tr><td>{@code pathmmu}</td><td>{@code data.json} or its folder</td><td>{@code subset/split/No}, e.g.
 *       {@code PubMed/test/12} (list position when {@code No} is absent)</td></tr>
 *   <tr><td>{@code wsi-vqa}</td><td>WSI-VQA JSON list</td><td>{@code slide/k}, k-th question of the slide</td></tr>
 *   <tr><td>{@code slidebench}</td><td>SlideBench-VQA CSV</td><td>the {@code ID} column</td></tr>
 *   <tr><td>{@code llava}</td><td>LLaVA/ShareGPT conversations</td><td>{@code id}, or {@code id/t} per exchange of
 *       a multi-turn conversation</td></tr>
 *   <tr><td>{@code image-folder}</td><td>one sub-folder of images per class</td><td>image path relative to the
 *       root</td></tr>
 *   <tr><td>{@code webdataset}</td><td>WebDataset {@code .tar} shards (a file or a folder of them); images are
 *       unpacked beside each shard</td><td>the id in {@code KEY.json}, else the key</td></tr>
 * </table>
 * Malformed input raises {@link org.pathoreason.data.DataException} naming the file, line and record.
 */
package org.pathoreason.data.readers;

