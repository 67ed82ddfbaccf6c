package org.pathoreason.eval;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Counts of (gold label, predicted label) pairs. Rows are gold labels, columns predicted labels; labels are
 * sorted, and {@link #NO_ANSWER} (an extraction miss) is the last column when it occurs. Balanced accuracy is the
 * mean recall over the gold labels present, as scikit-learn's {@code balanced_accuracy_score} computes it.
 */
@JsonPropertyOrder({"labels", "counts", "recall", "balanced_accuracy"})
public final class ConfusionMatrix {

    /** The predicted label of an answer that could not be read. */
    public static final String NO_ANSWER = "(no answer)";

    private final Map<String, Map<String, Integer>> pairs = new LinkedHashMap<>();
    private final TreeSet<String> goldLabels = new TreeSet<>();
    private final TreeSet<String> predLabels = new TreeSet<>();

    /** Counts one (gold, predicted) pair; a null prediction is {@link #NO_ANSWER}. */
    public void add(String gold, String predicted) {
        String p = predicted == null ? NO_ANSWER : predicted;
        pairs.computeIfAbsent(gold, g -> new LinkedHashMap<>()).merge(p, 1, Integer::sum);
        goldLabels.add(gold);
        predLabels.add(p);
    }

    /** All labels, gold or predicted, sorted, with {@link #NO_ANSWER} last. */
    @JsonProperty("labels")
    public List<String> labels() {
        TreeSet<String> all = new TreeSet<>(goldLabels);
        all.addAll(predLabels);
        boolean missing = all.remove(NO_ANSWER);
        List<String> out = new ArrayList<>(all);
        if (missing) {
            out.add(NO_ANSWER);
        }
        return out;
    }

    /** {@code counts[i][j]}: items with gold label i predicted as label j, in {@link #labels()} order. */
    @JsonProperty("counts")
    public int[][] counts() {
        List<String> labels = labels();
        int[][] c = new int[labels.size()][labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            Map<String, Integer> row = pairs.getOrDefault(labels.get(i), Map.of());
            for (int j = 0; j < labels.size(); j++) {
                c[i][j] = row.getOrDefault(labels.get(j), 0);
            }
        }
        return c;
    }

    public int count(String gold, String predicted) {
        return pairs.getOrDefault(gold, Map.of()).getOrDefault(predicted, 0);
    }

    /** Recall per gold label. */
    @JsonProperty("recall")
    public Map<String, Double> recall() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String g : goldLabels) {
            Map<String, Integer> row = pairs.get(g);
            int total = row.values().stream().mapToInt(Integer::intValue).sum();
            out.put(g, row.getOrDefault(g, 0) / (double) total);
        }
        return out;
    }

    /** Mean recall over gold labels; NaN when empty. */
    @JsonProperty("balanced_accuracy")
    public double balancedAccuracy() {
        return recall().values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    @JsonIgnore
    public int total() {
        return pairs.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
    }
}
