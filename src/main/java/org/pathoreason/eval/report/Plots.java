package org.pathoreason.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.pathoreason.data.DataException;
import org.pathoreason.eval.ConfusionMatrix;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The report charts, drawn with XChart and saved as PNG files (atomically): bars per subset (or per run and
 * subset), training curves from {@code metrics.jsonl}, a histogram (e.g. of output lengths) and a confusion-matrix
 * heat map. Runs headless.
 */
public final class Plots {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final Color[] PALETTE = {new Color(0x6a3d9a), new Color(0x1f78b4), new Color(0x33a02c),
        new Color(0xe31a1c), new Color(0xff7f00), new Color(0xb15928), new Color(0xa6cee3), new Color(0xfb9a99)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Plots() {
    }

    /** One bar per category, e.g. accuracy per subset; labels show the value. */
    public static void bar(Path png, String title, String yTitle, Map<String, ? extends Number> values) {
        groupedBar(png, title, yTitle, new ArrayList<>(values.keySet()),
                Map.of(yTitle, new ArrayList<Number>(values.values())));
    }

    /** Bars grouped by category, one series per group member (e.g. per run), like a paper's comparison figure. */
    public static void groupedBar(Path png, String title, String yTitle, List<String> categories,
            Map<String, ? extends List<? extends Number>> series) {
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("no categories to plot for '" + title + "'");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle)
                .build();
        style(chart);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisDecimalPattern("#0.###");
        if (longest(categories) > 10 || categories.size() > 6) {
            chart.getStyler().setXAxisLabelRotation(30);
        }
        series.forEach((name, values) -> {
            if (values.size() != categories.size()) {
                throw new IllegalArgumentException("series '" + name + "' has " + values.size() + " values for "
                        + categories.size() + " categories");
            }
            List<Number> clean = new ArrayList<>();
            values.forEach(v -> clean.add(v == null ? 0.0 : v));
            chart.addSeries(name, categories, clean);
        });
        save(chart, png);
    }

    /** Line chart; each series is {@code {x[], y[]}}. */
    public static void lines(Path png, String title, String xTitle, String yTitle, Map<String, double[][]> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(series.values().stream().mapToInt(s -> s[0].length).max().orElse(0) > 60
                ? 0 : 5);
        series.forEach((name, xy) -> {
            if (xy[0].length == 0) {
                return;
            }
            chart.addSeries(name, xy[0], xy[1]).setMarker(SeriesMarkers.CIRCLE);
        });
        if (chart.getSeriesMap().isEmpty()) {
            throw new IllegalArgumentException("no points to plot for '" + title + "'");
        }
        save(chart, png);
    }

    /**
     * One line chart per numeric field of a training {@code metrics.jsonl} (one JSON object per step with a
     * {@code step} field), named {@code <field>.png} in {@code outDir}.
     *
     * @param fields the fields to plot; empty plots every numeric field other than {@code step}
     * @return the PNG files written, in field order
     */
    public static List<Path> trainingCurves(Path metricsJsonl, Path outDir, List<String> fields) {
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(metricsJsonl, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    throw DataException.at(metricsJsonl, lineNo, "malformed JSON: " + e.getOriginalMessage());
                }
                JsonNode step = n.get("step");
                if (step == null || !step.isNumber()) {
                    throw DataException.at(metricsJsonl, lineNo, "missing numeric 'step'");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (f.getKey().equals("step") || !f.getValue().isNumber()
                            || (!fields.isEmpty() && !fields.contains(f.getKey()))) {
                        continue;
                    }
                    points.computeIfAbsent(f.getKey(), k -> new ArrayList<>())
                            .add(new double[] {step.asDouble(), f.getValue().asDouble()});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metricsJsonl + ": " + e.getMessage(), e);
        }
        List<String> order = fields.isEmpty() ? new ArrayList<>(points.keySet()) : fields;
        List<Path> written = new ArrayList<>();
        for (String field : order) {
            List<double[]> p = points.get(field);
            if (p == null || p.isEmpty()) {
                continue;
            }
            double[] x = p.stream().mapToDouble(a -> a[0]).toArray();
            double[] y = p.stream().mapToDouble(a -> a[1]).toArray();
            Path png = outDir.resolve(safeName(field) + ".png");
            lines(png, field, "step", field, Map.of(field, new double[][] {x, y}));
            written.add(png);
        }
        return written;
    }

    /** A histogram of values in {@code bins} equal bins (e.g. output tokens per completion). */
    public static void histogram(Path png, String title, String xTitle, double[] values, int bins) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values for histogram '" + title + "'");
        }
        double min = Arrays.stream(values).min().orElse(0);
        double max = Arrays.stream(values).max().orElse(1);
        if (max <= min) {
            max = min + 1;
        }
        List<Double> data = Arrays.stream(values).boxed().toList();
        Histogram h = new Histogram(data, bins, min, max);
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle("count").build();
        style(chart);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setAvailableSpaceFill(0.98);
        chart.getStyler().setXAxisDecimalPattern("#0");
        chart.getStyler().setYAxisDecimalPattern("#0");
        chart.getStyler().setXAxisMaxLabelCount(12);
        chart.getStyler().setXAxisLabelRotation(0);
        chart.addSeries("count", h.getxAxisData(), h.getyAxisData());
        save(chart, png);
    }

    /** A heat map of a confusion matrix: rows gold, columns predicted, cells show counts. */
    public static void confusion(Path png, String title, ConfusionMatrix m) {
        List<String> labels = m.labels();
        int[][] counts = m.counts();
        int size = Math.max(WIDTH, 160 + 70 * labels.size());
        HeatMapChart chart = new HeatMapChartBuilder().width(size).height(Math.max(HEIGHT, 120 + 55 * labels.size()))
                .title(title).xAxisTitle("predicted").yAxisTitle("gold").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setValueFontColor(Color.BLACK);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xf7fbff), new Color(0x9ecae1), new Color(0x08519c)});
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setHeatMapValueDecimalPattern("#0");
        // rows are gold labels only: "(no answer)" is never gold, so it is a column but not a row
        List<String> gold = labels.stream().filter(l -> !l.equals(ConfusionMatrix.NO_ANSWER)).toList();
        int max = 0;
        List<Number[]> cells = new ArrayList<>();
        for (int g = 0; g < gold.size(); g++) {
            int row = labels.indexOf(gold.get(g));
            for (int p = 0; p < labels.size(); p++) {
                // heat-map y runs bottom-up; put the first gold label at the top
                cells.add(new Number[] {p, gold.size() - 1 - g, counts[row][p]});
                max = Math.max(max, counts[row][p]);
            }
        }
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(Math.max(1, max));
        List<String> yLabels = new ArrayList<>(gold);
        java.util.Collections.reverse(yLabels);
        chart.addSeries("count", shorten(labels), shorten(yLabels), cells);
        save(chart, png);
    }

    private static List<String> shorten(List<String> labels) {
        return labels.stream().map(l -> l.length() > 28 ? l.substring(0, 26) + "\u2026" : l).toList();
    }

    private static void style(Chart<?, ?> chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setSeriesColors(PALETTE);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setPlotBackgroundColor(Color.WHITE);
            a.setPlotGridLinesColor(new Color(0xe6e6e6));
            a.setPlotBorderVisible(false);
            a.setAxisTickLabelsColor(Color.DARK_GRAY);
        }
    }

    private static int longest(List<String> labels) {
        return labels.stream().mapToInt(String::length).max().orElse(0);
    }

    static String safeName(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    private static void save(Chart<?, ?> chart, Path png) {
        try {
            byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.write(png, out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + png + ": " + e.getMessage(), e);
        }
    }
}
