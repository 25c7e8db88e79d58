"""What a starter says under each section: questions for that kind of section and document type,
the points most examples make there, an extract chosen for substance, key lines by theme."""

import io

import docx
import pytest

from library.challenges import reuse
from library.challenges import starter as starting
from tests.helpers import publish

FALLBACK = ["What will we do next?"]


def test_each_kind_of_section_gets_its_own_questions_for_the_document_type():
    workforce = starting.kind_of("Staff turnover and caseloads", [])
    voice_kind = starting.kind_of("Hearing the views of young people", [])
    assert workforce.name == "workforce" and voice_kind.name == "voice"
    own = starting.prompts(workforce, "Staff turnover and caseloads", "self-assessment", FALLBACK)
    team = starting.prompts(workforce, "Staff turnover and caseloads", "feedback-letter", FALLBACK)
    voice = starting.prompts(voice_kind, "Hearing the views of young people", "self-assessment", FALLBACK)
    assert own != team and own != voice  # written for the section and for the document type
    assert len({*own, *team, *voice}) == len(own) + len(team) + len(voice)


def test_a_section_of_no_known_kind_gets_questions_naming_it():
    assert starting.kind_of("Home to school transport", []) is None
    questions = starting.prompts(None, "Home to school transport", "self-assessment", FALLBACK)
    assert sum("home to school transport" in q for q in questions) == 2 and questions[-1] == FALLBACK[0]


def test_a_heading_as_close_to_two_kinds_is_neither():
    one = starting.Kind("one", ("Our strengths",), ())
    two = starting.Kind("two", ("Our strengths and weaknesses",), ())
    other = starting.Kind("three", ("Our strengths",), ("weakness",))
    assert starting.recognise(["Our strengths"], (one, two), 0.5) == [one]
    assert starting.recognise(["Our strengths"], (one, one), 0.5) == [None]  # no margin between them
    assert starting.recognise(["Strengths and weaknesses"], (one, other), 0.5) == [other]  # the word decides


PHRASES = {
    # Three ways of making the same point, then points only one example makes.
    "waits": [
        "Children with special educational needs now wait far less time for an assessment than last year.",
        "The wait for a special educational needs assessment has fallen sharply since last year.",
        "Children wait much less time for their special educational needs assessment than a year ago.",
    ],
}


def _sections() -> dict[int, str]:
    waits = PHRASES["waits"]
    return {
        1: f"{waits[0]} Our parent carer forum helps us design every new service for families.",
        2: f"Schools tell us the outreach team is the best thing we have done in years. {waits[1]}",
        3: f"- {waits[2]}\n- The youth council interviewed every candidate for the head of service post.",
        4: "[PERSON 1] leads the panel and can be reached on [PHONE] or at [EMAIL] for any question at all.",
    }


def test_the_points_most_examples_make_are_listed_with_how_many_make_each():
    points, made = starting.common_points(_sections())
    assert len(points) == 1
    assert (
        points[0].text in PHRASES["waits"]
        and points[0].count == 3
        and sorted(points[0].documents) == [1, 2, 3]
    )
    assert made == {1: 1, 2: 1, 3: 1, 4: 0}


def test_a_sentence_with_a_redaction_label_or_about_the_document_is_never_a_point():
    assert not starting.is_point("[PERSON 1] chairs the panel that meets every week to agree plans.")
    assert not starting.is_point("This section sets out how we plan to improve our services for families.")
    assert not starting.is_point("Is the local offer known to parents and carers across the borough?")
    assert starting.is_point("The panel meets every week to agree plans with families and schools.")
    one = {1: _sections()[1], 2: "Short."}
    assert starting.common_points(one) == ([], {1: 0, 2: 0})  # a point one example makes is not listed


BOILERPLATE = "\n\n".join(
    f"For this section contact [PERSON {n}] on [PHONE] or [EMAIL], or write to the team at [ADDRESS]."
    for n in range(1, 5)
)
SUBSTANCE = (
    "We rebuilt the front door around a single conversation with each family. Social workers and "
    "early help workers sit together and agree the next step the same day.\n\n"
    "Re-referrals fell from 24% to 17% in a year, and families say they tell their story once."
)


def test_the_extract_is_the_section_of_substance_not_the_boilerplate_or_the_labels():
    assert not starting.substance(BOILERPLATE).readable
    assert starting.substance(SUBSTANCE).readable
    repeated = "\n\n".join(["We meet every week to review plans for every child on the list."] * 4)
    assert starting.substance(repeated).repeated > starting.EXTRACT_MAX_REPEATED
    assert starting.choose_extract({1: BOILERPLATE, 2: SUBSTANCE, 3: repeated}, {}) == 2
    assert starting.choose_extract({1: BOILERPLATE, 3: repeated, 4: "Too short."}, {}) is None


def test_key_lines_of_enquiry_are_grouped_by_theme():
    questions = [
        "How stable is the social work workforce, and are caseloads manageable?",
        "Are EHC plans issued within 20 weeks?",
        "Do newly qualified social workers get good supervision?",
        "Why does the sky look blue on a clear summer afternoon?",
    ]
    groups = dict(starting.by_theme(questions))
    assert groups["Workforce"] == [0, 2]
    assert groups["Education, inclusion and SEND"] == [1]
    assert list(groups)[-1] == starting.OTHER_THEME and groups[starting.OTHER_THEME] == [3]


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


def _paragraphs(data: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_a_starter_made_from_examples_lists_their_common_points_and_a_clean_extract(
    app, db, people, make_document
):
    waits = PHRASES["waits"]
    bodies = [
        f"{waits[0]} Our parent carer forum helps us design every new service for families.",
        f"Schools tell us the outreach team is the best thing we have done in years. {waits[1]}",
        f"{waits[2]} The youth council interviewed every candidate for the head of service post.",
    ]
    for n, body in enumerate(bodies):
        contact = BOILERPLATE if n == 0 else SUBSTANCE
        publish(
            app,
            db,
            people,
            make_document,
            f"# SEND {n}\n\n## What we do well\n\n{body}\n\n## Front door\n\n{contact}\n",
            "national",
            title=f"SEND self-assessment {n}",
            document_type="self-assessment",
            service_areas=["send"],
        )
    made = reuse.starter(
        db,
        people.brk_reader,
        reuse.StarterRequest(
            "self-assessment",
            "send",
            ["What we do well", "Our strengths", "Front door"],
            extracts=["Front door"],
        ),
        "https://library.example",
    )
    paragraphs = _paragraphs(made.data)
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == [
        "What we do well",
        "Front door",
        "Examples we drew on",
    ]  # "Our strengths": one concept
    texts = [text for _style, text in paragraphs]
    assert "“Our strengths” is under “What we do well”: the examples use them for the same thing." in texts
    point = next(t for t in texts if t.startswith(tuple(waits)))
    assert point.endswith("(3 of 3)")
    front_door = texts[texts.index("Front door") :]
    assert any("single conversation with each family" in t for t in front_door)
    assert not any("[PHONE]" in t for t in texts)


def test_sections_and_key_lines_are_recognised_as_measured():
    """Floors a little under the figures measured (README, "The starter"); 'heldout' was never tuned on."""
    from benchmarks import relevance

    found = relevance.measure_starter()
    floors = {  # (part, what): (right at least, wrong at most)
        ("dev", "headings"): (32, 3),
        ("heldout", "headings"): (19, 3),
        ("dev", "kloes"): (16, 2),
        ("heldout", "kloes"): (13, 4),
    }
    for key, (right, wrong) in floors.items():
        assert found[key]["right"] >= right and found[key]["wrong"] <= wrong, (key, found[key])
