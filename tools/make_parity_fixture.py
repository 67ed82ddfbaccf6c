#!/usr/bin/env python3
"""Builds the Qwen2.5-VL parity fixture that ParityTest compares PathoReason against, with Hugging Face
transformers as the reference. Works with transformers 4.5x (run with 4.57.6) and 5.x (run with 5.18.0): both
write the same fixture, bit for bit.

    python tools/make_parity_fixture.py src/test/resources/parity

Needs torch, transformers, safetensors, NumPy and Pillow. torchvision is not needed: it is hidden before transformers
is imported (a torchvision wheel that does not match torch breaks the import), and the image inputs come from
transformers' PIL image processor (the NumPy one on 4.5x, the PIL backend on 5.x).

It writes, under the output folder:
  model/               config.json + model.safetensors of a tiny random Qwen2_5_VLForConditionalGeneration, saved
                       by transformers itself (so the test also reads the layout that transformers writes)
  inputs.safetensors   for each case the inputs the reference saw and what it computed (F32 logits, I64 ids):
                         pixel_values [N,1176], image_grid_thw [2,3]  two crops of a real tile as transformers'
                                   processor makes them (the first 48 patches are the first image)
                         text.*    one text-only row: input_ids [1,T], logits [1,T,V]
                         image.*   one row with the first image: input_ids, logits
                         batch.*   three left-padded rows (an image each for the first two, the third text only):
                                   input_ids, attention_mask, logits
                         vision.features  the vision tower's merged output for both images [tokens,H]
                         decode.tokens [B,S] greedy tokens of generate() on the batch with the KV cache, and
                         decode.logits [S,B,V], the raw logits of each step (step 0 is the prefill's last column)
                       with the versions in its metadata
  versions.json        python / torch / transformers / safetensors / numpy / pillow versions used

The model is smaller than the built-in "tiny" one (vision width 32, two heads, depth 4 with full attention in blocks
1 and 3, window 56; language model width 64, 4 heads, 2 kv heads, two layers, a 160-token vocabulary) so that the
fixture stays under a megabyte. Weights are drawn wider than transformers' default (std 0.15, lm_head 0.5, random
biases and norm weights) so that every parameter visibly shapes the logits, which reach well past 5.
The first image's merged grid (3 x 4 tokens) does not divide into 2 x 2 windows, so padded windows are exercised.

Transformers 5 builds multimodal rotary positions only when it is given mm_token_type_ids (0 text, 1 image);
without them it silently falls back to 1-D positions. 4.5x derives them from the image token id and has no such
argument. The script passes them where forward() accepts them.
"""
import json
import os
import platform
import sys

sys.modules["torchvision"] = None  # hidden: transformers then uses its torch/PIL code paths only

import inspect  # noqa: E402

import numpy as np  # noqa: E402
import PIL  # noqa: E402
import safetensors  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration  # noqa: E402

VOCAB = 160
IMAGE, VIDEO, VISION_START, VISION_END, BOS, EOS, PAD = 150, 151, 152, 153, 154, 155, 0
DECODE_STEPS = 4
TILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "fixtures", "tiles",
                    "crc-adi-224.tif")
# (left, upper, right, lower) crops of the tile: 112 x 84 pixels -> grid (1, 6, 8), 56 x 56 -> grid (1, 4, 4)
CROPS = [(0, 0, 112, 84), (100, 100, 156, 156)]

TEXT_CONFIG = {
    "vocab_size": VOCAB,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "hidden_act": "silu",
    "max_position_embeddings": 2048,
    "max_window_layers": 2,
    "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0,
    "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},  # head dim 16: 8 frequencies
    "use_sliding_window": False,
    "sliding_window": 2048,
    "tie_word_embeddings": False,
    "initializer_range": 0.02,
    "bos_token_id": BOS,
    "eos_token_id": EOS,
}
VISION_CONFIG = {
    "depth": 4,
    "hidden_act": "silu",
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_heads": 2,
    "in_channels": 3,
    "in_chans": 3,
    "out_hidden_size": 64,
    "patch_size": 14,
    "spatial_merge_size": 2,
    "spatial_patch_size": 14,
    "temporal_patch_size": 2,
    "window_size": 56,
    "fullatt_block_indexes": [1, 3],
    "tokens_per_second": 2,
}


def versions():
    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
            "safetensors": safetensors.__version__, "numpy": np.__version__, "pillow": PIL.__version__}


def major(version):
    return int(version.split(".")[0])


def build_model():
    config = Qwen2_5_VLConfig(text_config=dict(TEXT_CONFIG), vision_config=dict(VISION_CONFIG),
                              image_token_id=IMAGE, video_token_id=VIDEO, vision_start_token_id=VISION_START,
                              vision_end_token_id=VISION_END, bos_token_id=BOS, eos_token_id=EOS,
                              tie_word_embeddings=False, vocab_size=VOCAB, hidden_size=64)
    model = Qwen2_5_VLForConditionalGeneration._from_config(config, attn_implementation="eager")
    model = model.float().eval()
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or "layernorm" in name \
                    or name.endswith("norm.weight") or name.endswith("ln_q.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=gen))
            elif name == "lm_head.weight":
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))
    return model


def image_processor():
    """transformers' own PIL/NumPy Qwen2-VL image processor (no torchvision on either major version)."""
    if major(transformers.__version__) >= 5:
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
        return Qwen2VLImageProcessorPil()
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import Qwen2VLImageProcessor
    return Qwen2VLImageProcessor()


def pixels(images):
    tile = Image.open(TILE).convert("RGB")
    crops = [tile.crop(CROPS[i]) for i in images]
    out = image_processor()(images=crops, return_tensors="pt")
    return out["pixel_values"].float().contiguous(), out["image_grid_thw"].long().contiguous()


def image_row(prefix, grid, suffix):
    t, h, w = (int(x) for x in grid)
    return prefix + [VISION_START] + [IMAGE] * (t * h * w // 4) + [VISION_END] + suffix


def left_padded(rows):
    length = max(len(r) for r in rows)
    ids = [[PAD] * (length - len(r)) + r for r in rows]
    mask = [[0] * (length - len(r)) + [1] * len(r) for r in rows]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)


def model_kwargs(model, input_ids, attention_mask, pixel_values=None, grid=None):
    kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
    if pixel_values is not None:
        kwargs["pixel_values"] = pixel_values
        kwargs["image_grid_thw"] = grid
    if "mm_token_type_ids" in inspect.signature(model.forward).parameters:
        # transformers 5: without these the multimodal rotary positions silently become 1-D ones
        kwargs["mm_token_type_ids"] = (input_ids == IMAGE).long()
    return kwargs


def vision_features(model, pixel_values, grid):
    visual = model.model.visual if hasattr(model, "model") and hasattr(model.model, "visual") else model.visual
    out = visual(pixel_values, grid_thw=grid)
    return out if torch.is_tensor(out) else out.pooler_output  # 4.5x: a tensor; 5.x: BaseModelOutputWithPooling


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_parity_fixture.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = build_model()
    tensors = {}
    with torch.no_grad():
        # text only, one row without padding
        text_ids = torch.tensor([[BOS, 5, 17, 42, 99, 3, 64, 120, 7, 8, 9, 140]], dtype=torch.long)
        text_mask = torch.ones_like(text_ids)
        tensors["text.input_ids"] = text_ids
        tensors["text.logits"] = model(**model_kwargs(model, text_ids, text_mask)).logits

        # the two images, stored once: the one-image case sees the first one
        pv, grid = pixels([0, 1])
        tensors.update({"pixel_values": pv, "image_grid_thw": grid})
        first = int(grid[0].prod())
        ids = torch.tensor([image_row([BOS, 1, 2], grid[0], [10, 11, 12, 13])], dtype=torch.long)
        tensors["image.input_ids"] = ids
        tensors["image.logits"] = model(**model_kwargs(model, ids, torch.ones_like(ids), pv[:first],
                                                       grid[:1])).logits

        # three left-padded rows: the two images (different grids) and one text-only row
        ids, mask = left_padded([image_row([BOS, 1, 2, 3], grid[0], [10, 11, 12, 13]),
                                 image_row([BOS, 4], grid[1], [20, 21, 22]),
                                 [BOS, 30, 31, 32, 33]])
        kwargs = model_kwargs(model, ids, mask, pv, grid)
        tensors.update({"batch.input_ids": ids, "batch.attention_mask": mask})
        tensors["batch.logits"] = model(**kwargs).logits
        tensors["vision.features"] = vision_features(model, pv, grid)

        # greedy decoding with the KV cache, through transformers' own generate()
        generated = model.generate(**kwargs, max_new_tokens=DECODE_STEPS, do_sample=False, use_cache=True,
                                   output_logits=True, return_dict_in_generate=True, eos_token_id=None,
                                   pad_token_id=PAD, temperature=None, top_p=None, top_k=None)
        tensors["decode.tokens"] = generated.sequences[:, ids.shape[1]:]
        tensors["decode.logits"] = torch.stack(list(generated.logits), dim=0)
    tensors = {k: (v.float() if v.is_floating_point() else v.long()).contiguous() for k, v in tensors.items()}
    assert tensors["decode.tokens"].shape[1] == DECODE_STEPS, "generate() stopped early"
    largest = {k: float(v.abs().max()) for k, v in tensors.items() if k.endswith("logits")}
    assert min(largest.values()) >= 5, f"logits too small to be a strict check: {largest}"

    model.save_pretrained(os.path.join(out, "model"), safe_serialization=True)
    for extra in ("generation_config.json",):  # the test reads only config.json and the weights
        path = os.path.join(out, "model", extra)
        if os.path.exists(path):
            os.remove(path)
    meta = {"format": "pt", **{k: str(v) for k, v in versions().items()}}
    save_file(tensors, os.path.join(out, "inputs.safetensors"), metadata=meta)
    with open(os.path.join(out, "versions.json"), "w") as f:
        json.dump(versions(), f, indent=2)
        f.write("\n")
    print("wrote", out, "with", versions())
    for k, v in largest.items():
        print(f"  {k}: shape {tuple(tensors[k].shape)}, max |logit| {v:.3f}")
    print("  decode.tokens:", tensors["decode.tokens"].tolist())


if __name__ == "__main__":
    main()
