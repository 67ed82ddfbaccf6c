package org.pathoreason.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pathoreason.data.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The samples a run could not use, each reported with its file and line: logged as a warning and counted by kind
 * when skipping, raised as a {@link DataException} when stopping. Samples too long for {@code max_length} are
 * always skipped and counted apart (they are not bad data). The counts go into {@code run.json} and the metrics.
 */
public final class BadSampleLog {

    private static final Logger LOG = LoggerFactory.getLogger(BadSampleLog.class);
    /** Messages kept for {@code run.json}; the counts are always complete. */
    private static final int KEPT_MESSAGES = 50;

    private final OnBadSample policy;
    private final Map<String, Integer> counts = new TreeMap<>();
    private final List<String> messages = new ArrayList<>();
    private int tooLong;

    public BadSampleLog(OnBadSample policy) {
        this.policy = policy;
    }

    public OnBadSample policy() {
        return policy;
    }

    /**
     * Reports a bad sample.
     *
     * @param where {@code file:line} (or {@code file: record N})
     * @param kind a short category for the counts ({@code malformed}, {@code missing_image}, ...)
     * @throws DataException when the policy is {@link OnBadSample#STOP}
     */
    public void bad(String where, String kind, String problem) {
        String message = where + ": " + problem;
        if (policy == OnBadSample.STOP) {
            throw new DataException(message + " (on_bad_sample: stop; set sft.on_bad_sample=skip to skip such "
                    + "samples)");
        }
        counts.merge(kind, 1, Integer::sum);
        keep(message);
        LOG.warn("skipping bad sample: {}", message);
    }

    /** Reports a sample whose prompt does not fit in {@code max_length}; it is skipped whatever the policy. */
    public void tooLong(String where, String problem) {
        tooLong++;
        String message = where + ": " + problem;
        keep(message);
        LOG.warn("skipping sample: {}", message);
    }

    private void keep(String message) {
        if (messages.size() < KEPT_MESSAGES) {
            messages.add(message);
        }
    }

    /** Bad samples skipped, all kinds. */
    public int skipped() {
        int n = 0;
        for (int c : counts.values()) {
            n += c;
        }
        return n;
    }

    /** Skipped bad samples by kind. */
    public Map<String, Integer> counts() {
        return Collections.unmodifiableMap(counts);
    }

    public int tooLongCount() {
        return tooLong;
    }

    /** The first reports, for {@code run.json}. */
    public List<String> messages() {
        return Collections.unmodifiableList(messages);
    }
}
