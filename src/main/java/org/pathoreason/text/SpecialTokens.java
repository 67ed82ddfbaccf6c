package org.pathoreason.text;

import java.util.List;

/**
 * The special tokens of Qwen2.5-VL's tokenizer and the reasoning tags PathoReason adds as single tokens.
 * {@link #QWEN_SPECIALS} keeps the order of their ids in the published tokenizer (151643-151645, 151652-151656;
 * the grounding tokens in between are not used here). A trained tokenizer gives them consecutive ids.
 */
public final class SpecialTokens {

    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final String VISION_START = "<|vision_start|>";
    public static final String VISION_END = "<|vision_end|>";
    public static final String VISION_PAD = "<|vision_pad|>";
    public static final String IMAGE_PAD = "<|image_pad|>";
    public static final String VIDEO_PAD = "<|video_pad|>";

    public static final String OBSERVE_OPEN = "<observe>";
    public static final String OBSERVE_CLOSE = "</observe>";
    public static final String THINK_OPEN = "<think>";
    public static final String THINK_CLOSE = "</think>";
    public static final String ANSWER_OPEN = "<answer>";
    public static final String ANSWER_CLOSE = "</answer>";

    /** Qwen2.5-VL's control tokens (special: skipped when decoding with skipSpecialTokens). */
    public static final List<String> QWEN_SPECIALS = List.of(END_OF_TEXT, IM_START, IM_END,
            VISION_START, VISION_END, VISION_PAD, IMAGE_PAD, VIDEO_PAD);

    /** Reasoning tags: added as whole tokens but not special, so decoded completions keep them. */
    public static final List<String> REASONING_TAGS = List.of(THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE,
            OBSERVE_OPEN, OBSERVE_CLOSE);

    private SpecialTokens() {
    }
}
