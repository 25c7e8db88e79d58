"""Who may read a published document, by scope and relation to its authority."""

import pytest
from sqlalchemy import select

from library.core import access
from library.core.models import Document, DocumentType

# scope -> who may read it once published
READERS = {
    "authority": {"kgm_reader", "kgm_contributor", "kgm_approver"},
    "region": {"kgm_reader", "kgm_contributor", "kgm_approver", "ash_reader", "ash_contributor"},
    "national": {
        "kgm_reader",
        "kgm_contributor",
        "kgm_approver",
        "ash_reader",
        "ash_contributor",
        "brk_reader",
    },
}
# Administrators read every published document (they may take any of it down), never a draft.
for readers in READERS.values():
    readers.add("admin")
EVERYONE = [
    "kgm_reader",
    "kgm_contributor",
    "kgm_approver",
    "ash_reader",
    "ash_contributor",
    "brk_reader",
    "admin",
]


@pytest.mark.parametrize("scope", sorted(READERS))
def test_published_scope(db, people, scope):
    doc_type = db.scalars(select(DocumentType)).first()
    doc = Document(
        authority=people.kgm_contributor.authority,
        title="T",
        document_type=doc_type,
        status="published",
        scope=scope,
    )
    db.add(doc)
    db.commit()
    for who in EVERYONE:
        user = people[who]
        expected = who in READERS[scope]
        assert access.can_read_published(user, doc) is expected, who
        where = access.readable_filter(user)
        found = where is not None and db.scalar(select(Document.id).where(where, Document.id == doc.id))
        assert bool(found) is expected, who


def test_drafts_are_for_owners_only(db, people):
    doc_type = db.scalars(select(DocumentType)).first()
    doc = Document(
        authority=people.kgm_contributor.authority, title="T", document_type=doc_type, status="draft"
    )
    db.add(doc)
    db.commit()
    for who in EVERYONE:
        assert access.can_view(people[who], doc) is (who in ("kgm_contributor", "kgm_approver")), who
