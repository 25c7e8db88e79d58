"""The embedding model's vectors of the benchmarks' texts, remembered between runs.

Populating a benchmark's library embeds every section as consent does: for 10,000 documents that
is some 120,000 passages, about half an hour of the model's time. The vectors are the same every
time for the same text and model, so they are kept on disk (``BENCH_CACHE_DIR``, by default
``benchmarks/results/``, which git ignores) by the text's SHA-256, per model and limit of tokens,
and the model reads only texts it has not seen. What is measured (searching, grouping, a consent
through the app) still calls the model itself.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from search_index import embedding, minilm

_HELD: dict[bytes, np.ndarray] = {}
_LOADED: set[Path] = set()


def _file() -> Path:
    folder = Path(os.environ.get("BENCH_CACHE_DIR", Path(__file__).resolve().parent / "results"))
    return folder / f"vectors-{embedding.MODEL}-{minilm.MAX_TOKENS}.npz"


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _load(path: Path) -> None:
    if path in _LOADED or not path.exists():
        _LOADED.add(path)
        return
    with np.load(path) as data:
        keys, vectors = data["keys"], data["vectors"]
    _HELD.update({bytes(k): v for k, v in zip(keys, vectors, strict=True)})
    _LOADED.add(path)


def _save(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(_HELD), dtype="S32")
    vectors = np.array(list(_HELD.values()), dtype=np.float32).reshape(-1, embedding.DIMENSIONS)
    part = path.with_suffix(".part.npz")
    np.savez(part, keys=keys, vectors=vectors)
    part.replace(path)


@contextmanager
def remembered(disk: bool = True):
    """``embedding.embed`` answering from the remembered vectors, the model asked only for the
    texts it has not embedded before; what it adds is kept on disk at the end (``disk``: else in
    this process only, as the tests measuring relevance do)."""
    path = _file()
    if disk:
        _load(path)
    real = embedding.embed
    before = len(_HELD)

    def embed(texts, **options):
        keys = [_key(t or " ") for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in _HELD}
        if missing:
            _HELD.update(zip(missing, real(list(missing.values()), **options), strict=True))
        return np.array([_HELD[k] for k in keys], dtype=np.float32).reshape(-1, embedding.DIMENSIONS)

    embedding.embed = embed
    try:
        yield
    finally:
        embedding.embed = real
        if disk and len(_HELD) > before:
            _save(path)
