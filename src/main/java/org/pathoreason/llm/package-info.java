/**
 * A small client for user-configured OpenAI-compatible chat-completions endpoints
 * ({@link org.pathoreason.llm.ChatClient}): text and image parts, timeouts, retries with backoff, bounded
 * concurrency, API key from an environment variable. Used by the LLM judge, the reasoning-data teacher and the
 * figure checker; nothing here knows what the model is asked. Uses only {@code util} and libraries.
 */
package org.pathoreason.llm;
