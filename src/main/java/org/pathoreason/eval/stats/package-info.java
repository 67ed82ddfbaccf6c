/**
 * Paired statistics for comparing models on the same questions: McNemar's exact test, the paired bootstrap and
 * the t interval over seeds ({@link org.pathoreason.eval.stats.PairedTests}), checked against scipy and numpy.
 */
package org.pathoreason.eval.stats;
