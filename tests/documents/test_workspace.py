"""The redaction rules: suggestions, decisions, manual redaction, term lists and the final check."""

import json

import pytest
from sqlalchemy import select

from library.core import audit, published
from library.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from library.core.models import AuditEvent, Redaction
from library.documents import upload, workspace
from library.extraction import Limits

TEXT = (
    "# Case study\n\nAmelia Hughes (DOB 03/04/2014) lives at 14 Mill Lane, Kingsmere KM3 7QT.\n"
    "Amelia's mother, Claire Hughes, called 01632 960 415. The MASH (front door) helped.\n"
    "Later HUGHES was named again, and Priya\nShah wrote to us.\n"
)


@pytest.fixture
def storage(app):
    return app.extensions["file_storage"]


@pytest.fixture
def doc(make_document):
    return make_document(
        TEXT,
        title="Amelia Hughes case study",
        summary="About Claire Hughes.",
        document_type="learning-summary",
        filename="case.md",
    )


def _pending(document):
    return [r for r in document.redactions if r.status == "suggested"]


def test_upload_runs_detection_on_text_title_and_summary(doc):
    fields = {r.field for r in doc.redactions}
    assert fields == {"text", "title", "summary"}
    values = {r.text for r in doc.redactions if r.field == "text"}
    assert {
        "Amelia Hughes",
        "03/04/2014",
        "14 Mill Lane, Kingsmere KM3 7QT",  # the street, the town and the postcode: one address
        "Amelia's",
        "Claire Hughes",
        "01632 960 415",
        "HUGHES",
        "Priya\nShah",
    } <= values
    assert all(r.source == "auto" and r.status == "suggested" for r in doc.redactions)


def test_accepting_a_name_redacts_every_form(app, db, doc, people):
    first = next(r for r in doc.redactions if r.text == "Amelia Hughes" and r.field == "text")
    # Reject the other forms first: accepting the name must still redact them.
    for r in doc.redactions:
        if r.text in ("Amelia's", "HUGHES"):
            r.status = "rejected"
    db.commit()
    with app.app_context():
        workspace.decide(db, people.kgm_contributor, doc.id, first.id, "accepted")
        text = published.redacted(doc)
    assert "Amelia" not in text and "HUGHES" not in text
    # Claire Hughes is another person: her own suggestion still waits for a decision.
    assert "Claire Hughes" in text
    assert "[PERSON 1] (DOB 03/04/2014)" in text
    assert "[PERSON 1] mother" in text
    assert "Later [PERSON 1] was named" in text
    assert "Amelia" not in published.redacted(doc, "title")


def test_accept_all_then_preview_and_final_check(app, db, doc, people):
    with app.app_context():
        count = workspace.accept_all(db, people.kgm_approver, doc.id)
        result = workspace.preview(doc)
        findings = workspace.final_check(db, doc)
    assert count > 0 and result.pending == 0 and result.reviewed == result.total
    for value in (
        "Amelia",
        "Hughes",
        "HUGHES",
        "03/04/2014",
        "14 Mill Lane",
        "KM3 7QT",
        "01632 960 415",
        "Priya",
    ):
        assert value not in result.text
    assert "The MASH (front door) helped." in result.text
    assert result.title == "[PERSON 1] case study"
    assert findings == []


def test_a_kept_value_passes_the_final_check(app, db, doc, people):
    phone = next(r for r in doc.redactions if r.category == "phone")
    claire = [r for r in doc.redactions if r.text == "Claire Hughes"]
    with app.app_context():
        workspace.decide(db, people.kgm_contributor, doc.id, phone.id, "rejected")
        workspace.decide_value(db, people.kgm_contributor, doc.id, "Claire Hughes", "rejected")
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        findings = workspace.final_check(db, doc)
        state = workspace.check_state(db, doc)
    assert "01632 960 415" in published.redacted(doc) and "Claire Hughes" in published.redacted(doc)
    assert {r.status for r in claire} == {"rejected"}
    assert findings == [] and state.passes


def test_a_value_redacted_in_one_place_and_kept_in_another_is_found(app, db, doc, people):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        # Someone keeps one occurrence of a redacted value by its offsets.
        summary = next(r for r in doc.redactions if r.field == "summary" and r.text == "Claire Hughes")
        summary.status = "rejected"
        db.commit()
        findings = workspace.final_check(db, doc)
    assert [(f.field, f.text, f.reason) for f in findings] == [
        ("summary", "Claire Hughes", "redacted in one place and kept in another")
    ]
    # The finding says where it is in the original text of its field.
    assert (findings[0].source_start, findings[0].source_end) == (summary.start, summary.end)


def test_final_check_findings_point_into_the_original_text(app, db, doc, people):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        workspace.add_term(db, people.kgm_contributor, "front door", "always", "other")
        findings = workspace.final_check(db, doc)
    assert [(f.text, f.reason) for f in findings] == [("front door", "still detected")]
    found = findings[0]
    assert TEXT[found.source_start : found.source_end] == "front door"
    assert published.redacted(doc)[found.start : found.end] == "front door"


def test_check_state_is_kept_until_something_it_reads_changes(app, db, doc, people):
    with app.app_context():
        assert workspace.check_state(db, doc).pending == len(doc.redactions)
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        assert workspace.check_state(db, doc).passes
        first = doc.check.checked_at
        assert workspace.check_state(db, doc).passes and doc.check.checked_at == first
        # A new always-redact term changes what the check finds.
        workspace.add_term(db, people.kgm_contributor, "MASH", "always", "other")
        state = workspace.check_state(db, doc)
    assert not state.passes and state.findings == 1


def test_keeping_can_add_the_value_to_the_never_redact_list(app, db, doc, people):
    phone = next(r for r in doc.redactions if r.category == "phone")
    with app.app_context():
        workspace.decide(db, people.kgm_contributor, doc.id, phone.id, "rejected", never_redact=True)
        workspace.decide_value(
            db, people.kgm_contributor, doc.id, "claire hughes", "rejected", never_redact=True
        )
        # Asking twice adds it once.
        workspace.decide(db, people.kgm_contributor, doc.id, phone.id, "rejected", never_redact=True)
        terms = [(t.kind, t.term) for t in workspace.list_terms(db, people.kgm_contributor)]
    assert sorted(terms) == [("never", "01632 960 415"), ("never", "Claire Hughes")]
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action == "term.added")).all()
    assert len(actions) == 2


def test_a_value_decided_everywhere_and_a_whole_category(app, db, doc, people):
    with app.app_context():
        # Keep, then change one's mind: the value is redacted everywhere, decided or not.
        workspace.decide_value(db, people.kgm_contributor, doc.id, "Claire Hughes", "rejected")
        assert workspace.decide_value(db, people.kgm_contributor, doc.id, "CLAIRE hughes", "accepted") == 2
        assert {r.status for r in doc.redactions if r.text == "Claire Hughes"} == {"accepted"}
        assert workspace.decide_category(db, people.kgm_contributor, doc.id, "phone") == 1
        with pytest.raises(ValidationError, match="still to review"):
            workspace.decide_category(db, people.kgm_contributor, doc.id, "phone")
        with pytest.raises(ValidationError, match="Unknown category"):
            workspace.decide_category(db, people.kgm_contributor, doc.id, "shoe_size")
    assert {r.status for r in doc.redactions if r.category == "phone"} == {"accepted"}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "redaction.accepted_category")).one()
    assert event.details == {"category": "phone", "count": 1}


def test_decide_value_accepts_every_pending_occurrence(app, db, doc, people):
    with app.app_context():
        assert workspace.decide_value(db, people.kgm_contributor, doc.id, "claire HUGHES", "rejected") == 2
    assert {r.status for r in doc.redactions if r.text == "Claire Hughes"} == {"rejected"}
    with app.app_context(), pytest.raises(ValidationError):
        workspace.decide_value(db, people.kgm_contributor, doc.id, "nobody at all", "accepted")


def test_manual_redaction_of_every_occurrence(app, db, doc, people):
    with app.app_context():
        made = workspace.add_manual(db, people.kgm_contributor, doc.id, text="(front door)", category="other")
    assert [r.text for r in made] == ["(front door)"]
    assert "The MASH [REDACTED] helped." in published.redacted(doc)


def test_manual_redaction_by_offsets(app, db, doc, people):
    start = TEXT.index("MASH")
    with app.app_context():
        made = workspace.add_manual(
            db, people.kgm_contributor, doc.id, start=start, end=start + 4, category="other"
        )
    assert made[0].text == "MASH" and made[0].source == "manual" and made[0].status == "accepted"


def test_manual_name_spreads_to_its_forms(app, db, doc, people):
    with app.app_context():
        workspace.add_manual(db, people.kgm_contributor, doc.id, text="Claire Hughes", category="person")
    accepted = {r.text for r in doc.redactions if r.status == "accepted"}
    assert {"Claire Hughes", "HUGHES"} <= accepted
    text = published.redacted(doc)
    assert "Claire" not in text and "HUGHES" not in text
    assert "Amelia Hughes (DOB" in text  # another person, still only suggested


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"text": ""}, "Enter the text to redact."),
        ({"text": "   "}, "Enter the text to redact."),
        ({"text": "a"}, "at least two characters"),
        ({"text": "Zebedee"}, "is not in the text"),
        ({"text": ".*"}, "is not in the text"),
        ({"text": "MASH", "category": "secret"}, "Unknown category"),
        ({"start": 5, "end": 2}, "start must come before end"),
        ({"start": 0, "end": 10_000}, "outside the text"),
        ({"start": -1, "end": 3}, "start must come before end"),
        ({"start": "1", "end": 3}, "whole numbers"),
        ({"start": None, "end": None}, "whole numbers"),
    ],
)
def test_bad_manual_redactions_change_nothing(app, db, doc, people, kwargs, message):
    before = [(r.id, r.status) for r in doc.redactions]
    args = {"text": None, **kwargs}
    # 400 for what was sent, 409 for what this document's text makes of it (not in it, past its end)
    with app.app_context(), pytest.raises((ValidationError, Conflict), match=message):
        workspace.add_manual(db, people.kgm_contributor, doc.id, **args)
    db.rollback()
    db.expire_all()
    assert [(r.id, r.status) for r in db.scalars(select(Redaction).order_by(Redaction.id))] == sorted(before)


def test_overlapping_span_is_refused(app, db, doc, people):
    start = TEXT.index("Amelia Hughes")
    with app.app_context(), pytest.raises(Conflict, match="overlaps redaction"):
        workspace.add_manual(db, people.kgm_contributor, doc.id, start=start + 2, end=start + 9)


def test_regex_metacharacters_are_literal(app, db, doc, people):
    with app.app_context():
        made = workspace.add_manual(db, people.kgm_contributor, doc.id, text="MASH (front", category="other")
    assert made[0].text == "MASH (front"


def test_only_owners_who_edit_may_redact(app, db, doc, people):
    for who in ("kgm_reader", "ash_contributor", "admin"):
        with app.app_context(), pytest.raises((NotFound, PermissionDenied)):
            workspace.accept_all(db, people[who], doc.id)


def test_audit_trail_has_decisions_but_never_the_values(app, db, doc, people):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        workspace.add_manual(db, people.kgm_contributor, doc.id, text="front door", category="other")
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action.like("redaction.%"))))
    assert {"redaction.detected", "redaction.accepted_all", "redaction.added"} <= {e.action for e in events}
    added = next(e for e in events if e.action == "redaction.added")
    assert added.details["category"] == "other" and added.details["rule"] == "manual"
    assert len(added.details["value_hash"]) == 32
    dumped = json.dumps([e.details for e in events])
    for value in ("front door", "Amelia", "Hughes", "03/04/2014", "01632"):
        assert value not in dumped


def test_term_lists(app, db, storage, people):
    with app.app_context():
        workspace.add_term(db, people.kgm_approver, "Oak Tree Nursery", "always", "school")
        workspace.add_term(db, people.kgm_approver, "Grace Darling House", "never")
        doc = upload.upload_document(
            db,
            storage,
            people.kgm_contributor,
            upload.UploadInput(
                title="Notes",
                document_type="action-plan",
                service_areas=["early-help"],
                filename="n.md",
                data=b"Oak tree nursery and Grace Darling House.\n",
            ),
            Limits(),
        )
    assert [(r.text, r.category, r.rule) for r in doc.redactions] == [
        ("Oak tree nursery", "school", "authority-term")
    ]
    assert [t.term for t in workspace.list_terms(db, people.kgm_contributor)] == [
        "Oak Tree Nursery",
        "Grace Darling House",
    ]
    # Another authority's lists are its own.
    assert workspace.list_terms(db, people.ash_contributor) == []


@pytest.mark.parametrize(
    "term,kind,message",
    [
        ("", "always", "Enter a term."),
        ("x", "always", "at least two characters"),
        ("..", "always", "at least one letter"),
        ("Fine", "sometimes", "Choose 'always' or 'never'"),
        ("Fine", "always", None),
    ],
)
def test_bad_terms(app, db, people, term, kind, message):
    with app.app_context():
        if message is None:
            workspace.add_term(db, people.kgm_contributor, term, kind)
            with pytest.raises(Conflict, match="already on the list"):
                workspace.add_term(db, people.kgm_contributor, term.upper(), kind)
        else:
            with pytest.raises(ValidationError, match=message):
                workspace.add_term(db, people.kgm_contributor, term, kind)


def test_readers_cannot_manage_terms(app, db, people):
    with app.app_context(), pytest.raises(PermissionDenied):
        workspace.add_term(db, people.kgm_reader, "Something", "always")
    with app.app_context(), pytest.raises(NotFound):
        workspace.delete_term(db, people.kgm_contributor, 999)


# Warnings about combinations of details ----------------------------------------------------------

CASE = (
    "# Case study\n\nChild K, a 15-year-old wheelchair user at Larkfield House, told us the new worker "
    "listened. Amelia Hughes agreed.\n\n38% of children in care were placed out of area.\n"
)


@pytest.fixture
def case(make_document):
    return make_document(CASE, title="Case study", filename="case.md")


def _warning(document):
    return next(r for r in document.redactions if r.category == "indirect")


def test_warnings_are_suggestions_with_a_reason_that_block_consent(app, db, case, people):
    from library.core.errors import Conflict
    from tests.helpers import consent

    warning = _warning(case)
    assert warning.text.startswith("Child K, a 15-year-old wheelchair user") and warning.status == "suggested"
    assert warning.reason == "a case-study label, an exact age, a disability and a named setting"
    assert len([r for r in case.redactions if r.category == "indirect"]) == 1  # not the 38%
    with app.app_context():
        for r in case.redactions:
            if r.id != warning.id:
                workspace.decide(db, people.kgm_contributor, case.id, r.id, "accepted")
        with pytest.raises(Conflict):
            consent(db, people.kgm_approver, case.id, "region")


def test_generalising_puts_the_reviewers_words_where_readers_read(app, db, case, people):
    from tests.helpers import consent

    warning = _warning(case)
    with app.app_context():
        workspace.generalise(
            db, people.kgm_contributor, case.id, warning.id, "  a  teenager with a disability "
        )
        workspace.accept_all(db, people.kgm_contributor, case.id)
        text = published.redacted(case)
        assert workspace.final_check(db, case) == []
        version = consent(db, people.kgm_approver, case.id, "region")
        expected_hash = audit.value_hash(db, "a teenager with a disability")
    assert warning.status == "accepted" and warning.replacement == "a teenager with a disability"
    assert "a teenager with a disability, told us the new worker listened. [PERSON 1] agreed." in text
    assert "Larkfield" not in text and "Child K" not in text
    assert version.text == text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "redaction.generalised")).one()
    assert event.details["edit"] == "manual" and event.details["category"] == "indirect"
    assert event.details["value_hash"] != event.details["replacement_hash"]
    assert event.details["replacement_hash"] == expected_hash
    assert "teenager" not in json.dumps(event.details) and "Larkfield" not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("   ", "Enter the words readers will see instead."),
        ("x" * 201, "Enter 200 characters or fewer."),
        ("a teenager who knows Amelia Hughes", "name of a person"),
        ("a teenager, call 01632 960 415", "phone number"),
    ],
)
def test_generalising_refuses_empty_long_or_identifying_words(app, db, case, people, words, message):
    warning = _warning(case)
    with app.app_context(), pytest.raises(ValidationError) as caught:
        workspace.generalise(db, people.kgm_contributor, case.id, warning.id, words)
    assert message in caught.value.message
    assert warning.status == "suggested" and warning.replacement is None


def test_names_keep_their_labels_and_a_later_decision_drops_the_words(app, db, case, people):
    warning = _warning(case)
    name = next(r for r in case.redactions if r.text == "Amelia Hughes")
    with app.app_context():
        with pytest.raises(Conflict):  # a name: what the suggestion is, not what was sent
            workspace.generalise(db, people.kgm_contributor, case.id, name.id, "a parent")
        workspace.generalise(db, people.kgm_contributor, case.id, warning.id, "a teenager")
        workspace.decide(db, people.kgm_contributor, case.id, warning.id, "rejected")
    assert warning.status == "rejected" and warning.replacement is None


def test_keeping_a_warning_does_not_excuse_a_name_inside_it(app, db, case, people):
    warning = _warning(case)
    label = next(r for r in case.redactions if r.text == "Child K" and r.category == "person")
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, case.id)
        workspace.decide(db, people.kgm_contributor, case.id, warning.id, "rejected")
        for age in [r for r in case.redactions if r.category == "age"]:  # the age stays with the warning
            workspace.decide(db, people.kgm_contributor, case.id, age.id, "rejected")
        # The case label inside the kept warning is redacted elsewhere, then kept here by hand.
        label.status = "rejected"
        db.commit()
        assert workspace.final_check(db, case) == []  # kept on purpose, as a value
        label.status = "accepted"
        db.commit()
        text = published.redacted(case)
        assert "[PERSON 1], a 15-year-old wheelchair user at Larkfield House" in text
        assert workspace.final_check(db, case) == []


def test_redacting_a_warning_settles_what_is_inside_it(app, db, case, people):
    warning = _warning(case)
    label = next(r for r in case.redactions if r.text == "Child K" and r.category == "person")
    other = next(r for r in case.redactions if r.text == "Amelia Hughes")
    with app.app_context():
        workspace.generalise(db, people.kgm_contributor, case.id, warning.id, "a teenager")
    # The case label inside it is redacted too (readers never get it); the name outside waits.
    assert label.status == "accepted" and other.status == "suggested"


def test_redacting_words_inside_a_warning_leaves_the_warning_to_decide(app, db, case, people):
    warning = _warning(case)
    with app.app_context():
        made = workspace.add_manual(
            db, people.kgm_contributor, case.id, text="Larkfield House", category="place"
        )
    assert made and warning.status == "suggested"
