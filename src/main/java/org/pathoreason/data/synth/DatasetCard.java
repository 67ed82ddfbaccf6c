package org.pathoreason.data.synth;

import org.pathoreason.data.Task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The dataset card of a synthetic dataset: counts per split, question kind, diagnosis, answer letter and finding,
 * the held-out combinations, and how it was made; as {@code card.json} and as readable {@code DATASET.md}. Holds
 * nothing that varies between runs (no times), so that the same seed gives the same bytes.
 */
final class DatasetCard {

    private DatasetCard() {
    }

    static Map<String, Object> summary(SynthWorld world, SynthOptions options, List<SplitPlan> plans,
            Map<String, List<SynthGenerator.Planned>> planned, Map<String, List<List<String>>> heldOut) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("generator", "org.pathoreason.data.synth.SynthGenerator");
        card.put("format_version", 1);
        card.put("seed", options.seed());
        card.put("scale", options.scale());
        card.put("image_size", options.imageSize());
        card.put("microns_per_pixel", new TileRenderer(options.imageSize()).micronsPerPixel());
        card.put("unseen_share", options.unseenShare());
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("name", world.graph().name());
        graph.put("entities", world.graph().entityCount());
        graph.put("relations", world.graph().relationCount());
        graph.put("diagnoses", world.diagnoses().size());
        graph.put("findings", world.findings().size());
        card.put("graph", graph);
        Map<String, Object> splits = new LinkedHashMap<>();
        for (SplitPlan plan : plans) {
            List<SynthGenerator.Planned> samples = planned.get(plan.name());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("samples", samples.size());
            s.put("file", plan.name() + ".jsonl");
            s.put("reasoning", plan.reasoning());
            Map<String, Integer> kinds = zeroed(kindNames());
            Map<String, Integer> diagnoses = zeroed(world.diagnoses());
            Map<String, Integer> letters = zeroed(List.of("A", "B", "C", "D"));
            Map<String, Integer> yesNo = zeroed(List.of("Yes", "No"));
            Map<String, Integer> findings = zeroed(world.findings());
            int unseen = 0;
            for (SynthGenerator.Planned p : samples) {
                Sample sample = p.sample();
                kinds.merge(sample.subset(), 1, Integer::sum);
                diagnoses.merge(p.synthCase().diagnosis(), 1, Integer::sum);
                if (Task.MCQ.equals(sample.task())) {
                    letters.merge(sample.answer(), 1, Integer::sum);
                }
                if (Task.YESNO.equals(sample.task())) {
                    yesNo.merge(sample.answer(), 1, Integer::sum);
                }
                for (String f : p.synthCase().findings()) {
                    findings.merge(f, 1, Integer::sum);
                }
                if (p.synthCase().unseenCombination()) {
                    unseen++;
                }
            }
            s.put("question_kinds", kinds);
            s.put("diagnoses", diagnoses);
            s.put("answer_letters", letters);
            s.put("yes_no", yesNo);
            s.put("unseen_combinations", unseen);
            s.put("findings", findings);
            splits.put(plan.name(), s);
        }
        card.put("splits", splits);
        card.put("held_out_combinations", heldOut);
        return card;
    }

    static void write(Path dir, Map<String, Object> card) throws IOException {
        AtomicFiles.writeString(dir.resolve(SynthGenerator.CARD_FILE), Json.PRETTY.writeValueAsString(card) + "\n");
        AtomicFiles.writeString(dir.resolve(SynthGenerator.CARD_MARKDOWN), markdown(card));
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> card) {
        Map<String, Object> splits = (Map<String, Object>) card.get("splits");
        Map<String, Object> graph = (Map<String, Object>) card.get("graph");
        List<String> names = new ArrayList<>(splits.keySet());
        StringBuilder md = new StringBuilder();
        md.append("# Synthetic pathology dataset (PathoReason SynthPath)\n\n");
        md.append("Synthetic H&E-like histology tiles with questions whose answers follow from the findings drawn in ")
                .append("each image and the knowledge graph `graph.json`. Every image is generated; no patient data.\n\n");
        md.append("Made with `pathoreason synth --seed ").append(card.get("seed")).append(" --scale ")
                .append(card.get("scale")).append(" --size ").append(card.get("image_size"))
                .append("`; the same command gives byte-identical files.\n\n");
        md.append(String.format(Locale.ROOT, "- Images: %dx%d RGB PNG, %.3f um per pixel (field of view %.0f um).%n",
                card.get("image_size"), card.get("image_size"), (Double) card.get("microns_per_pixel"),
                (Integer) card.get("image_size") * (Double) card.get("microns_per_pixel")));
        md.append("- Graph: `").append(graph.get("name")).append("`, ").append(graph.get("entities"))
                .append(" entities, ").append(graph.get("relations")).append(" relations, ")
                .append(graph.get("diagnoses")).append(" diagnoses, ").append(graph.get("findings"))
                .append(" findings.\n");
        md.append("- A case is a diagnosis with all its required findings and a subset of its optional ones; ")
                .append("exactly one diagnosis of the graph is consistent with what is drawn.\n");
        md.append("- Evaluation splits (val, test) draw about ")
                .append(Math.round((Double) card.get("unseen_share") * 100))
                .append("% of their cases from optional-finding combinations held out of pretrain, sft and rl.\n\n");

        md.append("## Samples per split and question kind\n\n| split | samples |");
        for (String k : kindNames()) {
            md.append(' ').append(k).append(" |");
        }
        md.append(" unseen combinations |\n|---|---|");
        md.append("---|".repeat(kindNames().size())).append("---|\n");
        for (String name : names) {
            Map<String, Object> s = (Map<String, Object>) splits.get(name);
            Map<String, Integer> kinds = (Map<String, Integer>) s.get("question_kinds");
            md.append("| ").append(name).append(" | ").append(s.get("samples")).append(" |");
            for (String k : kindNames()) {
                md.append(' ').append(kinds.get(k)).append(" |");
            }
            md.append(' ').append(s.get("unseen_combinations")).append(" |\n");
        }
        md.append("\nKinds: `diagnosis` (4-option most likely diagnosis), `feature` (4-option: which visible feature ")
                .append("indicates a named diagnosis), `finding` (yes/no: is a finding shown), `describe` (open: ")
                .append("findings and diagnosis), `caption` (pretraining and contrastive captions).\n\n");

        md.append("## Samples per diagnosis and split\n\n| diagnosis |");
        names.forEach(n -> md.append(' ').append(n).append(" |"));
        md.append("\n|---|").append("---|".repeat(names.size())).append('\n');
        Map<String, Integer> first = (Map<String, Integer>) ((Map<String, Object>) splits.get(names.get(0)))
                .get("diagnoses");
        for (String d : first.keySet()) {
            md.append("| ").append(d).append(" |");
            for (String n : names) {
                Map<String, Integer> counts = (Map<String, Integer>) ((Map<String, Object>) splits.get(n))
                        .get("diagnoses");
                md.append(' ').append(counts.get(d)).append(" |");
            }
            md.append('\n');
        }

        md.append("\n## Answer balance\n\n| split | A | B | C | D | yes | no |\n|---|---|---|---|---|---|---|\n");
        for (String n : names) {
            Map<String, Object> s = (Map<String, Object>) splits.get(n);
            Map<String, Integer> l = (Map<String, Integer>) s.get("answer_letters");
            Map<String, Integer> y = (Map<String, Integer>) s.get("yes_no");
            md.append("| ").append(n).append(" | ").append(l.get("A")).append(" | ").append(l.get("B")).append(" | ")
                    .append(l.get("C")).append(" | ").append(l.get("D")).append(" | ").append(y.get("Yes"))
                    .append(" | ").append(y.get("No")).append(" |\n");
        }

        md.append("\n## Held-out optional-finding combinations (test and val only)\n\n");
        Map<String, List<List<String>>> held = (Map<String, List<List<String>>>) card.get("held_out_combinations");
        held.forEach((d, combos) -> {
            if (!combos.isEmpty()) {
                md.append("- ").append(d).append(": ");
                List<String> parts = new ArrayList<>();
                combos.forEach(c -> parts.add("{" + String.join(", ", c) + "}"));
                md.append(String.join("; ", parts)).append('\n');
            }
        });

        md.append("\n## Files\n\n- `images/` one PNG per sample (`<split>-<index>.png`)\n")
                .append("- `pretrain.jsonl`, `sft.jsonl`, `rl.jsonl`, `val.jsonl`, `test.jsonl`: canonical samples ")
                .append("(id, images, question, options, answer, answer_text, reasoning {observe, think}, caption, ")
                .append("entities, task, subset, meta.synth {diagnosis, findings, image_seed, unseen_combination, ")
                .append("...})");
        List<String> answersOnly = new ArrayList<>();
        splits.forEach((n, v) -> {
            // the caption split has no questions, so no reasoning to leave out
            if (Boolean.FALSE.equals(((Map<String, Object>) v).get("reasoning")) && !"pretrain".equals(n)) {
                answersOnly.add("`" + n + ".jsonl`");
            }
        });
        if (!answersOnly.isEmpty()) {
            md.append("; ").append(String.join(", ", answersOnly)).append(" without reasoning (answers only, as "
                    + "real RL data)");
        }
        md.append("\n")
                .append("- `graph.json`: the knowledge graph used\n- `card.json`: these counts, machine-readable\n")
                .append("- `contact-sheet.png`: test images with their diagnosis and findings\n");
        return md.toString();
    }

    private static List<String> kindNames() {
        List<String> out = new ArrayList<>();
        for (QuestionKind k : QuestionKind.values()) {
            out.add(k.subset());
        }
        return out;
    }

    private static Map<String, Integer> zeroed(List<String> keys) {
        Map<String, Integer> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, 0));
        return m;
    }
}
