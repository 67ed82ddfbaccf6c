package org.pathoreason.reward;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A weighted sum of rewards: {@code value = sum_i w_i * r_i}. Its parts are each component's value under the
 * component's name, followed by each component's own parts as {@code name/part} (when they add something), so one
 * metrics line shows every ingredient. Components are scored with {@link Reward#scoreAll} so parallel ones (LLM
 * judges) stay parallel.
 */
public final class WeightedReward implements Reward {

    /** A component and its weight. */
    public record Term(Reward reward, double weight) {
        public Term {
            Objects.requireNonNull(reward, "reward");
            if (Double.isNaN(weight) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight of '" + reward.name() + "' must be finite, got " + weight);
            }
        }
    }

    private final String name;
    private final List<Term> terms;

    private WeightedReward(String name, List<Term> terms) {
        this.name = name;
        this.terms = List.copyOf(terms);
        Set<String> names = new LinkedHashSet<>();
        for (Term t : terms) {
            if (!names.add(t.reward().name())) {
                throw new IllegalArgumentException("two components are named '" + t.reward().name()
                        + "'; give each reward a distinct name");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Term> terms() {
        return terms;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RewardResult score(RewardInput input) {
        return scoreAll(List.of(input)).get(0);
    }

    @Override
    public List<RewardResult> scoreAll(List<RewardInput> inputs) {
        List<List<RewardResult>> perTerm = new ArrayList<>();
        for (Term t : terms) {
            perTerm.add(t.reward().scoreAll(inputs));
        }
        List<RewardResult> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            double total = 0;
            Map<String, Double> parts = new LinkedHashMap<>();
            for (int k = 0; k < terms.size(); k++) {
                RewardResult r = perTerm.get(k).get(i);
                total += terms.get(k).weight() * r.value();
                parts.put(terms.get(k).reward().name(), r.value());
            }
            for (int k = 0; k < terms.size(); k++) {
                String prefix = terms.get(k).reward().name();
                for (Map.Entry<String, Double> e : perTerm.get(k).get(i).parts().entrySet()) {
                    if (!e.getKey().equals(prefix)) {
                        parts.put(prefix + "/" + e.getKey(), e.getValue());
                    }
                }
            }
            out.add(new RewardResult(total, parts));
        }
        return out;
    }

    /** Collects terms; {@code build()} needs at least one. */
    public static final class Builder {
        private String name = "reward";
        private final List<Term> terms = new ArrayList<>();

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder add(Reward reward, double weight) {
            terms.add(new Term(reward, weight));
            return this;
        }

        public WeightedReward build() {
            if (terms.isEmpty()) {
                throw new IllegalStateException("a weighted reward needs at least one component");
            }
            return new WeightedReward(name, terms);
        }
    }
}
