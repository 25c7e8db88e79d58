"""Fusing the word index's ranking with meaning's, and the fallback to most of the words."""

from library.search.hybrid import fuse, most_words


def test_fusion_ranks_what_both_lists_agree_on_first():
    assert fuse([1, 2, 3], [3, 1, 4]) == [1, 3, 2, 4]
    assert fuse([], [7, 8]) == [7, 8]


def test_most_words_is_any_of_the_plain_words_asked():
    assert most_words("teenagers exploitation panel") == "teenagers OR exploitation OR panel"
    assert most_words("exploitation") is None  # one word: nothing to loosen
    assert most_words('"edge of care" plans') is None  # a phrase is asked for as written
    assert most_words("hubs NOT early") is None
