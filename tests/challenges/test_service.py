"""Peer challenges: chain order, each reader's part, details frozen with consent, browsing."""

import pytest

from library.challenges import service as challenges
from library.core import access, published
from library.core.errors import NotFound, PermissionDenied, ValidationError
from library.core.models import Document
from library.documents import publication
from tests.helpers import consent, publish


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():  # messages about consent and withdrawal need the app's settings
        yield


CHAIN_TEXT = "# {title}\n\n## What we looked at\n\nThe front door.\n"


@pytest.fixture
def chain(app, db, people, make_document):
    """A Kingsmere challenge: action plan (authority), self-assessment (region), scoping
    document (national), feedback letter (draft); made out of chain order on purpose."""
    challenge = challenges.create(
        db,
        people.kgm_contributor,
        challenges.ChallengeInput("Front door peer challenge", 2025, ["front-door-and-mash"], "Thresholds."),
    )
    made = {"challenge": challenge.id}
    for doc_type, scope in (
        ("action-plan", "authority"),
        ("self-assessment", "region"),
        ("scoping-document", "national"),
        ("feedback-letter", "draft"),
    ):
        made[doc_type] = publish(
            app,
            db,
            people,
            make_document,
            CHAIN_TEXT.format(title=doc_type),
            scope,
            challenge=challenge.id,
            title=f"Front door {doc_type}",
            document_type=doc_type,
            service_areas=["front-door-and-mash"],
        )
    return made


def _types(view):
    return [m.document_type for m in view.documents]


def test_each_kind_of_reader_sees_exactly_their_part_in_chain_order(db, people, chain):
    expected = {
        "kgm_contributor": ["scoping-document", "self-assessment", "feedback-letter", "action-plan"],
        "kgm_reader": ["scoping-document", "self-assessment", "action-plan"],
        "ash_reader": ["scoping-document", "self-assessment"],
        "brk_reader": ["scoping-document"],
        "admin": ["scoping-document", "self-assessment", "action-plan"],
    }
    for who, types in expected.items():
        view = challenges.view(db, people[who], chain["challenge"])
        assert _types(view) == types, who
        assert view.title == "Front door peer challenge"


def test_a_challenge_none_of_whose_documents_the_caller_may_read_is_not_found(db, people, chain):
    publication.withdraw(db, people.kgm_approver, chain["scoping-document"], "Superseded.")
    with pytest.raises(NotFound):
        challenges.view(db, people.brk_reader, chain["challenge"])
    assert _types(challenges.view(db, people.ash_reader, chain["challenge"])) == ["self-assessment"]


def test_readers_see_the_details_frozen_with_consent_until_consent_is_given_again(db, people, chain):
    challenges.update(
        db,
        people.kgm_contributor,
        chain["challenge"],
        challenges.ChallengeInput("Renamed challenge", 2025, ["front-door-and-mash"], "Draft focus words"),
    )
    view = challenges.view(db, people.ash_reader, chain["challenge"])
    assert (view.title, view.focus) == ("Front door peer challenge", "Thresholds.")
    scoping = db.get(Document, chain["scoping-document"])
    assert published.has_unpublished_changes(scoping)
    consent(db, people.kgm_approver, scoping.id, "national")
    assert challenges.view(db, people.brk_reader, chain["challenge"]).title == "Renamed challenge"
    # The owners always see the working details.
    assert challenges.view(db, people.kgm_contributor, chain["challenge"]).focus == "Draft focus words"


def test_part_of_names_the_challenge_and_the_others_the_reader_may_read(db, people, chain):
    links = challenges.part_of(db, people.ash_reader, [chain["scoping-document"], chain["self-assessment"]])
    assert links[chain["scoping-document"]].title == "Front door peer challenge"
    assert [m.id for m in links[chain["scoping-document"]].others] == [chain["self-assessment"]]
    brk = challenges.part_of(db, people.brk_reader, [chain["scoping-document"]])
    assert brk[chain["scoping-document"]].others == []


def test_browse_filters_by_area_region_year_and_words(db, people, chain):
    def ids(who, **params):
        found, total = challenges.browse(db, people[who], challenges.BrowseParams(**params))
        assert total == len(found)
        return [c.id for c in found]

    assert ids("brk_reader") == [chain["challenge"]]
    assert ids("brk_reader", service_area="front-door-and-mash", region="south-east", year="2025") == [
        chain["challenge"]
    ]
    assert ids("brk_reader", service_area="send") == []
    assert ids("brk_reader", region="north-west") == []
    assert ids("brk_reader", q="front door") == [chain["challenge"]]
    assert ids("brk_reader", q="nothing-like-it") == []
    with pytest.raises(ValidationError):
        challenges.browse(db, people.brk_reader, challenges.BrowseParams(service_area="no-such-area"))


def test_only_owners_record_challenges_and_attach_their_own_documents(app, db, people, chain, make_document):
    with pytest.raises(PermissionDenied):
        challenges.create(db, people.kgm_reader, challenges.ChallengeInput("X", 2025, ["send"]))
    with pytest.raises(ValidationError) as bad:
        challenges.create(db, people.kgm_contributor, challenges.ChallengeInput("", 1999, []))
    assert set(bad.value.errors) == {"title", "year", "service_areas"}
    with pytest.raises(NotFound):  # another authority's challenge: as if it did not exist
        access.challenge_for_document(db, people.ash_contributor, chain["challenge"])
    with pytest.raises(NotFound):
        access.challenge_for_owner(db, people.ash_approver, chain["challenge"])


def test_records_are_audited(db, people, chain):
    from sqlalchemy import select

    from library.core.models import AuditEvent

    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "challenge")))
    assert "challenge.created" in actions
