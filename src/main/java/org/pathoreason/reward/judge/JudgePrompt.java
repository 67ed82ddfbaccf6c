package org.pathoreason.reward.judge;

import org.pathoreason.data.Task;

import java.util.List;
import org.pathoreason.data.Sample;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;

/**
 * The instructions an LLM judge gets: the rubric (as a system message) and the case (question, options, gold
 * answer, the model's completion) with the reply format. Versioned, because cached verdicts are only valid for
 * the prompt that produced them.
 */
public final class JudgePrompt {

    /** Part of every cache key; change it whenever the wording changes. */
    public static final String VERSION = "process-rubric-v1";

    private JudgePrompt() {
    }

    /** The system message: role, rubric and the exact reply format. */
    public static String system() {
        StringBuilder sb = new StringBuilder();
        sb.append("You are a senior pathologist grading the reasoning of a model that answered a question about a ")
                .append("histopathology image. Grade the reasoning process, not only the final answer.\n\n")
                .append("Integrity: decide for each element whether the reasoning contains it.\n");
        for (IntegrityItem item : IntegrityItem.values()) {
            sb.append("- ").append(item.key()).append(": ").append(item.description()).append('\n');
        }
        sb.append("\nKnowledge: decide for each error whether the reasoning commits it.\n");
        for (KnowledgeBreach b : KnowledgeBreach.values()) {
            sb.append("- ").append(b.key()).append(": ").append(b.description()).append('\n');
        }
        sb.append("\nReply with one JSON object and nothing else, in exactly this shape, with true or false for ")
                .append("every key:\n")
                .append("{\"integrity\": {\"image_features\": true, \"option_elimination\": true, ")
                .append("\"medical_knowledge\": true}, \"knowledge\": {\"histology_definition_breach\": false, ")
                .append("\"logical_contradiction\": false, \"outdated_or_wrong_standard\": false}, ")
                .append("\"comment\": \"one sentence\"}");
        return sb.toString();
    }

    /** The user message text for one case (images are sent alongside as separate content parts). */
    public static String user(Sample sample, String completion) {
        StringBuilder sb = new StringBuilder();
        sb.append("Question: ").append(sample.question().isBlank() ? "(describe the image)" : sample.question())
                .append('\n');
        List<String> options = sample.options();
        if (!options.isEmpty()) {
            sb.append("Options:\n");
            for (int i = 0; i < options.size() && i < 26; i++) {
                sb.append(Sample.letter(i)).append(". ").append(options.get(i)).append('\n');
            }
        } else {
            sb.append("(Not a multiple-choice question: treat option_elimination as present.)\n");
        }
        sb.append("Correct answer: ").append(goldAnswer(sample)).append('\n');
        sb.append("\nModel output to grade:\n<<<\n").append(completion).append("\n>>>\n");
        return sb.toString();
    }

    static String goldAnswer(Sample s) {
        String answer = s.answer() == null ? "" : s.answer();
        if (Task.MCQ.equals(s.task()) && s.answerText() != null && !s.answerText().equals(answer)) {
            return answer + ". " + s.answerText();
        }
        return answer;
    }
}
