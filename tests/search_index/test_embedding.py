"""The quick model's vectors are WordLlama's own, read from its package's files."""

from pathlib import Path

import numpy as np

from search_index import embedding


def test_quick_vectors_are_the_ones_wordllamas_loader_gives():
    import wordllama
    from wordllama import WordLlama

    folder = Path(wordllama.__file__).parent
    model = WordLlama.load(config="l2_supercat", dim=256, cache_dir=folder, disable_download=True)
    texts = [
        "Permanent exclusions rose again, mostly of boys in years 9 and 10.",
        "grandmothers raising their grandchildren",
        "EHCPs issued within 20 weeks. " * 10,
    ]
    theirs = model.embed(texts)
    theirs = theirs / np.linalg.norm(theirs, axis=1, keepdims=True)
    ours = embedding.embed_quickly(texts)
    assert ours.shape == (3, embedding.QUICK_DIMENSIONS)
    assert np.allclose(ours, theirs, atol=1e-5)


def test_quick_vectors_of_sentences_that_say_the_same_are_close():
    same, other = (
        embedding.embed_quickly(["Waiting times for CAMHS are too long.", "CAMHS waiting times are long."]),
        embedding.embed_quickly(["The corporate parenting board meets quarterly."]),
    )
    assert float(same[0] @ same[1]) > float(same[0] @ other[0]) + 0.2


def test_remembered_vectors_are_the_models_and_the_oldest_are_forgotten(monkeypatch):
    monkeypatch.setattr(embedding, "_REMEMBERED_MOST", 3)
    monkeypatch.setattr(embedding, "_remembered", embedding.OrderedDict())
    asked = []
    real = embedding.embed
    monkeypatch.setattr(embedding, "embed", lambda texts, **kw: asked.append(list(texts)) or real(texts))
    texts = ["Workforce", "Next steps", "Workforce", "Our context"]
    got = embedding.embed_remembered(texts)
    assert asked == [["Workforce", "Next steps", "Our context"]]  # each once
    assert np.allclose(got, real(texts), atol=1e-6)
    embedding.embed_remembered(["Next steps"])
    assert len(asked) == 1  # remembered
    embedding.embed_remembered(["Voice of children"])  # the fourth: the least recent goes
    assert list(embedding._remembered) == ["Our context", "Next steps", "Voice of children"]
