"""Work that must follow a change, written in the transaction of the change: a document whose
search entry must be brought in line with the database. The search feature does that work (after
the commit, or in the transaction itself with the PostgreSQL backend); a feature that changes
what readers may find only says so here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from library.core.models import IndexOutbox


def index(session: Session, document_id: int) -> None:
    """Ask for the document's search entry to be brought up to date: in this transaction (when
    the search backend writes there) or once it commits (through the outbox)."""
    if session.info.get("search_in_transaction"):
        session.info.setdefault("search_ids", set()).add(document_id)
        return
    session.add(IndexOutbox(document_id=document_id))
    session.info["search_outbox"] = True
