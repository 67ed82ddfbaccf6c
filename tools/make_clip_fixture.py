#!/usr/bin/env python3
"""Builds the CLIP parity fixture that ClipParityTest compares PathoReason's dual encoder against.

Run with PyTorch, open_clip_torch, transformers, tokenizers, Pillow and safetensors:

    PYTHONPATH=tools/torchvision_shim python tools/make_clip_fixture.py src/test/resources/org/pathoreason/model/clip

(tools/torchvision_shim stands in for a torchvision that does not load on the installed torch; open_clip imports
it for its transforms. The shim's eval transforms follow torchvision's rules and resample with Pillow.)

It writes, under the output folder:
  */tokenizer.json           CLIP's byte-level BPE with the first MERGES merges of OpenAI CLIP's merge list (as
                             open_clip ships it), in Hugging Face's layout (CLIPTokenizer builds it); open_clip's
                             own SimpleTokenizer, given the same merges, must produce the same ids (checked here)
  openclip/                  a small random OpenCLIP model saved in OpenCLIP's layout: open_clip_config.json
                             (model_cfg, preprocess_cfg) and open_clip_model.safetensors (state_dict names), plus
                             tokenizer.json; QuickGELU, class-token pooling, image 32, patch 8
  hf/                        a second random OpenCLIP model (plain GELU, image 48, patch 16, width 48) converted to
                             Hugging Face's CLIPModel and saved by transformers (config.json, model.safetensors),
                             plus preprocessor_config.json and tokenizer.json; CLIPModel's own embeddings must equal
                             OpenCLIP's (checked here)
  images/*.png               RGB images of several sizes and aspect ratios
  expected.safetensors       per model M in {openclip, hf}: M.pixels [N,3,S,S]
                             (openclip: OpenCLIP's transform; hf: CLIPImageProcessorPil, whose centre crop
                             truncates the offset where torchvision rounds it),
                             M.image_features [N,D] (unnormalised), M.image_embeddings [N,D] (L2-normalised),
                             M.text_features, M.text_embeddings [T,D], M.logits [N,T] (logit_scale.exp() times the
                             cosine similarities); token_ids [T,C] (I64, context length C)
  fixture.json               texts, image file names, model settings, library versions

Weights are drawn wider than the default initialisation (random LayerNorm gains and biases, random projection
biases) so that every parameter visibly shapes the embeddings.
"""
import gzip
import json
import os
import sys
from pathlib import Path

import numpy as np
import PIL
import safetensors
import tokenizers
import torch
import transformers
import transformers.utils
import transformers.utils.import_utils

# transformers imports torchvision when it is present; the shim (on sys.path for open_clip) has only what open_clip
# needs, so tell transformers there is none before it loads CLIPModel.
transformers.utils.import_utils.is_torchvision_available = lambda: False
transformers.utils.is_torchvision_available = lambda: False
from PIL import Image
from safetensors.torch import save_file

import open_clip
from open_clip.tokenizer import SimpleTokenizer, bytes_to_unicode

MERGES = 256
CONTEXT = 24
TEXTS = [
    "a histopathology image of adenocarcinoma",
    "Chronic inflammation with plasma cells and lymphocytes.",
    "H&E: caseating granuloma, necrosis (centre) — giant cells!",
    "squamous cell carcinoma with keratin pearls and intercellular bridges, nuclear pleomorphism, mitoses",
    "benign glands",
    "naïve café tissue 1234",
]
IMAGES = {  # name: (width, height)
    "square-32.png": (32, 32),
    "wide-64x40.png": (64, 40),
    "tall-37x61.png": (37, 61),
    "large-96x72.png": (96, 72),
    "small-20x28.png": (20, 28),
}

MODEL_A = {  # saved in OpenCLIP's layout
    "embed_dim": 32,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "head_width": 32, "patch_size": 8},
    "text_cfg": {"context_length": CONTEXT, "vocab_size": None, "width": 64, "heads": 2, "layers": 2},
}
MODEL_B = {  # converted to Hugging Face's CLIPModel
    "embed_dim": 24,
    "quick_gelu": False,
    "vision_cfg": {"image_size": 48, "layers": 2, "width": 48, "head_width": 16, "patch_size": 16},
    "text_cfg": {"context_length": CONTEXT, "vocab_size": None, "width": 48, "heads": 3, "layers": 2},
}
PREPROCESS = {"mean": list(open_clip.OPENAI_DATASET_MEAN), "std": list(open_clip.OPENAI_DATASET_STD),
              "interpolation": "bicubic", "resize_mode": "shortest"}


def clip_merges():
    path = Path(open_clip.__file__).parent / "bpe_simple_vocab_16e6.txt.gz"
    lines = gzip.open(path).read().decode("utf-8").split("\n")
    return lines[0], lines[1:1 + MERGES]


def build_tokenizers(out):
    header, merges = clip_merges()
    gz = out / "merges.txt.gz.tmp"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        f.write(header + "\n" + "\n".join(merges))  # no final newline: it would read as an empty merge
    simple = SimpleTokenizer(bpe_path=str(gz), context_length=CONTEXT)
    gz.unlink()
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    encoder = {t: i for i, t in enumerate(vocab)}
    assert encoder["<|endoftext|>"] == simple.eot_token_id and encoder["<|startoftext|>"] == simple.sot_token_id
    hf = transformers.CLIPTokenizer(vocab=encoder, merges=[tuple(m.split()) for m in merges])
    tfile = out / "tokenizer.json.tmp"
    hf.backend_tokenizer.save(str(tfile))
    reloaded = tokenizers.Tokenizer.from_file(str(tfile))
    ids = simple(TEXTS, context_length=CONTEXT)
    for i, text in enumerate(TEXTS):
        pieces = reloaded.encode(text, add_special_tokens=True).ids  # RobertaProcessing adds sot ... eot
        if len(pieces) > CONTEXT:
            pieces = pieces[:CONTEXT]
            pieces[-1] = simple.eot_token_id
        row = pieces + [0] * (CONTEXT - len(pieces))
        assert row == ids[i].tolist(), (text, row, ids[i].tolist())
    return ids, len(vocab), tfile


def widen(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                continue
            if p.ndim == 1 and ("ln" in name or "norm" in name) and name.endswith("weight"):
                p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=g))
            elif p.ndim == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p.shape[-1] if p.ndim == 2 else int(np.prod(p.shape[1:]))
                p.copy_(torch.randn(p.shape, generator=g) / np.sqrt(fan_in))
        model.logit_scale.fill_(float(np.log(1 / 0.07)) + 0.3)


def make_model(cfg, vocab_size, seed):
    cfg = json.loads(json.dumps(cfg))
    cfg["text_cfg"]["vocab_size"] = vocab_size
    torch.manual_seed(seed)
    model = open_clip.CLIP(**cfg).eval()
    widen(model, seed + 1)
    return model, cfg


def save_openclip(model, cfg, folder, tokenizer_json):
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "open_clip_model.safetensors"))
    with open(folder / "open_clip_config.json", "w") as f:
        json.dump({"model_cfg": cfg, "preprocess_cfg": PREPROCESS}, f, indent=2)
    (folder / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())


def reload_openclip(folder):
    model, preprocess = open_clip.create_model_from_pretrained("local-dir:" + str(folder))
    return model.eval(), preprocess


def make_images(folder):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for k, (name, (w, h)) in enumerate(IMAGES.items()):
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([
            128 + 100 * np.sin(x / (3.0 + k) + y / 5.0),
            128 + 90 * np.cos(y / (2.5 + k)),
            128 + 80 * np.sin((x + y) / 4.0 + k),
        ], axis=-1)
        noise = rng.normal(0, 25, size=(h, w, 3))
        a = np.clip(base + noise, 0, 255).astype(np.uint8)
        Image.fromarray(a, "RGB").save(folder / name)


def features(model, pixels, ids):
    with torch.no_grad():
        img = model.encode_image(pixels)
        txt = model.encode_text(ids)
        ie = torch.nn.functional.normalize(img, dim=-1)
        te = torch.nn.functional.normalize(txt, dim=-1)
        logits = model.logit_scale.exp() * ie @ te.T
    return img, ie, txt, te, logits


def to_hf(model, cfg, vocab_size, eos, bos):
    v, t = cfg["vision_cfg"], cfg["text_cfg"]
    act = "quick_gelu" if cfg["quick_gelu"] else "gelu"
    config = transformers.CLIPConfig(
        text_config={"vocab_size": vocab_size, "hidden_size": t["width"], "intermediate_size": 4 * t["width"],
                     "num_hidden_layers": t["layers"], "num_attention_heads": t["heads"],
                     "max_position_embeddings": t["context_length"], "hidden_act": act, "layer_norm_eps": 1e-5,
                     "eos_token_id": eos, "bos_token_id": bos, "pad_token_id": 0, "projection_dim": cfg["embed_dim"]},
        vision_config={"hidden_size": v["width"], "intermediate_size": 4 * v["width"],
                       "num_hidden_layers": v["layers"], "num_attention_heads": v["width"] // v["head_width"],
                       "image_size": v["image_size"], "patch_size": v["patch_size"], "hidden_act": act,
                       "layer_norm_eps": 1e-5, "projection_dim": cfg["embed_dim"]},
        projection_dim=cfg["embed_dim"])
    hf = transformers.CLIPModel(config).eval()
    sd = model.state_dict()
    out = {}

    def blocks(src, dst, layers, width):
        for i in range(layers):
            s, d = f"{src}.resblocks.{i}.", f"{dst}.layers.{i}."
            w, b = sd[s + "attn.in_proj_weight"], sd[s + "attn.in_proj_bias"]
            for j, n in enumerate(["q_proj", "k_proj", "v_proj"]):
                out[d + f"self_attn.{n}.weight"] = w[j * width:(j + 1) * width]
                out[d + f"self_attn.{n}.bias"] = b[j * width:(j + 1) * width]
            out[d + "self_attn.out_proj.weight"] = sd[s + "attn.out_proj.weight"]
            out[d + "self_attn.out_proj.bias"] = sd[s + "attn.out_proj.bias"]
            for a, c in [("ln_1", "layer_norm1"), ("ln_2", "layer_norm2")]:
                out[d + c + ".weight"] = sd[s + a + ".weight"]
                out[d + c + ".bias"] = sd[s + a + ".bias"]
            for a, c in [("c_fc", "fc1"), ("c_proj", "fc2")]:
                out[d + f"mlp.{c}.weight"] = sd[s + f"mlp.{a}.weight"]
                out[d + f"mlp.{c}.bias"] = sd[s + f"mlp.{a}.bias"]

    out["text_model.embeddings.token_embedding.weight"] = sd["token_embedding.weight"]
    out["text_model.embeddings.position_embedding.weight"] = sd["positional_embedding"]
    blocks("transformer", "text_model.encoder", t["layers"], t["width"])
    out["text_model.final_layer_norm.weight"] = sd["ln_final.weight"]
    out["text_model.final_layer_norm.bias"] = sd["ln_final.bias"]
    out["text_projection.weight"] = sd["text_projection"].T
    out["vision_model.embeddings.class_embedding"] = sd["visual.class_embedding"]
    out["vision_model.embeddings.patch_embedding.weight"] = sd["visual.conv1.weight"]
    out["vision_model.embeddings.position_embedding.weight"] = sd["visual.positional_embedding"]
    out["vision_model.pre_layrnorm.weight"] = sd["visual.ln_pre.weight"]
    out["vision_model.pre_layrnorm.bias"] = sd["visual.ln_pre.bias"]
    blocks("visual.transformer", "vision_model.encoder", v["layers"], v["width"])
    out["vision_model.post_layernorm.weight"] = sd["visual.ln_post.weight"]
    out["vision_model.post_layernorm.bias"] = sd["visual.ln_post.bias"]
    out["visual_projection.weight"] = sd["visual.proj"].T
    out["logit_scale"] = sd["logit_scale"]
    missing, unexpected = hf.load_state_dict(out, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    assert not missing and not unexpected, (missing, unexpected)
    return hf


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/pathoreason/model/clip")
    out.mkdir(parents=True, exist_ok=True)
    ids, vocab_size, tokenizer_json = build_tokenizers(out)
    make_images(out / "images")
    expected = {"token_ids": ids.to(torch.int64).contiguous()}

    # Model A: OpenCLIP layout, reloaded by open_clip from the saved folder before anything is computed
    model_a, cfg_a = make_model(MODEL_A, vocab_size, 1)
    save_openclip(model_a, cfg_a, out / "openclip", tokenizer_json)
    reloaded, preprocess = reload_openclip(out / "openclip")
    pixels = torch.stack([preprocess(Image.open(out / "images" / n)) for n in IMAGES])
    img, ie, txt, te, logits = features(reloaded, pixels, ids)
    ref = features(model_a, pixels, ids)
    assert torch.equal(ref[1], ie) and torch.equal(ref[3], te), "open_clip's reload changed the model"
    for k, v in {"pixels": pixels, "image_features": img, "image_embeddings": ie, "text_features": txt,
                 "text_embeddings": te, "logits": logits}.items():
        expected["openclip." + k] = v.contiguous()

    # Model B: converted to Hugging Face's CLIPModel, saved by transformers
    model_b, cfg_b = make_model(MODEL_B, vocab_size, 2)
    eos = vocab_size - 1
    hf = to_hf(model_b, cfg_b, vocab_size, eos, vocab_size - 2)
    hdir = out / "hf"
    hf.save_pretrained(str(hdir), safe_serialization=True)
    (hdir / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    size = cfg_b["vision_cfg"]["image_size"]
    with open(hdir / "preprocessor_config.json", "w") as f:
        json.dump({"image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": size},
                   "resample": 3, "do_center_crop": True, "crop_size": {"height": size, "width": size},
                   "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
                   "image_mean": PREPROCESS["mean"], "image_std": PREPROCESS["std"], "do_convert_rgb": True},
                  f, indent=2)
    hf = transformers.CLIPModel.from_pretrained(str(hdir)).eval()
    # Hugging Face's own (Pillow) image processor: its centre crop truncates the offset where torchvision rounds
    processor = transformers.CLIPImageProcessorPil.from_pretrained(str(hdir))
    pixels_b = processor(images=[Image.open(out / "images" / n).convert("RGB") for n in IMAGES],
                         return_tensors="pt")["pixel_values"].float()
    img, ie, txt, te, logits = features(model_b, pixels_b, ids)
    with torch.no_grad():
        hf_img = hf.get_image_features(pixel_values=pixels_b)
        hf_txt = hf.get_text_features(input_ids=ids)
        hf_img = getattr(hf_img, "pooler_output", hf_img)
        hf_txt = getattr(hf_txt, "pooler_output", hf_txt)
    assert torch.allclose(hf_img, img, atol=1e-5), (hf_img - img).abs().max()
    assert torch.allclose(hf_txt, txt, atol=1e-5), (hf_txt - txt).abs().max()
    for k, v in {"pixels": pixels_b, "image_features": hf_img, "image_embeddings":
                 torch.nn.functional.normalize(hf_img, dim=-1), "text_features": hf_txt,
                 "text_embeddings": torch.nn.functional.normalize(hf_txt, dim=-1), "logits":
                 hf.logit_scale.exp() * torch.nn.functional.normalize(hf_img, dim=-1)
                 @ torch.nn.functional.normalize(hf_txt, dim=-1).T}.items():
        expected["hf." + k] = v.detach().contiguous()
    save_file(expected, str(out / "expected.safetensors"))
    tokenizer_json.unlink()

    with open(out / "fixture.json", "w") as f:
        json.dump({
            "texts": TEXTS, "images": list(IMAGES), "context_length": CONTEXT, "merges": MERGES,
            "vocab_size": vocab_size, "openclip_model_cfg": cfg_a, "hf_model_cfg": cfg_b,
            "preprocess_cfg": PREPROCESS,
            "versions": {"python": sys.version.split()[0], "torch": torch.__version__,
                         "open_clip_torch": open_clip.__version__, "transformers": transformers.__version__,
                         "tokenizers": tokenizers.__version__, "pillow": PIL.__version__,
                         "safetensors": safetensors.__version__, "numpy": np.__version__,
                         "torchvision": "shim (tools/torchvision_shim)"},
        }, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
