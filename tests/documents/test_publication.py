"""Consent, versions, scope changes, withdrawal and take-down."""

import pytest
from sqlalchemy import select

from library.core import audit, published
from library.core.errors import Conflict, ContentChanged, NotFound, PermissionDenied, ValidationError
from library.core.models import AuditEvent, DocumentVersion
from library.documents import publication, upload, workspace
from tests.helpers import consent

TEXT = b"# Plan\n\nAmelia Hughes (DOB 03/04/2014) was seen by the MASH.\n"


@pytest.fixture
def doc(make_document):
    return make_document(TEXT, title="Action plan", summary="Our plan.", year=2025, filename="plan.md")


@pytest.fixture
def reviewed(app, db, doc, people):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
    return doc


def test_consent_publishes_the_exact_redacted_text(app, db, reviewed, people):
    with app.app_context():
        version = consent(db, people.kgm_approver, reviewed.id, "region", True)
    assert reviewed.status == "published" and reviewed.scope == "region" and reviewed.published_at
    assert version.number == 1 and version.is_current
    assert version.text == "# Plan\n\n[PERSON 1] (DOB [DATE OF BIRTH]) was seen by the MASH.\n"
    assert "Amelia" not in version.text and version.title == "Action plan"
    assert version.text_hash == published.snapshot(reviewed).content_hash
    assert "South East" in version.statement and "Kingsmere Borough Council" in version.statement
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "consent.given")).one()
    assert event.details["scope"] == "region" and event.details["text_hash"] == version.text_hash


def test_consent_is_refused_while_suggestions_are_pending(app, db, doc, people):
    with app.app_context(), pytest.raises(Conflict, match="still to review"):
        consent(db, people.kgm_approver, doc.id, "national", True)
    assert doc.status == "draft"


def test_consent_is_refused_when_the_final_check_finds_something(app, db, doc, people):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        # A term added to the authority's always-redact list after the review.
        workspace.add_term(db, people.kgm_contributor, "MASH", "always", "other")
        with pytest.raises(Conflict, match="final redaction check"):
            consent(db, people.kgm_approver, doc.id, "national", True)


@pytest.mark.parametrize(
    "who,scope,confirm,error",
    [
        ("kgm_contributor", "region", True, PermissionDenied),
        ("ash_contributor", "region", True, NotFound),
        ("kgm_reader", "region", True, NotFound),
        ("admin", "region", True, NotFound),
        ("kgm_approver", "region", False, ValidationError),
        ("kgm_approver", "planet", True, ValidationError),
        ("kgm_approver", None, True, ValidationError),
    ],
)
def test_bad_consent(app, db, reviewed, people, who, scope, confirm, error):
    with app.app_context(), pytest.raises(error):
        consent(db, people[who], reviewed.id, scope, confirm)
    assert reviewed.status == "draft" and not reviewed.versions


def test_another_approver_of_the_region_may_not_consent_to_a_published_document(app, db, reviewed, people):
    other = people.ash_contributor
    other.role = "approver"
    db.commit()
    with app.app_context():
        consent(db, people.kgm_approver, reviewed.id, "region", True)
        with pytest.raises(PermissionDenied):
            publication.change_scope(db, other, reviewed.id, "national", reviewed.current_version.text_hash)


def test_consent_again_to_the_same_version_is_a_conflict_but_a_new_scope_is_a_change(
    app, db, reviewed, people
):
    with app.app_context():
        consent(db, people.kgm_approver, reviewed.id, "authority", True)
        with pytest.raises(Conflict, match="already shared"):
            consent(db, people.kgm_approver, reviewed.id, "authority", True)
        consent(db, people.kgm_approver, reviewed.id, "national", True)
    assert reviewed.scope == "national" and len(reviewed.versions) == 1
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["consent.given", "consent.scope_changed"]


def test_edits_after_consent_make_a_new_draft_version(app, db, reviewed, people):
    with app.app_context():
        first = consent(db, people.kgm_approver, reviewed.id, "region", True)
        workspace.add_manual(db, people.kgm_contributor, reviewed.id, text="MASH", category="other")
        assert published.has_unpublished_changes(reviewed)
        assert first.is_current and "the MASH" in reviewed.current_version.text
        second = consent(db, people.kgm_approver, reviewed.id, "region", True)
    assert second.number == 2 and second.is_current and not first.is_current
    assert "[REDACTED]" in reviewed.current_version.text
    assert db.scalar(select(DocumentVersion).where(DocumentVersion.id == first.id)).text == first.text


def test_metadata_edits_re_detect_and_wait_for_consent(app, db, reviewed, people):
    with app.app_context():
        consent(db, people.kgm_approver, reviewed.id, "region", True)
        upload.update_details(
            db,
            people.kgm_contributor,
            reviewed.id,
            upload.UploadInput(
                title="Plan for Claire Hughes",
                summary="Our plan.",
                document_type="action-plan",
                service_areas=["early-help", "send"],
                year="2025",
            ),
        )
        assert published.has_unpublished_changes(reviewed)
        assert reviewed.current_version.title == "Action plan"
        assert [r.text for r in reviewed.redactions if r.field == "title"] == ["Claire Hughes"]
        with pytest.raises(Conflict):
            consent(db, people.kgm_approver, reviewed.id, "region", True)
        workspace.accept_all(db, people.kgm_contributor, reviewed.id)
        version = consent(db, people.kgm_approver, reviewed.id, "region", True)
    assert version.title == "Plan for [PERSON 1]"
    assert [a.slug for a in version.service_areas] == ["early-help", "send"]


def test_withdrawal(app, db, reviewed, people):
    with app.app_context():
        with pytest.raises(Conflict, match="Only a published document"):
            publication.withdraw(db, people.kgm_approver, reviewed.id, "changed our mind")
        consent(db, people.kgm_approver, reviewed.id, "national", True)
        with pytest.raises(ValidationError, match="Give a reason"):
            publication.withdraw(db, people.kgm_approver, reviewed.id, "  ")
        with pytest.raises(PermissionDenied):
            publication.withdraw(db, people.kgm_contributor, reviewed.id, "no")
        publication.withdraw(db, people.kgm_approver, reviewed.id, "A family asked us to.")
        assert reviewed.status == "withdrawn" and reviewed.withdrawal_kind == "withdrawn"
        with pytest.raises(Conflict):
            consent(db, people.kgm_approver, reviewed.id, "national", True)
        with pytest.raises(Conflict):
            publication.withdraw(db, people.kgm_approver, reviewed.id, "again")
        with pytest.raises(Conflict):
            workspace.accept_all(db, people.kgm_contributor, reviewed.id)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")).one()
    # The reason stays with the document; the trail keeps only a keyed hash of it.
    assert reviewed.withdrawn_reason == "A family asked us to."
    assert "reason" not in event.details and "family" not in str(event.details)
    assert event.details["reason_hash"] == audit.value_hash(db, "A family asked us to.")


def test_take_down_by_an_administrator(app, db, reviewed, people):
    with app.app_context():
        with pytest.raises(NotFound):
            publication.take_down(db, people.admin, reviewed.id, "x")  # never sees drafts
        consent(db, people.kgm_approver, reviewed.id, "authority", True)
        with pytest.raises(PermissionDenied):
            publication.take_down(db, people.kgm_approver, reviewed.id, "x")
        with pytest.raises(ValidationError):
            publication.take_down(db, people.admin, reviewed.id, "")
        publication.take_down(db, people.admin, reviewed.id, "Names a child in the summary.")
    assert reviewed.status == "withdrawn" and reviewed.withdrawal_kind == "taken_down"
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "document.taken_down")).one()


def test_audiences_in_plain_words(app, db, doc):
    with app.app_context():
        words = {a.scope: a.description for a in publication.audiences(db, doc.authority)}
    assert words["authority"] == "Only staff of Kingsmere Borough Council who use the library."
    assert "2 member authorities in the South East" in words["region"]
    assert "every member authority in England (3 at present)" in words["national"]


def test_consent_publishes_only_what_the_approver_read(app, db, people, make_document):
    """The approver reads the text with "Westfield Estate" redacted; a contributor then keeps it;
    consent with the hash of what was read is refused and nothing is published."""
    doc = make_document(b"# Plan\n\nFamilies on the Westfield Estate told us.\n", title="Plan")
    with app.app_context():
        made = workspace.add_manual(
            db, people.kgm_contributor, doc.id, text="Westfield Estate", category="other"
        )
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        read = published.snapshot(doc).content_hash
        workspace.decide(db, people.kgm_contributor, doc.id, made[0].id, "rejected")
        with pytest.raises(ContentChanged):
            publication.give_consent(db, people.kgm_approver, doc.id, "national", True, read)
        db.expire_all()
        assert doc.status == "draft" and doc.versions == []
        refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "consent.refused_stale")).all()
        assert len(refused) == 1 and refused[0].subject_id == doc.id
        with pytest.raises(ValidationError):
            publication.give_consent(db, people.kgm_approver, doc.id, "national", True, None)


def test_a_scope_change_is_refused_for_a_version_the_approver_did_not_see(app, db, reviewed, people):
    with app.app_context():
        consent(db, people.kgm_approver, reviewed.id, "authority")
        with pytest.raises(ContentChanged):
            publication.change_scope(db, people.kgm_approver, reviewed.id, "national", "0" * 64)
        db.expire_all()
        assert reviewed.scope == "authority"
