package org.pathoreason.data.reason;

import org.pathoreason.data.Task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.GraphPath;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.llm.ChatRequest;
import org.pathoreason.llm.ImageDataUrls;
import org.pathoreason.llm.JsonReplies;
import org.pathoreason.text.ReasoningTags;

/**
 * Has an LLM on the user's OpenAI-compatible endpoint write each chain, as PathReasoner-R1 does with a strong
 * teacher: it is shown the image (when the file can be read), the question, the gold answer, the findings and the
 * graph's facts as plain sentences, and is told to reason like a pathologist without mentioning where the facts
 * came from. The reply must be {@code <observe>..</observe><think>..</think><answer>..</answer>}; anything else is
 * asked for again (the client's retries), then the sample is rejected.
 */
public final class LlmTeacher implements ReasoningTeacher {

    static final String SYSTEM = "You are a senior pathologist writing teaching explanations for image questions. "
            + "Reason from what is seen in the image to the answer, step by step, using the medical facts provided "
            + "as your own knowledge. Never mention a knowledge graph, paths, nodes, edges, triples, or that facts "
            + "or the answer were given to you. Reply exactly as <observe>what the image shows</observe>"
            + "<think>the reasoning, ending with the answer</think><answer>the answer</answer>.";

    private final ChatClient client;
    private final Path imageBase;
    private final double temperature;

    /**
     * @param imageBase folder relative image paths of samples are resolved against; null to send no images
     */
    public LlmTeacher(ChatClient client, Path imageBase, double temperature) {
        this.client = Objects.requireNonNull(client, "client");
        this.imageBase = imageBase;
        this.temperature = temperature;
    }

    static String prompt(ChainFacts f) {
        Sample s = f.sample();
        StringBuilder p = new StringBuilder();
        p.append("Question: ").append(s.question().strip()).append('\n');
        if (Task.MCQ.equals(s.task())) {
            p.append("Options:\n");
            for (int i = 0; i < s.options().size(); i++) {
                p.append(Sample.letter(i)).append(". ").append(s.options().get(i)).append('\n');
            }
            int a = Sample.letterIndex(s.answer());
            p.append("Correct answer: ").append(Sample.letter(a)).append(". ").append(s.options().get(a)).append('\n');
        } else {
            p.append("Correct answer: ").append(s.answer().strip()).append('\n');
        }
        List<String> findings = new ArrayList<>();
        for (Entity e : f.findings()) {
            findings.add(e.name());
        }
        p.append("Findings seen in the image: ").append(RelationPhrases.list(findings)).append('\n');
        if (s.reasoning() != null && s.reasoning().observe() != null) {
            p.append("Description of the image: ").append(s.reasoning().observe().strip()).append('\n');
        }
        p.append("Medical facts linking the findings to the answer:\n");
        for (GraphPath path : f.paths()) {
            p.append("- ").append(RelationPhrases.sentence(path)).append('\n');
        }
        if (!f.differential().isEmpty()) {
            p.append("About the other options:\n");
            for (ChainFacts.Differential d : f.differential()) {
                p.append("- ").append(d.letter()).append(". ").append(d.option()).append(": ");
                if (!d.against().isEmpty()) {
                    p.append("lacks ").append(RelationPhrases.list(d.against().stream().map(Entity::name).toList()));
                } else if (!d.missingRequired().isEmpty()) {
                    p.append("requires ").append(RelationPhrases.list(d.missingRequired().stream().map(Entity::name)
                            .toList())).append(", not seen");
                } else if (d.notSeen()) {
                    p.append("not seen in the image");
                } else if (d.support().isEmpty()) {
                    p.append("none of the findings is a feature of it");
                } else {
                    p.append("only ").append(RelationPhrases.list(d.support().stream().map(Entity::name).toList()))
                            .append(" fit it");
                }
                p.append('\n');
            }
        }
        p.append("In <answer> write only ").append(switch (s.task()) {
            case MCQ -> "the letter of the correct option";
            case YESNO -> "yes or no";
            default -> "the answer";
        }).append(". Explain why the other options are less likely.");
        return p.toString();
    }

    @Override
    public Chain write(ChainFacts f) {
        List<ChatRequest.Part> parts = new ArrayList<>();
        if (imageBase != null) {
            for (String image : f.sample().images()) {
                Path p = Path.of(image).isAbsolute() ? Path.of(image) : imageBase.resolve(image);
                try {
                    parts.add(new ChatRequest.Image(ImageDataUrls.of(p)));
                } catch (IOException | RuntimeException e) {
                    // a teacher can still reason from the description; the image is optional
                }
            }
        }
        parts.add(new ChatRequest.Text(prompt(f)));
        ChatRequest request = ChatRequest.of(ChatRequest.Message.system(SYSTEM), ChatRequest.Message.user(parts))
                .withTemperature(temperature).withMaxTokens(1024);
        return client.complete(request, LlmTeacher::parse);
    }

    static Chain parse(String reply) throws ChatClient.UnreadableReply {
        ReasoningTags.Parsed p = ReasoningTags.parse(reply);
        if (p.observe() == null || p.think() == null || p.answer() == null
                || p.observe().isBlank() || p.think().isBlank() || p.answer().isBlank()) {
            throw new ChatClient.UnreadableReply("expected <observe>, <think> and <answer> in " + JsonReplies.excerpt(reply));
        }
        return new Chain(p.observe().strip(), p.think().strip(), p.answer().strip());
    }

    @Override
    public String describe() {
        return client.model() + " at " + client.endpointForLog();
    }
}
