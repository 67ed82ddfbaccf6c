package org.pathoreason.train.rl;

import org.pathoreason.data.Sample;
import org.pathoreason.generate.Prompt;

/**
 * Turns a sample into the prompt the policy continues: token ids up to and including the assistant's generation
 * prompt, with the image pad runs and the images' patches. {@link ChatPromptEncoder} is the chat-template one;
 * tests plug in simpler ones.
 */
@FunctionalInterface
public interface PromptEncoder {

    /**
     * Encodes one sample.
     *
     * @throws IllegalArgumentException naming the sample when it cannot be encoded (missing image, ...)
     */
    Prompt encode(Sample sample);
}
