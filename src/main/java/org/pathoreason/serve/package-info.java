/**
 * Serving a checkpoint over HTTP: an OpenAI- and vLLM-compatible chat-completions API (streamed with
 * {@code reasoning_content} and {@code content} deltas) over the continuous batcher of {@code generate}, the
 * model list, health and Prometheus metrics, and a page for a pathologist ({@link org.pathoreason.serve.ApiServer});
 * the loopback benchmark behind {@code pathoreason bench serve} ({@link org.pathoreason.serve.ServeBenchmark}).
 */
package org.pathoreason.serve;
