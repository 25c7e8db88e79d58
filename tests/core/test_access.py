"""The read rule's three forms always agree: the Python predicate, the SQL filter and the search
index's labels, over people x authorities x regions x states x scopes (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from library.core import access
from library.core.models import Authority, Document, DocumentType, Region, User

STATES = ("draft", "published", "withdrawn")
SCOPES = (None, "authority", "region", "national")
ROLES = ("reader", "contributor", "approver", "admin")

world = st.fixed_dictionaries(
    {
        # each authority's region (an index into the regions)
        "authorities": st.lists(st.integers(0, 2), min_size=1, max_size=4),
        # each person: role, active, authority (an index, or None)
        "people": st.lists(
            st.tuples(st.sampled_from(ROLES), st.booleans(), st.one_of(st.none(), st.integers(0, 3))),
            min_size=1,
            max_size=5,
        ),
        # each document: its authority (an index), state and scope
        "documents": st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(STATES), st.sampled_from(SCOPES)),
            min_size=1,
            max_size=6,
        ),
    }
)


def _index_reads(labels: list[str] | None, document: Document) -> bool:
    """What the search index answers: a document is in the index when published (with the label
    of its audience), and a query with ``labels`` finds it when they share one."""
    if document.status != "published" or document.scope is None:
        return False
    entry = [access.audience_of(document).label()]
    return labels is None or bool(set(entry) & set(labels))


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(world=world)
def test_the_read_rule_has_one_meaning_in_python_sql_and_the_index(app, db, world):
    regions = db.scalars(select(Region).order_by(Region.id)).all()[:3]
    doc_type = db.scalars(select(DocumentType)).first()
    made_authorities = [
        Authority(code=f"P{i}", name=f"Authority {i}", region=regions[r])
        for i, r in enumerate(world["authorities"])
    ]
    db.add_all(made_authorities)
    people = []
    for n, (role, active, where) in enumerate(world["people"]):
        authority = (
            None if role == "admin" or where is None else made_authorities[where % len(made_authorities)]
        )
        people.append(
            User(email=f"p{n}@x.example", name=f"P {n}", role=role, active=active, authority=authority)
        )
    documents = [
        Document(
            authority=made_authorities[a % len(made_authorities)],
            title=f"D{n}",
            document_type=doc_type,
            status=state,
            scope=None if state == "draft" and scope is None else scope,
        )
        for n, (a, state, scope) in enumerate(world["documents"])
    ]
    db.add_all(people + documents)
    db.flush()
    try:
        for person in people:
            clause = access.readable_filter(person)
            in_sql = set() if clause is None else set(db.scalars(select(Document.id).where(clause)))
            labels = access.caller_labels(person)
            for document in documents:
                python = access.can_read_published(person, document)
                sql = document.id in in_sql
                index = _index_reads(labels, document)
                assert python == sql == index, (person.role, person.active, document.status, document.scope)
                if python:  # and the query of readable versions is built on the same rule
                    assert access.readable_versions(person) is not None
    finally:
        db.rollback()
        db.execute(delete(Document).where(Document.title.like("D%")))
        db.commit()


def test_who_reads_what_in_words(app, db, people, make_document):
    """The rule spelled out on the fixtures' people: a region-wide document reaches its region's
    authorities and administrators, nobody else, and never before it is published."""
    from tests.helpers import publish

    shared = db.get(Document, publish(app, db, people, make_document, "# Plan\n\nText.\n", "region"))
    draft = make_document("# Draft\n\nText.\n")
    readers = {
        who
        for who in ("kgm_reader", "ash_reader", "brk_reader", "admin")
        if access.can_read_published(people[who], shared)
    }
    assert readers == {"kgm_reader", "ash_reader", "admin"}
    assert not any(access.can_read_published(people[w], draft) for w in ("kgm_reader", "admin"))
    assert access.caller_labels(people.ash_reader) == ["national", "region:south-east", "authority:ASH"]
    assert access.caller_labels(people.admin) is None
