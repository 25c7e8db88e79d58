"""Meaning as well as words: sentence embeddings from a model that ships in its package.

The model is WordLlama (``wordllama``: 256 dimensions, 16 MB of weights and its tokenizer in the
wheel, numpy only), loaded from the package's own folder with downloads disabled, once per
process. Chosen by measurement on ``benchmarks/relevance`` (README, "Search by meaning"): on the
development set all-MiniLM-L6-v2 ranked queries in other words better (nDCG@10 0.45 against 0.32)
and misspelt ones worse (0.66 against 0.81), and took about a thousand times as long to embed
(180 s against 0.19 s for 1,051 sections, run the same way), far past the budget of 2 s for a
20-page document.

Vectors are float32 and of unit length, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from functools import lru_cache
from pathlib import Path

os.environ.setdefault(
    "OPENBLAS_NUM_THREADS", "1"
)  # small products: one thread is faster (library/__init__.py)

import numpy as np  # noqa: E402 - after the setting above

log = logging.getLogger(__name__)
DIMENSIONS = 256
MODEL = "wordllama l2_supercat 256"
SECTION_CHARS = 1500  # what of a section is embedded: its heading and its opening
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    import wordllama
    from wordllama import WordLlama

    with _lock:
        folder = Path(wordllama.__file__).parent  # the weights and tokenizer the wheel carries
        model = WordLlama.load(config="l2_supercat", dim=DIMENSIONS, cache_dir=folder, disable_download=True)
        log.info("loaded the embedding model (%s)", MODEL)
        return model


def warm() -> None:
    """Load the model now (a worker's parent before it forks, or a process at start)."""
    _model()


def embed(texts: list[str]) -> np.ndarray:
    """One unit vector a text, as rows of a (len(texts), DIMENSIONS) float32 array."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model().embed([t or " " for t in texts]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


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
