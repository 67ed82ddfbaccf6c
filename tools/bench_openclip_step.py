#!/usr/bin/env python3
"""Times a CLIP training step in OpenCLIP on PyTorch eager, to set beside `pathoreason bench clip`.

    PYTHONPATH=tools/torchvision_shim python tools/bench_openclip_step.py --threads 2 --batch 64

Same model as `bench clip` and `clip train`'s defaults (ViT image tower 64 px, patch 8, width 128, 4 layers, 4
heads; text 64 tokens, width 128, 4 layers, 4 heads; embed 128; GELU; vocabulary 2048), same random inputs shape
(every text row ends with the end-of-text token, the highest id, at the last position), float32, and the same step:
forward, open_clip's ClipLoss, backward, torch.optim.AdamW (betas 0.9/0.98, eps 1e-6, weight decay 0.2 on the 2-D
parameters), logit_scale clamped to ln 100. Prints the median and mean of the timed steps.
"""
import argparse
import math
import statistics
import sys
import time

import torch

import open_clip
from open_clip.loss import ClipLoss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--patch-size", type=int, default=8)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--text-width", type=int, default=128)
    ap.add_argument("--text-layers", type=int, default=4)
    ap.add_argument("--text-heads", type=int, default=4)
    ap.add_argument("--embed-dim", type=int, default=128)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = open_clip.CLIP(
        embed_dim=a.embed_dim, quick_gelu=False,
        vision_cfg={"image_size": a.image_size, "patch_size": a.patch_size, "width": a.width, "layers": a.layers,
                    "head_width": a.width // a.heads},
        text_cfg={"context_length": a.context, "vocab_size": a.vocab, "width": a.text_width,
                  "heads": a.text_heads, "layers": a.text_layers}).train()
    decay = [p for n, p in model.named_parameters()
             if not (p.ndim < 2 or "bn" in n or "ln" in n or "bias" in n or "logit_scale" in n)]
    rest = [p for n, p in model.named_parameters()
            if p.ndim < 2 or "bn" in n or "ln" in n or "bias" in n or "logit_scale" in n]
    opt = torch.optim.AdamW([{"params": rest, "weight_decay": 0.0}, {"params": decay, "weight_decay": 0.2}],
                            lr=1e-4, betas=(0.9, 0.98), eps=1e-6)
    loss_fn = ClipLoss()
    images = torch.randn(a.batch, 3, a.image_size, a.image_size)
    text = torch.randint(0, a.vocab - 1, (a.batch, a.context))
    text[:, -1] = a.vocab - 1
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        img, txt, scale = model(images, text)
        loss = loss_fn(img, txt, scale)
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    params = sum(p.numel() for p in model.parameters())
    med = statistics.median(times)
    print(f"OpenCLIP {open_clip.__version__}, torch {torch.__version__}: {params:,} parameters, {a.threads} threads")
    print(f"training step, batch {a.batch}: median {med * 1000:.1f} ms, mean {statistics.mean(times) * 1000:.1f} ms "
          f"({a.steps} steps after {a.warmup} warm-up), {a.batch / med:.1f} pairs/s")


if __name__ == "__main__":
    sys.exit(main())
