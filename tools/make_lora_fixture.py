#!/usr/bin/env python3
"""Builds the LoRA fixture that LoraParityTest compares PathoReason against, with Hugging Face PEFT as the
reference (run with peft 0.21, transformers 5.18, torch 2.13 CPU).

    python tools/make_lora_fixture.py src/test/resources/lora
    python tools/make_lora_fixture.py --check-written DIR
    python tools/make_lora_fixture.py --check-trained target/lora-trained

The base model is the parity fixture's tiny Qwen2.5-VL (src/test/resources/parity/model, written by
tools/make_parity_fixture.py), so the fixture only adds the adapter and what PEFT computed with it. The script
wraps the base with peft.LoraConfig(r=4, lora_alpha=8, lora_dropout=0.05, target_modules=[q_proj, k_proj, v_proj,
o_proj, gate_proj, up_proj, down_proj]) — these names also match the vision blocks' MLP, as they do in PEFT — and
draws every LoRA A and B weight from a seeded normal distribution (PEFT starts B at zero, which would make the
adapter a no-op and the test vacuous). It writes, under the output folder:

  adapter/                adapter_config.json + adapter_model.safetensors, saved by PEFT's save_pretrained
  reference.safetensors   text.logits [1,T,V] and image.logits [1,T,V]: the PEFT model's logits on the parity
                          fixture's text-only and one-image inputs (eval mode, so no dropout); and merged.<name>
                          for every tensor that merge_and_unload() changed (F32, names as transformers saves them)
                          with the library versions in its metadata
  versions.json           the versions used

--check-written DIR loads an adapter folder that PathoReason wrote (LoraAdapter.write) into PEFT on the same base,
and prints the largest logit difference against the adapter of the fixture: it shows that PEFT reads our files.
LoraParityTest writes the fixture's adapter back in both layouts under target/lora-written/{nested,classic}/first.
Run with peft 0.21.0 / transformers 5.18.0 on 2026-12-03: nested (model.language_model.layers.N...): max |diff| 0
on both inputs; classic (model.layers.N...): PEFT warns "Found missing adapter keys" and runs the bare base (no
remapping of the older paths on transformers 5), so PathoReason writes the nested layout unless an adapter was read
in the classic one (for transformers before 4.52).

--check-trained DIR loads DIR/adapter, an adapter trained by PathoReason's LoRA training (LoraParityTest writes it
with the logits of its adapted forward in DIR/logits.safetensors), into PEFT on the same base and prints how far
PEFT's logits are from PathoReason's and how many layers PEFT adapted (its target_modules is the regular expression
that keeps the adapters in the language model).
"""
import json
import os
import platform
import sys

sys.modules["torchvision"] = None  # hidden: a torchvision wheel that does not match torch breaks the imports

import peft  # noqa: E402
import safetensors  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from peft import LoraConfig, PeftModel, get_peft_model  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import Qwen2_5_VLForConditionalGeneration  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = os.path.join(HERE, "..", "src", "test", "resources", "parity")
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
IMAGE = 150


def versions():
    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__, "safetensors": safetensors.__version__}


def base_model():
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(os.path.join(PARITY, "model"),
                                                              attn_implementation="eager", dtype=torch.float32)
    return model.eval()


def inputs():
    saved = load_file(os.path.join(PARITY, "inputs.safetensors"))
    pv, grid = saved["pixel_values"], saved["image_grid_thw"]
    first = int(grid[0].prod())
    text = saved["text.input_ids"]
    image = saved["image.input_ids"]
    return {
        "text": {"input_ids": text, "attention_mask": torch.ones_like(text), "mm_token_type_ids": (text == IMAGE).long()},
        "image": {"input_ids": image, "attention_mask": torch.ones_like(image),
                  "mm_token_type_ids": (image == IMAGE).long(), "pixel_values": pv[:first], "image_grid_thw": grid[:1]},
    }


def logits(model):
    with torch.no_grad():
        return {f"{case}.logits": model(**kw).logits.float().contiguous() for case, kw in inputs().items()}


def build(out):
    torch.manual_seed(0)
    base = base_model()
    before = {k: v.clone() for k, v in base.state_dict().items()}
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.05, target_modules=TARGETS, bias="none")
    model = get_peft_model(base, config)
    gen = torch.Generator().manual_seed(4321)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if "lora_A" in name or "lora_B" in name:
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
    model.eval()
    tensors = logits(model)
    adapter = os.path.join(out, "adapter")
    model.peft_config["default"].base_model_name_or_path = "src/test/resources/parity/model"  # not this machine's path
    model.save_pretrained(adapter, safe_serialization=True)
    readme = os.path.join(adapter, "README.md")
    if os.path.exists(readme):
        os.remove(readme)  # PEFT's model-card template; the test reads only the config and the weights
    merged = model.merge_and_unload()
    changed = 0
    for name, value in merged.state_dict().items():
        if not torch.equal(value, before[name]):
            tensors["merged." + name] = value.float().contiguous()
            changed += 1
    meta = {"format": "pt", **versions()}
    save_file(tensors, os.path.join(out, "reference.safetensors"), metadata=meta)
    with open(os.path.join(out, "versions.json"), "w") as f:
        json.dump(versions(), f, indent=2)
        f.write("\n")
    print("wrote", out, "with", versions())
    print(f"  {changed} merged tensors; max |logit| text {float(tensors['text.logits'].abs().max()):.3f}, "
          f"image {float(tensors['image.logits'].abs().max()):.3f}")


def check_written(adapter_dir):
    reference = load_file(os.path.join(HERE, "..", "src", "test", "resources", "lora", "reference.safetensors"))
    model = PeftModel.from_pretrained(base_model(), adapter_dir).eval()
    got = logits(model)
    for key, value in got.items():
        diff = float((value - reference[key]).abs().max())
        scale = float(reference[key].abs().max())
        print(f"{key}: PEFT on {adapter_dir}: max |diff| {diff:.3e}, relative {diff / scale:.3e}")


def check_trained(run_dir):
    ours = load_file(os.path.join(run_dir, "logits.safetensors"))["text.logits"]
    model = PeftModel.from_pretrained(base_model(), os.path.join(run_dir, "adapter")).eval()
    adapted = sum(1 for name, _ in model.named_modules() if name.endswith(".lora_A"))
    got = logits(model)["text.logits"]
    diff = float((got - ours).abs().max())
    scale = float(ours.abs().max())
    print(f"PEFT {peft.__version__} on {run_dir}/adapter: {adapted} layers adapted; text logits vs PathoReason's: "
          f"max |diff| {diff:.3e}, relative {diff / scale:.3e}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check-written":
        check_written(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--check-trained":
        check_trained(sys.argv[2])
    elif len(sys.argv) == 2:
        os.makedirs(sys.argv[1], exist_ok=True)
        build(sys.argv[1])
    else:
        sys.exit("usage: make_lora_fixture.py OUT_DIR | --check-written ADAPTER_DIR | --check-trained DIR")


if __name__ == "__main__":
    main()
