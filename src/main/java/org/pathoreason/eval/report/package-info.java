/**
 * Reports for evaluation, training and comparison: {@link org.pathoreason.eval.report.HtmlReport} (a page with
 * sections, tables, PNG images beside it and example reasonings), {@link org.pathoreason.eval.report.Plots}
 * (XChart bar, line, histogram and confusion heat-map charts saved as PNG, including training curves from
 * {@code metrics.jsonl}), {@link org.pathoreason.eval.report.EvalReport} (the output folder of one evaluation) and
 * {@link org.pathoreason.eval.report.RunComparison} (one table over several runs).
 */
package org.pathoreason.eval.report;

