"""What readers would get of a peer challenge's details."""

from library.core.models import Challenge, ChallengeRedaction
from library.core.published import challenge_detail


def _challenge(focus: str, *rows: ChallengeRedaction) -> Challenge:
    challenge = Challenge(title="Front door", focus=focus)
    challenge.redactions = list(rows)
    return challenge


def test_a_redacted_name_in_the_focus_gets_its_label():
    row = ChallengeRedaction(
        field="focus", start=7, end=20, text="Amelia Hughes", category="person", status="accepted"
    )
    assert challenge_detail(_challenge("Led by Amelia Hughes", row), "focus") == "Led by [PERSON 1]"
    assert challenge_detail(_challenge("Led by Amelia Hughes", row), "title") == "Front door"


def test_a_decision_on_words_no_longer_there_redacts_nothing_else():
    row = ChallengeRedaction(
        field="focus", start=7, end=20, text="Amelia Hughes", category="person", status="accepted"
    )
    # The focus was rewritten after the decision: the old offsets would cut through other words.
    assert challenge_detail(_challenge("Amelia Hughes led the review", row), "focus") == (
        "Amelia Hughes led the review"
    )
