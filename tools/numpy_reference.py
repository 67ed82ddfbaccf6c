#!/usr/bin/env python3
"""An independent float32 NumPy forward pass of Qwen2.5-VL, used as a second reference beside transformers.

    python3 tools/numpy_reference.py src/test/resources/numpy-reference

Needs only NumPy. Builds a tiny random checkpoint (the configuration of tools/make_parity_fixture.py), inputs with
two left-padded rows and two images (one whose merged grid does not divide into windows), and computes the logits
step by step as transformers' Qwen2.5-VL defines them: window order and windowed / full attention in the vision
tower, 2-D rotary positions, the 2 x 2 merger, image features scattered into the image pad tokens, multimodal
rotary position ids (get_rope_index), grouped-query attention under a causal and padding mask. It writes
model/config.json, model/model.safetensors and inputs.safetensors (input_ids, attention_mask, pixel_values,
image_grid_thw, logits). ParityTest checks PathoReason's logits against these.

Everything here is written with plain array operations and explicit loops (segments, images, rows), on purpose
differently from PathoReason's batched DJL code, so that the two can only agree if both follow the reference.
"""
import json
import math
import os
import struct
import sys

import numpy as np

F32 = np.float32
VOCAB = 160
IMAGE, VIDEO, VISION_START, VISION_END, BOS, EOS = 150, 151, 152, 153, 154, 155
CONFIG = {
    "architectures": ["Qwen2_5_VLForConditionalGeneration"], "model_type": "qwen2_5_vl",
    "bos_token_id": BOS, "eos_token_id": EOS, "image_token_id": IMAGE, "video_token_id": VIDEO,
    "vision_start_token_id": VISION_START, "vision_end_token_id": VISION_END,
    "hidden_act": "silu", "hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "rope_scaling": {"type": "mrope", "mrope_section": [4, 6, 6]},
    "use_sliding_window": False, "tie_word_embeddings": False, "initializer_range": 0.02, "vocab_size": VOCAB,
    "vision_config": {
        "depth": 4, "hidden_act": "silu", "hidden_size": 64, "intermediate_size": 128, "num_heads": 4,
        "in_chans": 3, "out_hidden_size": 128, "patch_size": 14, "spatial_merge_size": 2,
        "temporal_patch_size": 2, "window_size": 56, "fullatt_block_indexes": [1, 3], "tokens_per_second": 2,
    },
}
GRIDS = np.array([[1, 6, 8], [1, 4, 4]], dtype=np.int64)


def parameter_shapes(c):
    v = c["vision_config"]
    vh, vi, h, i = v["hidden_size"], v["intermediate_size"], c["hidden_size"], c["intermediate_size"]
    kv = c["num_key_value_heads"] * h // c["num_attention_heads"]
    s = {"visual.patch_embed.proj.weight": (vh, 3, 2, 14, 14)}
    for b in range(v["depth"]):
        p = f"visual.blocks.{b}."
        s.update({p + "norm1.weight": (vh,), p + "norm2.weight": (vh,), p + "attn.qkv.weight": (3 * vh, vh),
                  p + "attn.qkv.bias": (3 * vh,), p + "attn.proj.weight": (vh, vh), p + "attn.proj.bias": (vh,),
                  p + "mlp.gate_proj.weight": (vi, vh), p + "mlp.gate_proj.bias": (vi,),
                  p + "mlp.up_proj.weight": (vi, vh), p + "mlp.up_proj.bias": (vi,),
                  p + "mlp.down_proj.weight": (vh, vi), p + "mlp.down_proj.bias": (vh,)})
    m = 4 * vh
    s.update({"visual.merger.ln_q.weight": (vh,), "visual.merger.mlp.0.weight": (m, m), "visual.merger.mlp.0.bias": (m,),
              "visual.merger.mlp.2.weight": (v["out_hidden_size"], m), "visual.merger.mlp.2.bias": (v["out_hidden_size"],),
              "model.embed_tokens.weight": (c["vocab_size"], h), "model.norm.weight": (h,),
              "lm_head.weight": (c["vocab_size"], h)})
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        s.update({p + "self_attn.q_proj.weight": (h, h), p + "self_attn.q_proj.bias": (h,),
                  p + "self_attn.k_proj.weight": (kv, h), p + "self_attn.k_proj.bias": (kv,),
                  p + "self_attn.v_proj.weight": (kv, h), p + "self_attn.v_proj.bias": (kv,),
                  p + "self_attn.o_proj.weight": (h, h), p + "mlp.gate_proj.weight": (i, h),
                  p + "mlp.up_proj.weight": (i, h), p + "mlp.down_proj.weight": (h, i),
                  p + "input_layernorm.weight": (h,), p + "post_attention_layernorm.weight": (h,)})
    return s


def random_weights(rng):
    w = {}
    for name, shape in sorted(parameter_shapes(CONFIG).items()):
        if name.endswith("norm.weight") or "norm1" in name or "norm2" in name or "ln_q" in name or "layernorm" in name:
            w[name] = (1 + 0.1 * rng.standard_normal(shape)).astype(F32)
        elif name.endswith(".bias"):
            w[name] = (0.05 * rng.standard_normal(shape)).astype(F32)
        else:
            w[name] = (0.15 * rng.standard_normal(shape)).astype(F32)
    return w


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[a.dtype]
        data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def rms_norm(x, w, eps):
    return w * (x / np.sqrt((x * x).mean(-1, keepdims=True) + F32(eps))).astype(F32)


def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


def silu(x):
    return x / (F32(1) + np.exp(-x))


def gelu(x):
    erf = np.vectorize(math.erf)
    return (0.5 * x * (1 + erf(x.astype(np.float64) / math.sqrt(2)))).astype(F32)


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], -1)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def vision(w, pixels, grids):
    v = CONFIG["vision_config"]
    merge, vh, heads = v["spatial_merge_size"], v["hidden_size"], v["num_heads"]
    hd, unit, ws = vh // heads, merge * merge, v["window_size"] // merge // v["patch_size"]
    # rotary angles per patch in input order: patches come merge unit by merge unit
    inv = (F32(1) / (F32(10000) ** (np.arange(0, hd // 2, 2, dtype=F32) / F32(hd // 2)))).astype(F32)
    rows, cols = [], []
    for t, gh, gw in grids:
        for _ in range(t):
            for cr in range(gh // merge):
                for cc in range(gw // merge):
                    for dr in range(merge):
                        for dc in range(merge):
                            rows.append(cr * merge + dr)
                            cols.append(cc * merge + dc)
    angles = np.concatenate([np.outer(np.array(rows, F32), inv), np.outer(np.array(cols, F32), inv)], 1).astype(F32)
    # window order of merged tokens, windows row-major, tokens row-major inside; segment boundaries in patches
    order, windows, frames, base = [], [0], [0], 0
    for t, gh, gw in grids:
        lh, lw = gh // merge, gw // merge
        for f in range(t):
            for wr in range(0, lh, ws):
                for wc in range(0, lw, ws):
                    for r in range(wr, min(wr + ws, lh)):
                        for c in range(wc, min(wc + ws, lw)):
                            order.append(base + (f * lh + r) * lw + c)
                    windows.append(len(order) * unit)
            frames.append(frames[-1] + lh * lw * unit)
        base += t * lh * lw
    order = np.array(order)
    patch_order = (order[:, None] * unit + np.arange(unit)[None, :]).reshape(-1)
    x = pixels @ w["visual.patch_embed.proj.weight"].reshape(vh, -1).T
    x, angles = x[patch_order], angles[patch_order]
    emb = np.concatenate([angles, angles], -1)
    cos, sin = np.cos(emb)[:, None, :], np.sin(emb)[:, None, :]
    n = x.shape[0]
    for b in range(v["depth"]):
        p = f"visual.blocks.{b}."
        bounds = frames if b in v["fullatt_block_indexes"] else windows
        y = rms_norm(x, w[p + "norm1.weight"], 1e-6)
        qkv = linear(y, w[p + "attn.qkv.weight"], w[p + "attn.qkv.bias"]).reshape(n, 3, heads, hd)
        q = qkv[:, 0] * cos + rotate_half(qkv[:, 0]) * sin
        k = qkv[:, 1] * cos + rotate_half(qkv[:, 1]) * sin
        val = qkv[:, 2]
        out = np.zeros((n, heads, hd), F32)
        for s, e in zip(bounds[:-1], bounds[1:]):
            for hh in range(heads):
                att = softmax(q[s:e, hh] @ k[s:e, hh].T * F32(hd ** -0.5))
                out[s:e, hh] = att @ val[s:e, hh]
        x = x + linear(out.reshape(n, vh), w[p + "attn.proj.weight"], w[p + "attn.proj.bias"])
        y = rms_norm(x, w[p + "norm2.weight"], 1e-6)
        g = silu(linear(y, w[p + "mlp.gate_proj.weight"], w[p + "mlp.gate_proj.bias"]))
        u = linear(y, w[p + "mlp.up_proj.weight"], w[p + "mlp.up_proj.bias"])
        x = x + linear(g * u, w[p + "mlp.down_proj.weight"], w[p + "mlp.down_proj.bias"])
    m = rms_norm(x, w["visual.merger.ln_q.weight"], 1e-6).reshape(n // unit, vh * unit)
    m = gelu(linear(m, w["visual.merger.mlp.0.weight"], w["visual.merger.mlp.0.bias"]))
    m = linear(m, w["visual.merger.mlp.2.weight"], w["visual.merger.mlp.2.bias"])
    merged = np.zeros_like(m)
    merged[order] = m  # back to image order
    return merged


def positions(ids, mask, grids):
    """Multimodal rotary position ids [3, B, T]; padding gets 1."""
    merge = CONFIG["vision_config"]["spatial_merge_size"]
    batch, length = ids.shape
    pos = np.ones((3, batch, length), np.int64)
    image = 0
    for b in range(batch):
        cols = [j for j in range(length) if mask[b, j] == 1]
        tokens = [int(ids[b, j]) for j in cols]
        row = [[], [], []]
        nxt, j = 0, 0
        while j < len(tokens):
            if tokens[j] == IMAGE:
                t, gh, gw = grids[image]
                image += 1
                lh, lw = gh // merge, gw // merge
                for f in range(t):
                    for r in range(lh):
                        for c in range(lw):
                            row[0].append(nxt)
                            row[1].append(nxt + r)
                            row[2].append(nxt + c)
                nxt = nxt + max(lh, lw)
                j += t * lh * lw
            else:
                for a in range(3):
                    row[a].append(nxt)
                nxt += 1
                j += 1
        for a in range(3):
            pos[a, b, cols] = row[a]
    return pos


def text(w, ids, mask, features, grids):
    c = CONFIG
    h, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd, eps = h // heads, c["rms_norm_eps"]
    batch, length = ids.shape
    x = w["model.embed_tokens.weight"][ids].copy()
    k = 0
    for b in range(batch):
        for j in range(length):
            if ids[b, j] == IMAGE:
                x[b, j] = features[k]
                k += 1
    assert k == features.shape[0]
    pos = positions(ids, mask, grids)
    inv = (F32(1) / (F32(c["rope_theta"]) ** (np.arange(0, hd, 2, dtype=F32) / F32(hd)))).astype(F32)
    section = c["rope_scaling"]["mrope_section"]
    axis = np.repeat([0, 1, 2], section)
    angles = np.zeros((batch, length, hd // 2), F32)
    for f in range(hd // 2):
        angles[:, :, f] = pos[axis[f]].astype(F32) * inv[f]
    emb = np.concatenate([angles, angles], -1)
    cos, sin = np.cos(emb)[:, None], np.sin(emb)[:, None]
    allowed = np.tril(np.ones((length, length), bool))[None] & (mask[:, None, :] == 1)
    additive = np.where(allowed, F32(0), np.finfo(F32).min)[:, None].astype(F32)
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        y = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(y, w[p + "self_attn.q_proj.weight"], w[p + "self_attn.q_proj.bias"])
        kk = linear(y, w[p + "self_attn.k_proj.weight"], w[p + "self_attn.k_proj.bias"])
        vv = linear(y, w[p + "self_attn.v_proj.weight"], w[p + "self_attn.v_proj.bias"])
        q = q.reshape(batch, length, heads, hd).transpose(0, 2, 1, 3)
        kk = kk.reshape(batch, length, kv, hd).transpose(0, 2, 1, 3)
        vv = vv.reshape(batch, length, kv, hd).transpose(0, 2, 1, 3)
        q = q * cos + rotate_half(q) * sin
        kk = kk * cos + rotate_half(kk) * sin
        kk, vv = np.repeat(kk, heads // kv, 1), np.repeat(vv, heads // kv, 1)
        att = softmax(q @ kk.transpose(0, 1, 3, 2) * F32(hd ** -0.5) + additive)
        o = (att @ vv).transpose(0, 2, 1, 3).reshape(batch, length, h)
        x = x + linear(o, w[p + "self_attn.o_proj.weight"])
        y = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = silu(linear(y, w[p + "mlp.gate_proj.weight"])) * linear(y, w[p + "mlp.up_proj.weight"])
        x = x + linear(g, w[p + "mlp.down_proj.weight"])
    return rms_norm(x, w["model.norm.weight"], eps) @ w["lm_head.weight"].T


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: numpy_reference.py OUT_DIR")
    out = sys.argv[1]
    rng = np.random.default_rng(20240611)
    weights = random_weights(rng)
    pads = [t * h * w // 4 for t, h, w in GRIDS]
    rows = [[1, 2, 3, VISION_START] + [IMAGE] * pads[0] + [VISION_END, 10, 11, 12, 13],
            [4, VISION_START] + [IMAGE] * pads[1] + [VISION_END, 20, 21, 22]]
    length = max(len(r) for r in rows)
    ids = np.array([[0] * (length - len(r)) + r for r in rows], np.int64)
    mask = np.array([[0] * (length - len(r)) + [1] * len(r) for r in rows], np.int64)
    pixels = rng.standard_normal((int(sum(t * h * w for t, h, w in GRIDS)), 1176)).astype(F32)
    logits = text(weights, ids, mask, vision(weights, pixels, GRIDS), GRIDS).astype(F32)
    os.makedirs(os.path.join(out, "model"), exist_ok=True)
    with open(os.path.join(out, "model", "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    write_safetensors(os.path.join(out, "model", "model.safetensors"), weights)
    write_safetensors(os.path.join(out, "inputs.safetensors"), {
        "input_ids": ids, "attention_mask": mask, "pixel_values": pixels, "image_grid_thw": GRIDS,
        "logits": logits})
    print("wrote", out, "logits", logits.shape, "max |logit| %.3f" % float(np.abs(logits[mask == 1]).max()))


if __name__ == "__main__":
    main()
