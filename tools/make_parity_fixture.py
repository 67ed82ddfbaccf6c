#!/usr/bin/env python3
"""Builds the Qwen2.5-VL parity fixture that ParityTest compares PathoReason's logits against.

Run on a machine with PyTorch, transformers (>= 4.49, which introduced Qwen2.5-VL) and safetensors:

    python tools/make_parity_fixture.py src/test/resources/parity

It writes, under the output folder:
  model/               a checkpoint directory (config.json + model.safetensors) of a tiny random
                       Qwen2_5_VLForConditionalGeneration, saved by transformers itself
  inputs.safetensors   input_ids [B,T] I64, attention_mask [B,T] I64 (left padding), pixel_values [N,1176] F32,
                       image_grid_thw [images,3] I64, and the expected logits [B,T,V] F32 computed by transformers
  versions.json        torch / transformers versions used

The architecture is PathoReason's built-in "tiny" one (vision depth 4, width 64, window 56, full-attention blocks
1 and 3; language model width 128, 4 heads, 2 kv heads) with two decoder layers and a 160-token vocabulary, so the
fixture stays small. Weights are drawn wider than transformers' default (std 0.15 instead of 0.02, random biases and
norm weights) so that every parameter visibly shapes the logits; a bug anywhere moves them by far more than 1e-4.
One image's merged grid (3 x 4 tokens) does not divide into 2 x 2 windows, so padded windows are exercised.
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

VOCAB = 160
IMAGE, VIDEO, VISION_START, VISION_END, BOS, EOS = 150, 151, 152, 153, 154, 155

CONFIG = {
    "architectures": ["Qwen2_5_VLForConditionalGeneration"],
    "model_type": "qwen2_5_vl",
    "bos_token_id": BOS,
    "eos_token_id": EOS,
    "image_token_id": IMAGE,
    "video_token_id": VIDEO,
    "vision_start_token_id": VISION_START,
    "vision_end_token_id": VISION_END,
    "hidden_act": "silu",
    "hidden_size": 128,
    "intermediate_size": 352,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
    "max_window_layers": 2,
    "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0,
    "rope_scaling": {"type": "mrope", "mrope_section": [4, 6, 6]},
    "sliding_window": 4096,
    "use_sliding_window": False,
    "tie_word_embeddings": False,
    "initializer_range": 0.02,
    "vocab_size": VOCAB,
    "vision_config": {
        "depth": 4,
        "hidden_act": "silu",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_heads": 4,
        "in_chans": 3,
        "in_channels": 3,
        "out_hidden_size": 128,
        "patch_size": 14,
        "spatial_merge_size": 2,
        "spatial_patch_size": 14,
        "temporal_patch_size": 2,
        "window_size": 56,
        "fullatt_block_indexes": [1, 3],
        "tokens_per_second": 2,
    },
}

GRIDS = [(1, 6, 8), (1, 4, 4)]  # (t, h, w) in patches: 12 and 4 merged tokens


def build_model():
    kwargs = {k: v for k, v in CONFIG.items() if k not in ("model_type", "architectures")}
    config = Qwen2_5_VLConfig(**kwargs)
    try:
        model = Qwen2_5_VLForConditionalGeneration._from_config(
            config, attn_implementation="eager", torch_dtype=torch.float32)
    except TypeError:
        config._attn_implementation = "eager"
        model = Qwen2_5_VLForConditionalGeneration(config)
    model = model.float().eval()
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or "layernorm" in name \
                    or name.endswith("norm.weight") or name.endswith("ln_q.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))
    return model


def build_inputs():
    gen = torch.Generator().manual_seed(99)
    pads = [t * h * w // 4 for t, h, w in GRIDS]
    row0 = [1, 2, 3, VISION_START] + [IMAGE] * pads[0] + [VISION_END, 10, 11, 12, 13]
    row1 = [4, VISION_START] + [IMAGE] * pads[1] + [VISION_END, 20, 21, 22]
    length = max(len(row0), len(row1))
    ids, mask = [], []
    for row in (row0, row1):
        pad = length - len(row)
        ids.append([0] * pad + row)          # left padding, as in generation
        mask.append([0] * pad + [1] * len(row))
    patches = sum(t * h * w for t, h, w in GRIDS)
    pixel_values = torch.randn((patches, 3 * 2 * 14 * 14), generator=gen, dtype=torch.float32)
    return (torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long), pixel_values,
            torch.tensor(GRIDS, dtype=torch.long))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_parity_fixture.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = build_model()
    input_ids, attention_mask, pixel_values, grid = build_inputs()
    with torch.no_grad():
        logits = model(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values,
                       image_grid_thw=grid).logits.float()
    model.save_pretrained(os.path.join(out, "model"), safe_serialization=True)
    save_file({
        "input_ids": input_ids.contiguous(),
        "attention_mask": attention_mask.contiguous(),
        "pixel_values": pixel_values.contiguous(),
        "image_grid_thw": grid.contiguous(),
        "logits": logits.contiguous(),
    }, os.path.join(out, "inputs.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(out, "versions.json"), "w") as f:
        json.dump({"torch": torch.__version__, "transformers": transformers.__version__}, f, indent=2)
    print("wrote", out, "logits", tuple(logits.shape), "max |logit|", float(logits.abs().max()))


if __name__ == "__main__":
    main()
