package org.pathoreason.eval;

import java.util.List;

/** A score report with the per-item verdicts behind it (for reports and error analysis). */
public record ScoreResult(ScoreReport report, List<ScoredItem> items) {
}
