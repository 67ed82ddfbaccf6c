#!/usr/bin/env python3
"""The transformers side of PathoReason's speed comparison (tools/bench_compare.py runs both sides interleaved).

Loads a Qwen2.5-VL checkpoint written by `pathoreason model init` into Hugging Face transformers (PyTorch eager,
CPU, float32, sdpa attention) and times, with the shapes `pathoreason bench model` uses for the same flags:

  train    one SFT step: forward over B rows of prompt + completion (one image per row), cross-entropy on the
           completion tokens (labels -100 on the prompt), backward, clip_grad_norm_(1.0), AdamW step, zero_grad
  grpo     one GRPO step, G completions of one prompt: model.generate (sampling, temperature 1, no top-k/top-p,
           no stop token), then TRL's update: per-token log-probs of the completions (logits_to_keep), the clipped
           surrogate with group-normalised advantages (sequence mean of token means), backward, clip, AdamW
  prefill  model.generate at batch b: the time from the call to the first new token (streamer timestamps)
  decode   the same call: the time from the first new token to the end, (new_tokens - 1) greedy steps

The training measures run once untimed (warm-up, AdamW state; one optimiser serves both), generation once at the
first batch size; then each measure runs --reps times; the seconds of every repetition go to --json.
It is a benchmark tool, never part of the build or of CI. Needs torch and transformers (tested with torch 2.13.0,
transformers 5.18.0).
"""
import argparse
import json
import math
import os
import platform
import sys
import time

sys.modules.setdefault("torchvision", None)  # the installed torchvision does not load on this torch; not needed

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import GenerationConfig, Qwen2_5_VLForConditionalGeneration  # noqa: E402
from transformers.generation.streamers import BaseStreamer  # noqa: E402


class Clock(BaseStreamer):
    """Timestamps of generate's streamer calls: the prompt first, then one per new token."""

    def __init__(self):
        self.times = []

    def put(self, value):
        self.times.append((time.perf_counter(), time.thread_time()))

    def end(self):
        pass


def gemm_gflops(n=2048, repeats=5):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


class Inputs:
    """Prompts as `pathoreason bench model` builds them: vision start, the image's pad run, vision end, text."""

    def __init__(self, config, args):
        self.config = config
        self.args = args
        self.gen = torch.Generator().manual_seed(args.seed)
        tokens = config.text_config if hasattr(config, "text_config") else config
        specials = [config.image_token_id, config.video_token_id, config.vision_start_token_id,
                    config.vision_end_token_id, tokens.bos_token_id, tokens.eos_token_id]
        self.text_ids = min(i for i in specials if i is not None)  # ordinary ids lie below the special ones
        self.side = args.image_patches
        self.pads = self.side * self.side // 4

    def rows(self, batch, extra=0):
        text = torch.randint(0, self.text_ids, (batch, self.args.prompt_tokens + extra), generator=self.gen)
        head = torch.tensor([self.config.vision_start_token_id] + [self.config.image_token_id] * self.pads
                            + [self.config.vision_end_token_id]).expand(batch, -1)
        ids = torch.cat([head, text], dim=1)
        patches = torch.randn(batch * self.side * self.side, 3 * 2 * 14 * 14, generator=self.gen)
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "pixel_values": patches,
            "image_grid_thw": torch.tensor([[1, self.side, self.side]] * batch),
            # what the processor returns: 1 on image tokens; without it transformers falls back to 1-D positions
            "mm_token_type_ids": (ids == self.config.image_token_id).int(),
        }

    @property
    def prompt_length(self):
        return self.pads + 2 + self.args.prompt_tokens


def optimizer(model):
    return torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01)


def train_step(model, opt, batch):
    out = model(**batch)
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


def train_batch(inputs, args):
    b = inputs.rows(args.train_batch, extra=args.new_tokens)
    labels = b["input_ids"].clone()
    labels[:, :inputs.prompt_length] = -100
    b["labels"] = labels
    return b


def grpo_step(model, opt, inputs, args, prompt):
    g = args.group_size
    gen_inputs = {k: v.repeat(g, 1) for k, v in prompt.items()}  # G copies of the prompt and its image
    config = GenerationConfig(do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=args.new_tokens,
                              min_new_tokens=args.new_tokens, eos_token_id=None, pad_token_id=0,
                              # as PathoReason's sampler: never emit an image or video pad
                              suppress_tokens=[inputs.config.image_token_id, inputs.config.video_token_id])
    with torch.no_grad():
        seqs = model.generate(**gen_inputs, generation_config=config)
    p = inputs.prompt_length
    completion = seqs[:, p:]
    n = completion.shape[1]
    rewards = torch.tensor([1.0, 0.0, 0.5, 0.25] * (g // 4 + 1))[:g]
    adv = ((rewards - rewards.mean()) / (rewards.std() + 1e-4)).unsqueeze(1)
    batch = dict(gen_inputs)
    batch["input_ids"] = seqs
    batch["attention_mask"] = torch.ones_like(seqs)
    batch["mm_token_type_ids"] = (seqs == inputs.config.image_token_id).int()
    logits = model(**batch, logits_to_keep=n + 1).logits[:, :-1]
    logp = torch.gather(logits.log_softmax(-1), 2, completion.unsqueeze(-1)).squeeze(-1)
    ratio = torch.exp(logp - logp.detach())
    per_token = -torch.min(ratio * adv, torch.clamp(ratio, 0.8, 1.2) * adv)
    loss = per_token.mean(dim=1).mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


def generate_timed(model, batch, new_tokens):
    config = GenerationConfig(do_sample=False, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                              eos_token_id=None, pad_token_id=0)
    clock = Clock()
    with torch.no_grad():
        c0, t0 = time.thread_time(), time.perf_counter()
        model.generate(**batch, generation_config=config, streamer=clock)
        t1, c1 = time.perf_counter(), time.thread_time()
    first, first_cpu = clock.times[1]
    return (first - t0, t1 - first), (first_cpu - c0, c1 - first_cpu)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--measures", default="train,grpo,decode")
    p.add_argument("--batch-sizes", default="1,8,32")
    p.add_argument("--prompt-tokens", type=int, default=64)
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--image-patches", type=int, default=8)
    p.add_argument("--train-batch", type=int, default=16)
    p.add_argument("--group-size", type=int, default=4)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", required=True)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(args.checkpoint, dtype=torch.float32,
                                                               attn_implementation="sdpa")
    model.train()  # dropout is 0 in Qwen2.5-VL; eval() would change nothing but the flag
    inputs = Inputs(model.config, args)
    measures = args.measures.split(",")
    seconds = {}
    cpu = {}  # CPU time of this thread: with one PyTorch thread all the work runs on it

    def timed(name, body):
        body()  # warm-up
        seconds[name], cpu[name] = [], []
        for _ in range(args.reps):
            c0, t0 = time.thread_time(), time.perf_counter()
            body()
            seconds[name].append(time.perf_counter() - t0)
            cpu[name].append(time.thread_time() - c0)

    # one optimiser for both training measures, as one would train; its state is allocated in the warm-up
    opt = optimizer(model) if "train" in measures or "grpo" in measures else None
    if "train" in measures:
        batch = train_batch(inputs, args)
        timed("train", lambda: train_step(model, opt, batch))

    if "grpo" in measures:
        prompt = inputs.rows(1)
        timed("grpo", lambda: grpo_step(model, opt, inputs, args, prompt))
    del opt

    if "decode" in measures:
        model.eval()
        sizes = [int(x) for x in args.batch_sizes.split(",")]
        # only the first batch size gets a warm-up: the code paths are then warm, and a larger batch's buffers are
        # new allocations in every repetition anyway
        generate_timed(model, inputs.rows(sizes[0]), min(4, args.new_tokens))
        for b in sizes:
            batch = inputs.rows(b)
            runs = [generate_timed(model, batch, args.new_tokens) for _ in range(args.reps)]
            seconds[f"prefill_b{b}"] = [w[0] for w, _ in runs]
            seconds[f"decode_b{b}"] = [w[1] for w, _ in runs]
            cpu[f"prefill_b{b}"] = [c[0] for _, c in runs]
            cpu[f"decode_b{b}"] = [c[1] for _, c in runs]

    out = {
        "side": "transformers",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "python": platform.python_version()},
        "threads": torch.get_num_threads(),
        "gemm_gflops": gemm_gflops(),
        "prompt_length": inputs.prompt_length,
        "seconds": seconds,
        "cpu_seconds": cpu,
    }
    tmp = args.json + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1)
    os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
