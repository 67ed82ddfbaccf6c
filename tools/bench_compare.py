#!/usr/bin/env python3
"""PathoReason against Hugging Face transformers on the same checkpoint, shapes and threads, interleaved.

    python3 tools/bench_compare.py --scales tiny,bench-0.5b --threads 1,2 --rounds 3 --out /tmp/bench

For each scale (a `pathoreason model init --config` preset, written once under --out and read by both sides) and
thread count, it runs `./pathoreason bench model` and `tools/bench_transformers.py` in turns, one process per
measure group (train, grpo, decode) and side (round 1 Java first, round 2 Python first, ...), each process timing
its measures --reps times after a warm-up, and prints per measure
the median, the spread (min-max over all repetitions) and the ratio transformers time / PathoReason time (above 1:
PathoReason is faster), the same ratio of the measuring thread's CPU time (with one thread all the work runs on
that thread, so on a loaded machine this is the steadier figure; with two threads it leaves out the second one and
is only indicative), and each side's share of the machine's matmul floor: the measure's matrix-product FLOPs
(counted by PathoReason's Qwen2VLFlops) divided by the faster of the two engines' 2048 x 2048 fp32 GEMM rate,
over the measured time. Both sides run with the same environment: OMP/MKL threads set to the count, and
OMP_WAIT_POLICY=PASSIVE, as the `pathoreason` launcher sets it (with spinning OpenMP threads a loaded machine slows
either side several-fold). The load average is recorded before every run: the machine may be shared.

A benchmark tool, never part of the build or CI; the transformers side needs torch and transformers (--python).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Per scale, the shapes both sides run: the SFT batch of the 0.5B model is a micro-batch that fits 2 cores' time.
SHAPES = {
    "tiny": {"train-batch": 16},
    "bench-0.5b": {"train-batch": 4},
}
COMMON = {"prompt-tokens": 64, "new-tokens": 32, "image-patches": 8, "group-size": 4, "batch-sizes": "1,8,32"}


def load():
    return os.getloadavg()[0]


def ensure_checkpoint(scale, out, launcher):
    ckpt = os.path.join(out, "ckpt-" + scale)
    if os.path.exists(os.path.join(ckpt, "model.safetensors")) or os.path.exists(
            os.path.join(ckpt, "model.safetensors.index.json")):
        return ckpt
    tok = os.path.join(out, "tokenizer", "tokenizer.json")
    if not os.path.exists(tok):
        subprocess.run([launcher, "tokenizer", "train", "--corpus", os.path.join(ROOT, "README.md"), "--vocab",
                        "1033", "--out", tok], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([launcher, "model", "init", "--config", scale, "--tokenizer", tok, "--out", ckpt], check=True)
    return ckpt


def flags(scale, reps, measures):
    shape = dict(COMMON)
    shape.update(SHAPES.get(scale, {}))
    args = []
    for k, v in shape.items():
        args += ["--" + k, str(v)]
    return args + ["--reps", str(reps), "--measures", measures]


def run_side(side, ckpt, threads, scale, args, work, measure):
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": "PASSIVE"})
    out = os.path.join(work, f"{side}-{scale}-t{threads}-{time.time_ns()}.json")
    common = ["--checkpoint", ckpt, "--threads", str(threads), "--json", out] + flags(scale, args.reps, measure)
    if side == "pathoreason":
        cmd = [args.launcher, "bench", "model"] + common
    else:
        cmd = [args.python, os.path.join(HERE, "bench_transformers.py")] + common
    before = load()
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.exit(f"{side} failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    with open(out) as f:
        result = json.load(f)
    result["load_before"] = before
    result["load_after"] = load()
    result["wall_s"] = time.time() - t0
    return result


def throughput(measure, seconds, prompt_length, new_tokens):
    """Tokens per second for prefill/decode, seconds per step otherwise."""
    if measure.startswith("prefill_b"):
        return int(measure[len("prefill_b"):]) * prompt_length / seconds, "tok/s"
    if measure.startswith("decode_b"):
        return int(measure[len("decode_b"):]) * (new_tokens - 1) / seconds, "tok/s"
    return seconds, "s"


def summarise(runs, new_tokens):
    java = [r for r in runs if r["side"] == "pathoreason"]
    py = [r for r in runs if r["side"] == "transformers"]
    gemm = max(r["gemm_gflops"] for r in runs)
    flops = {}
    for r in java:
        flops.update(r["flops"])
    prompt = java[0]["prompt_length"]
    rows = []
    for m in flops:
        js = [s for r in java for s in r["seconds"].get(m, [])]
        ps = [s for r in py for s in r["seconds"].get(m, [])]
        if not js or not ps:
            continue
        jm, pm = statistics.median(js), statistics.median(ps)
        jc = [s for r in java for s in r.get("cpu_seconds", {}).get(m, [])]
        pc = [s for r in py for s in r.get("cpu_seconds", {}).get(m, [])]
        rows.append({
            "pathoreason_cpu_s": jc, "transformers_cpu_s": pc,
            "cpu_ratio": statistics.median(pc) / statistics.median(jc) if jc and pc else None,
            "measure": m,
            "pathoreason_s": js, "transformers_s": ps,
            "pathoreason_median_s": jm, "transformers_median_s": pm,
            "ratio": pm / jm,
            "pathoreason_floor": flops[m] / 1e9 / gemm / jm,
            "transformers_floor": flops[m] / 1e9 / gemm / pm,
        })
    return {"gemm_gflops": gemm, "prompt_length": prompt, "rows": rows,
            "loads": [round(r["load_before"], 1) for r in runs],
            "gemm": {"pathoreason": [r["gemm_gflops"] for r in java], "transformers": [r["gemm_gflops"] for r in py]}}


def fmt(measure, values, prompt, new_tokens):
    med = statistics.median(values)
    v, unit = throughput(measure, med, prompt, new_tokens)
    lo, _ = throughput(measure, max(values), prompt, new_tokens)
    hi, _ = throughput(measure, min(values), prompt, new_tokens)
    if unit == "s":
        lo, hi = hi, lo
        return f"{v:.3f} s ({lo:.3f}-{hi:.3f})"
    return f"{v:,.0f} tok/s ({lo:,.0f}-{hi:,.0f})"


def table(scale, threads, summary, new_tokens):
    lines = [f"{scale}, {threads} thread{'s' if threads > 1 else ''} (GEMM floor {summary['gemm_gflops']:.0f} "
             f"GFLOP/s; load averages before each run: {summary['loads']})", "",
             "| measure | PathoReason median (range) | transformers median (range) | ratio | CPU-time ratio "
             "| floor PR | floor HF |",
             "|---|---|---|---|---|---|---|"]
    for r in summary["rows"]:
        m = r["measure"]
        lines.append(f"| {m} | {fmt(m, r['pathoreason_s'], summary['prompt_length'], new_tokens)} | "
                     f"{fmt(m, r['transformers_s'], summary['prompt_length'], new_tokens)} | {r['ratio']:.2f} | "
                     f"{'' if r['cpu_ratio'] is None else format(r['cpu_ratio'], '.2f')} | "
                     f"{100 * r['pathoreason_floor']:.1f}% | {100 * r['transformers_floor']:.1f}% |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", default="tiny,bench-0.5b")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=3, help="process pairs per scale and thread count")
    p.add_argument("--reps", type=int, default=2, help="timed repetitions per measure in each process")
    p.add_argument("--measures", default="train,grpo,decode")
    p.add_argument("--out", required=True, help="folder for checkpoints, raw results and the tables")
    p.add_argument("--label", default="run", help="name of this comparison's result files")
    p.add_argument("--launcher", default=os.path.join(ROOT, "pathoreason"))
    p.add_argument("--python", default=sys.executable)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = os.path.join(args.out, "raw")
    os.makedirs(work, exist_ok=True)
    new_tokens = COMMON["new-tokens"]
    report = {"label": args.label, "results": []}
    texts = []
    for scale in args.scales.split(","):
        ckpt = ensure_checkpoint(scale, args.out, args.launcher)
        for threads in [int(t) for t in args.threads.split(",")]:
            runs = []
            for rnd in range(args.rounds):
                order = ["pathoreason", "transformers"] if rnd % 2 == 0 else ["transformers", "pathoreason"]
                # one process per measure group: the peak memory is that of one measure, and the turns are short
                for measure in args.measures.split(","):
                    for side in order:
                        r = run_side(side, ckpt, threads, scale, args, work, measure)
                        print(f"  {scale} t{threads} round {rnd + 1} {measure} {side}: {r['wall_s']:.0f} s, load "
                              f"{r['load_before']:.1f}", file=sys.stderr, flush=True)
                        runs.append(r)
            summary = summarise(runs, new_tokens)
            summary.update({"scale": scale, "threads": threads,
                            "versions": {r["side"]: r["versions"] for r in runs}})
            report["results"].append(summary)
            text = table(scale, threads, summary, new_tokens)
            texts.append(text)
            print(text + "\n", flush=True)
            with open(os.path.join(args.out, args.label + ".json"), "w") as f:
                json.dump(report, f, indent=1)
            with open(os.path.join(args.out, args.label + ".md"), "w") as f:
                f.write("\n\n".join(texts) + "\n")


if __name__ == "__main__":
    main()
