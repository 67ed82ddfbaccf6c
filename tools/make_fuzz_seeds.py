#!/usr/bin/env python3
"""Writes the seed inputs of the safetensors and tokenizer fuzz tests with the peer libraries themselves
(safetensors, tokenizers), so that the fuzzer starts from files those libraries write.

Run from the repository root: /work/venv/bin/python tools/make_fuzz_seeds.py
The other fuzz seeds (configs, dataset files) are copies of test resources and hand-written files; see
docs/fuzzing.md.
"""
import json
import os

import numpy as np
import safetensors
import tokenizers
from safetensors.numpy import save
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers

RES = "src/test/resources/org/pathoreason"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def safetensors_seeds():
    out = RES + "/model/io/SafetensorsFuzzTestInputs/anyBytesAsSafetensors/"
    rng = np.random.default_rng(0)
    write(out + "f32-two-tensors.safetensors", save(
        {"a": rng.standard_normal((2, 3)).astype(np.float32), "b": np.arange(5, dtype=np.float32)},
        metadata={"format": "pt"}))
    write(out + "mixed-dtypes.safetensors", save({
        "f16": np.array([1.5, -2.0, 65504.0], dtype=np.float16),
        "i64": np.array([[1, -2], [3, 2**40]], dtype=np.int64),
        "i32": np.array([7, -7], dtype=np.int32),
        "u8": np.array([0, 255, 3], dtype=np.uint8),
        "bool": np.array([True, False]),
        "scalar": np.array(3.25, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }))
    # BF16 has no numpy dtype: write the header by hand, as the format specifies
    header = json.dumps({"w": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
                         "__metadata__": {"written_by": "make_fuzz_seeds.py"}}).encode()
    header += b" " * (-len(header) % 8)
    write(out + "bf16.safetensors", len(header).to_bytes(8, "little") + header
          + np.array([0x3F80, 0xC000, 0x7F80, 0x0001], dtype="<u2").tobytes())


def tokenizer_seed():
    out = RES + "/text/TokenizerFuzzTestInputs/anyTextAsTokenizerFiles/"
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(["Is there invasion?", "The glands are crowded with atypical nuclei.",
                             "<think>mitoses</think><answer>yes</answer>"] * 4, trainer)
    write(out + "bpe-byte-level.json", tok.to_str().encode())


if __name__ == "__main__":
    print("safetensors", safetensors.__version__, "tokenizers", tokenizers.__version__, "numpy", np.__version__)
    safetensors_seeds()
    tokenizer_seed()
