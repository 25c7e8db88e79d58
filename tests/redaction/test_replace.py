from library.redaction import Span, apply, detect
from library.redaction.replace import person_numbers


def _apply(text: str) -> str:
    return apply(text, [Span(s.start, s.end, s.category, s.text) for s in detect(text)])


def test_the_same_person_keeps_the_same_label():
    text = (
        "Amelia Hughes was seen by Dr Marcus Bell. Amelia's mother, Claire Hughes, spoke to Marcus. "
        "Later AMELIA HUGHES moved."
    )
    assert _apply(text) == (
        "[PERSON 1] was seen by [PERSON 2]. [PERSON 1] mother, [PERSON 3], spoke to "
        "[PERSON 2]. Later [PERSON 1] moved."
    )


def test_category_labels():
    text = "Call 01632 960 415 or email a.b@c.gov.uk; NHS 943 476 5919, NI JT 48 29 17 C, DOB 03/04/2014."
    assert _apply(text) == (
        "Call [PHONE] or email [EMAIL]; NHS [NHS NUMBER], NI [NI NUMBER], DOB [DATE OF BIRTH]."
    )


def test_numbers_follow_first_appearance():
    numbers = person_numbers(["Priya Shah", "Amelia Hughes", "Amelia", "Priya"])
    assert numbers == {"Priya Shah": 1, "Amelia Hughes": 2, "Amelia": 2, "Priya": 1}


def test_overlapping_spans_merge():
    assert apply("abcdef", [Span(1, 4, "other", "bcd"), Span(2, 5, "other", "cde")]) == "a[REDACTED]f"


def test_no_hashes_of_names_in_the_output():
    out = _apply("Sarah Okafor wrote it.")
    assert out == "[PERSON 1] wrote it."


def test_a_warning_redacted_or_put_in_the_reviewers_own_words():
    text = "Child K, a 15-year-old wheelchair user at Larkfield House, met Amelia Hughes."
    found = detect(text)
    spans = [Span(s.start, s.end, s.category, s.text) for s in found]
    # The warning holds the case label; the label inside it takes no number of its own.
    assert apply(text, spans) == "[DETAILS REMOVED], met [PERSON 1]."
    own = [
        Span(s.start, s.end, s.category, s.text, "a teenager" if s.category == "indirect" else None)
        for s in found
    ]
    assert apply(text, own) == "a teenager, met [PERSON 1]."
