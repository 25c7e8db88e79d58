"""Starting from examples: the bank of key lines of enquiry, the outline, the starter document,
comparing and Word downloads draw only on what the caller may read."""

import io

import docx
import pytest

from library.challenges import reuse
from library.challenges import service as challenges
from library.core.errors import NotFound, ValidationError
from library.documents import publication
from tests.helpers import consent, publish

SECRET = "purple lantern"  # words only the region-scoped document holds
REGION_TEXT = """# Kingsmere SEND self-assessment

## Introduction

Our area and our children.

## Purple lantern arrangements

Our purple lantern protocol halves the wait for an assessment.

## What we think we do well

The purple lantern panel meets weekly and families value it.

## Key lines of enquiry we propose

1. Does the purple lantern protocol reach every family who needs it?
2. How well do partners share information about SEND?
"""
NATIONAL_TEXT = """# Ashcombe SEND self-assessment

## 1. Introduction

About Ashcombe.

## What we think we do well (SEND)

Joint commissioning works.

| Measure | Last year | This year |
| --- | --- | --- |
| EHC plans in 20 weeks | 41% | 63% |

## Key Lines of Enquiry

- Are EHC plans written with families?
- Is the local offer known to parents?

## What we will do next

- Review the panel
"""


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def library(app, db, people, make_document):
    challenge = challenges.create(
        db,
        people.kgm_contributor,
        challenges.ChallengeInput(
            "Purple lantern SEND challenge", 2025, ["send"], "The purple lantern protocol."
        ),
    )
    region = publish(
        app,
        db,
        people,
        make_document,
        REGION_TEXT,
        "region",
        challenge=challenge.id,
        title="Kingsmere SEND self-assessment",
        document_type="self-assessment",
        service_areas=["send"],
        year=2025,
    )
    national = publish(
        app,
        db,
        people,
        make_document,
        NATIONAL_TEXT,
        "national",
        who="ash",
        title="Ashcombe SEND self-assessment",
        document_type="self-assessment",
        service_areas=["send"],
        year=2024,
    )
    return {"region": region, "national": national, "challenge": challenge.id}


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _links(data: bytes) -> set[str]:
    """The addresses a Word document's links open."""
    document = docx.Document(io.BytesIO(data))
    return {rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")}


def _everything(db, person, library) -> list[str]:
    """Every output of this module (and the challenge pages' data) for ``person``, as text."""
    found = reuse.outline(db, person, "self-assessment", "send")
    own = ["Arrangements", "Key lines of enquiry", "What we think we do well"]  # typed by the reader
    headings = [g.heading for g in found.groups] + own
    total, bank = reuse.kloe_bank(db, person, reuse.KloeParams(per_page=100))
    starter = reuse.starter(
        db,
        person,
        reuse.StarterRequest("self-assessment", "send", headings, [k["id"] for k in bank], extracts=headings),
    )
    outputs = [str(found.as_json()), str(bank), _docx_text(starter.data)]
    browse, _n = challenges.browse(db, person, challenges.BrowseParams())
    outputs += [str([(c.title, c.focus) for c in browse])]
    for ids in ([library["region"], library["national"]],):
        try:
            outputs.append(str(reuse.compare(db, person, ids)))
        except NotFound:
            outputs.append("")
    return outputs


def test_a_reader_of_another_region_never_gets_a_region_scoped_documents_text(db, people, library):
    for output in _everything(db, people.brk_reader, library):
        assert SECRET not in output.lower()
    # The same calls by a reader of the region do hold it: the check above can fail.
    joined = "\n".join(_everything(db, people.ash_reader, library)).lower()
    assert "purple lantern protocol halves the wait" in joined
    assert "does the purple lantern protocol reach every family who needs it?" in joined


def test_key_lines_of_enquiry_are_found_at_consent_and_searchable(db, people, library):
    total, results = reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams(service_area="send"))
    texts = [r["text"] for r in results]
    assert total == 4
    assert "Are EHC plans written with families?" in texts
    hit = next(r for r in results if r["text"].startswith("Does the purple lantern"))
    assert hit["document"]["url"] == f"/documents/{library['region']}#section-5"
    assert hit["authority"]["code"] == "KGM" and hit["service_areas"] == ["send"] and hit["year"] == 2025
    assert reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams(q="LOCAL offer"))[0] == 1
    assert reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams(region="north-west"))[0] == 0
    assert reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams(year="2024"))[0] == 2
    with pytest.raises(ValidationError):
        reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams(service_area="nowhere"))


def test_withdrawing_removes_its_kloes_from_the_bank_and_from_any_later_starter(db, people, library):
    total, results = reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams())
    theirs = [r["id"] for r in results if r["document"]["id"] == library["region"]]
    assert len(theirs) == 2
    request = reuse.StarterRequest("self-assessment", "send", ["Introduction"], theirs)
    assert "purple lantern" in _docx_text(reuse.starter(db, people.ash_reader, request).data)
    publication.withdraw(db, people.kgm_approver, library["region"], "Superseded.")
    assert reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams())[0] == total - 2
    with pytest.raises(NotFound):
        reuse.starter(db, people.ash_reader, request)


def test_narrowing_the_scope_takes_kloes_out_of_other_authorities_view_at_once(db, people, library):
    document = db.get(__import__("library.core.models", fromlist=["Document"]).Document, library["region"])
    publication.change_scope(
        db, people.kgm_approver, document.id, "authority", document.current_version.text_hash
    )
    ids = [r["document"]["id"] for r in reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams())[1]]
    assert library["region"] not in ids
    ids = [r["document"]["id"] for r in reuse.kloe_bank(db, people.kgm_reader, reuse.KloeParams())[1]]
    assert library["region"] in ids


def test_a_new_version_replaces_its_kloes(app, db, people, library):
    from library.core.models import Document
    from library.documents import workspace

    document = db.get(Document, library["national"])
    document.extracted_text = NATIONAL_TEXT.replace(
        "Is the local offer known to parents?", "Is the offer clear?"
    )
    db.commit()
    workspace.accept_all(db, people.ash_contributor, document.id)
    consent(db, people.ash_approver, document.id, "national")
    texts = [r["text"] for r in reuse.kloe_bank(db, people.brk_reader, reuse.KloeParams())[1]]
    assert "Is the offer clear?" in texts and "Is the local offer known to parents?" not in texts


def test_the_outline_groups_the_examples_sections_most_common_first(db, people, library):
    found = reuse.outline(db, people.ash_reader, "self-assessment", "send").as_json()
    assert found["examples"] == 2
    counts = {s["heading"]: s["count"] for s in found["sections"]}
    # Numbering, case, a bracketed remark and "we propose" do not split a section.
    assert counts == {
        "Introduction": 2,
        "What we think we do well": 2,
        "Key Lines of Enquiry": 2,
        "Purple lantern arrangements": 1,
        "What we will do next": 1,
    }
    assert [s["count"] for s in found["sections"]] == [2, 2, 2, 1, 1]
    intro = next(s for s in found["sections"] if s["heading"] == "Introduction")
    assert {e["url"] for e in intro["examples"]} == {
        f"/documents/{library['region']}#section-2",
        f"/documents/{library['national']}#section-2",
    }
    assert found["sections"][-1]["count"] == 1


def test_the_outline_refuses_unknown_types_and_areas(db, people, library):
    for args in (
        ("no-type", "send"),
        ("self-assessment", "nowhere"),
        ("", "send"),
        ("self-assessment", None),
    ):
        with pytest.raises(ValidationError):
            reuse.outline(db, people.brk_reader, *args)
    assert reuse.outline(db, people.brk_reader, "action-plan", "send").as_json() == {
        "document_type": "action-plan",
        "service_area": "send",
        "examples": 0,
        "sections": [],
    }


def test_the_starter_holds_headings_prompts_kloes_and_examples_never_text_unless_asked(db, people, library):
    _total, bank = reuse.kloe_bank(db, people.brk_reader, reuse.KloeParams())
    made = reuse.starter(
        db,
        people.brk_reader,
        reuse.StarterRequest(
            "self-assessment",
            "send",
            ["What we will do next", "Introduction", "What we think we do well"],
            [bank[0]["id"]],
        ),
        "https://library.example",
    )
    document = docx.Document(io.BytesIO(made.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Introduction",
        "What we think we do well",
        "What we will do next",
        "Key lines of enquiry",
        "Examples we drew on",
    ]
    text = _docx_text(made.data)
    # Questions for each kind of section, not the same ones everywhere.
    assert "Why are we writing this, and who is it for?" in text
    assert "What do we do well here, and what difference does it make to children?" in text
    assert "What are our three or four priorities, and why these?" in text
    assert bank[0]["text"] in text and "Ashcombe County Council" in text
    # Links are links: the example and the key line's place in its document.
    links = _links(made.data)
    assert f"https://library.example/documents/{library['national']}" in links
    assert any(
        link.startswith(f"https://library.example/documents/{library['national']}#section-") for link in links
    )
    assert "Joint commissioning works." not in text and "About Ashcombe." not in text
    # Asked for, an extract comes with its attribution.
    made = reuse.starter(
        db,
        people.brk_reader,
        reuse.StarterRequest(
            "self-assessment", "send", ["What we think we do well"], [], extracts=["What we think we do well"]
        ),
    )
    text = _docx_text(made.data)
    assert "Extract from Ashcombe County Council's" in text
    assert "EHC plans in 20 weeks" in text  # the section's table, as a Word table


def test_a_starter_refuses_bad_requests(db, people, library):
    with pytest.raises(ValidationError):
        reuse.starter(db, people.brk_reader, reuse.StarterRequest("self-assessment", "send", []))
    with pytest.raises(ValidationError):
        reuse.starter(db, people.brk_reader, reuse.StarterRequest("no-type", "send", ["Introduction"]))
    with pytest.raises(ValidationError):
        reuse.starter(db, people.brk_reader, reuse.StarterRequest("self-assessment", "send", "Introduction"))
    _total, region_kloes = reuse.kloe_bank(db, people.ash_reader, reuse.KloeParams(q="lantern"))
    with pytest.raises(NotFound):
        reuse.starter(
            db,
            people.brk_reader,
            reuse.StarterRequest("self-assessment", "send", ["Introduction"], [region_kloes[0]["id"]]),
        )


def test_compare_aligns_sections_of_documents_of_one_type(db, people, library):
    result = reuse.compare(db, people.ash_reader, [library["region"], library["national"]])
    rows = dict(result.rows)
    assert rows["Introduction"][0][1] == "Our area and our children."
    assert rows["Introduction"][1][1] == "About Ashcombe."
    assert rows["Purple lantern arrangements"][1] is None
    with pytest.raises(NotFound):
        reuse.compare(db, people.brk_reader, [library["region"], library["national"]])
    with pytest.raises(ValidationError):
        reuse.compare(db, people.ash_reader, [library["national"]])


def test_the_word_download_is_the_published_text_with_headings_lists_and_tables(db, people, library):
    data = publication.download_docx(db, people.brk_reader, library["national"], "https://library.example")
    document = docx.Document(io.BytesIO(data))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Ashcombe SEND self-assessment") in styles
    assert ("Heading 2", "What we think we do well (SEND)") in styles
    assert ("List Bullet", "Are EHC plans written with families?") in styles
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["EHC plans in 20 weeks", "41%", "63%"]
    with pytest.raises(NotFound):
        publication.download_docx(db, people.brk_reader, library["region"])


def test_a_word_link_opens_its_address_and_only_web_or_mail_addresses_become_links():
    from library.core import word

    doc = word.new_document("Links")
    made = word.paragraph(doc, "Read ")
    word.link(made, "the example", "https://library.example/documents/7#section-2")
    word.run(made, " or ")
    word.link(made, "this", "javascript:alert(1)")
    data = word.to_bytes(doc)
    assert _links(data) == {"https://library.example/documents/7#section-2"}
    assert "Read the example or this" in _docx_text(data)
