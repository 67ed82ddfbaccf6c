package org.pathoreason.data.reason;

import org.pathoreason.data.Sample;

/** An optional last check of a written chain (e.g. an LLM process judge); null means keep it. */
@FunctionalInterface
public interface ChainJudge {

    /**
     * @param sample the output sample, with the chain as its reasoning
     * @param completion the chain as a tagged completion
     * @return why the chain is rejected, or null to keep it
     */
    String reject(Sample sample, String completion);
}
