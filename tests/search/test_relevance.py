"""How well search ranks, on the sets of benchmarks/relevance: the development set and the
held-out set (never used to choose a rule or a setting). Floors a little under the figures
measured (README, "Search by meaning"), so that a change which makes ranking worse fails here."""

import pytest

from benchmarks import relevance

FLOORS = {
    # set: (nDCG@10 overall, own words, other words, misspelt, queries allowed to find nothing,
    #       off-topic queries allowed to find something)
    "dev": (0.68, 0.86, 0.40, 0.85, 0, 4),
    "heldout": (0.78, 0.82, 0.68, 0.88, 0, 3),
    "heldout2": (0.78, 0.83, 0.70, 0.82, 0, 5),
}
RELATED_FLOORS = {"dev": 0.92, "heldout": 0.88, "heldout2": 0.95}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_words_and_meaning_rank_above_the_floors(name):
    overall, own, other, misspelt, empty, off_topic = FLOORS[name]
    found = relevance.measure(name)
    assert found["ndcg"] >= overall, found
    assert found["by_kind"]["own"] >= own, found
    assert found["by_kind"]["other"] >= other, found
    assert found["by_kind"]["misspelt"] >= misspelt, found
    assert found["empty"] <= empty, found
    assert found["off_topic_found"] <= off_topic, found


def test_meaning_adds_to_words_alone():
    words = relevance.measure("heldout", hybrid_on=False)
    both = relevance.measure("heldout")
    assert both["ndcg"] >= words["ndcg"] + 0.1, (words, both)
    assert words["by_kind"]["other"] == 0.0  # the set's other words are in none of its documents
    assert both["empty"] < words["empty"]


def test_other_words_share_no_word_with_what_the_documents_say():
    for name in FLOORS:
        corpus = relevance.load(name)  # raises if a query in other words uses a topic's own words
        assert {q.kind for q in corpus.queries} == {"own", "other", "misspelt"}


@pytest.mark.parametrize("name", sorted(RELATED_FLOORS))
def test_related_documents_are_about_the_same_topic(name):
    found = relevance.measure_related(name)
    assert found["precision_at_5"] >= RELATED_FLOORS[name], found


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_outline_groups_sections_by_what_they_are_about(name):
    by_words = relevance.measure_outline(name, meaning_on=False)
    by_meaning = relevance.measure_outline(name)
    assert by_meaning["f1"] >= 0.95, by_meaning
    assert by_meaning["f1"] > by_words["f1"] + 0.1, (by_words, by_meaning)
