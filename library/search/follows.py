"""Following and digests: a person follows service areas, document types, regions or saved
searches, and gets a daily or weekly email of what was published since the last one.

A digest lists only documents the person may read when it is sent (the search runs as them and
the database has the last word), never a withdrawn one. Every digest has a one-click
unsubscribe link. ``notifications digest`` sends the digests that are due; without a scheduler,
the running app runs it once a day.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from library.core import audit, vocabularies
from library.core.db import utcnow
from library.core.errors import Conflict, NotFound, ValidationError
from library.core.limits import MAX_FOLLOWS
from library.core.models import Follow, User
from library.mail import messages
from library.search import service as search_service

FREQUENCIES = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
PER_FOLLOW = 50  # documents listed per follow in one digest
# A digest is due a little before its period is up, so a daily cron at the same hour always finds it.
SLACK = timedelta(hours=1)


def _key(query: str, filters: dict[str, list[str]]) -> str:
    body = json.dumps([query.lower(), {k: sorted(v) for k, v in sorted(filters.items())}], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _clean(query: str | None, filters: dict | None) -> tuple[str, dict[str, list[str]]]:
    query = " ".join(str(query or "").split())
    if len(query) > 200:
        raise ValidationError("Searches to follow are 200 characters or fewer.", field="query")
    if filters is not None and not isinstance(filters, dict):
        raise ValidationError("filters is an object of lists of values.", field="filters")
    clean: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if name not in search_service.FACETS:
            raise ValidationError(f"Unknown filter: {name}.", field="filters")
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError(f"The filter {name} is a list of values.", field="filters")
        values = sorted({v.strip() for v in values if v.strip()})
        if values:
            clean[name] = values
    if not query and not clean:
        raise ValidationError("Follow a search, a service area, a document type or a region.", field="query")
    return query, clean


def follow(session: Session, actor: User, query: str | None = None, filters: dict | None = None) -> Follow:
    """Follow a search (the same one twice is one follow)."""
    query, filters = _clean(query, filters)
    search_service.check_filters(
        session,
        search_service.SearchParams(q=query, filters=filters),
        vocabularies.vocabulary_names(session),
    )
    key = _key(query, filters)
    existing = session.scalar(select(Follow).where(Follow.user_id == actor.id, Follow.key == key))
    if existing is not None:
        return existing
    count = len(follows_of(session, actor))
    if count >= MAX_FOLLOWS:
        raise Conflict(f"You follow {count} things already: stop following one first.")
    row = Follow(user_id=actor.id, query=query, filters=filters, key=key)
    session.add(row)
    session.flush()
    audit.record(session, actor, "follow.added", subject_type="follow", subject_id=row.id)
    session.commit()
    return row


def follows_of(session: Session, actor: User) -> list[Follow]:
    return list(session.scalars(select(Follow).where(Follow.user_id == actor.id).order_by(Follow.created_at)))


def unfollow(session: Session, actor: User, follow_id: int) -> None:
    row = session.get(Follow, follow_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("You do not follow that.")
    session.delete(row)
    audit.record(session, actor, "follow.removed", subject_type="follow", subject_id=follow_id)
    session.commit()


def set_frequency(session: Session, actor: User, frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValidationError("Choose daily or weekly.", field="frequency")
    actor.digest_frequency = frequency
    session.commit()


def describe(follow_row: Follow, names: dict[str, dict[str, str]]) -> str:
    """A follow in words: “edge of care” in SEND, South East."""
    parts = []
    for name in ("service_area", "document_type", "region", "authority", "year"):
        for value in follow_row.filters.get(name, []):
            parts.append(names.get(name, {}).get(value, value))
    where = ", ".join(parts)
    if follow_row.query:
        return f"“{follow_row.query}”" + (f" in {where}" if where else "")
    return where


# Digests -------------------------------------------------------------------------------------------


@dataclass
class Digest:
    user: User
    since: datetime
    sections: list[tuple[str, list[dict]]]  # (what is followed, new documents)

    @property
    def count(self) -> int:
        return len({r["id"] for _, rows in self.sections for r in rows})


def _new_since(session: Session, backend, user: User, row: Follow, since: datetime) -> list[dict]:
    params = search_service.SearchParams(q=row.query, filters=row.filters, sort="date", per_page=PER_FOLLOW)
    try:
        page = search_service.search(session, backend, user, params)
    except ValidationError:
        return []  # a filter that no longer exists
    cutoff = since.isoformat()
    return [r for r in page.results if r["published_at"] and r["published_at"].rstrip("Z") > cutoff]


def digest_for(
    session: Session, backend, user: User, now: datetime | None = None, since: datetime | None = None
) -> Digest:
    now = now or utcnow()
    period = FREQUENCIES.get(user.digest_frequency, FREQUENCIES["weekly"])
    since = since or user.digest_sent_at or (now - period)
    names = vocabularies.vocabulary_names(session)
    sections = []
    for row in follows_of(session, user):
        rows = _new_since(session, backend, user, row, since)
        if rows:
            sections.append((describe(row, names), rows))
    return Digest(user, since, sections)


def due(user: User, now: datetime) -> bool:
    period = FREQUENCIES.get(user.digest_frequency, FREQUENCIES["weekly"])
    return user.digest_sent_at is None or user.digest_sent_at <= now - period + SLACK


def send_digests(
    session: Session, backend, *, now: datetime | None = None, force: bool = False
) -> tuple[int, int]:
    """Send every digest that is due (``force``: every follower's, now), searching ``backend``.
    Returns (people considered, digests sent); a digest with nothing new is not sent, but its
    window moves on.

    Exactly once, however many runs at the same time (hosts, cron beside the app's own daily
    run): each follower's period is claimed in the database before the digest is written, by a
    conditional update of the end of their last period (``digest_sent_at``) from the value this
    run read; a run that finds it changed leaves that follower to the run that changed it. The
    claim and the digest's message in the outbox are one transaction."""
    now = now or utcnow()
    followers = list(
        session.scalars(select(User).where(User.active.is_(True), User.id.in_(select(Follow.user_id))))
    )
    sent = 0
    for user in followers:
        if not force and not due(user, now):
            continue
        previous = user.digest_sent_at
        if not _claim(session, user, previous, now):
            session.rollback()
            continue
        period = FREQUENCIES.get(user.digest_frequency, FREQUENCIES["weekly"])
        digest = digest_for(session, backend, user, now, since=previous or (now - period))
        if digest.count and "digest" not in (user.notices_off or []):
            sent += _mail(session, digest, now)
        session.commit()
    return len(followers), sent


def _claim(session: Session, user: User, previous: datetime | None, now: datetime) -> bool:
    """Move ``user``'s digest period on to ``now`` if it still ends at ``previous``; False if another
    run moved it first (it sends that digest)."""
    ends = User.digest_sent_at.is_(None) if previous is None else User.digest_sent_at == previous
    result = session.execute(
        update(User)
        .where(User.id == user.id, ends)
        .values(digest_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "digest_sent_at", now)
    return True


def _mail(session: Session, digest: Digest, now: datetime) -> int:
    base = messages.base_url(session)
    paragraphs = [
        f"{digest.count} document{'s' if digest.count != 1 else ''} shared with you since "
        f"{digest.since:%-d %B %Y} in what you follow:"
    ]
    for what, rows in digest.sections:
        lines = [f"{what}:"] + [
            f"- {r['title']} ({r['authority']['name']}, {r['year'] or 'no year'}): {base}/documents/{r['id']}"
            for r in rows
        ]
        paragraphs.append("\n".join(lines))
    message = messages.Message(
        subject=f"New in what you follow: {digest.count} document{'s' if digest.count != 1 else ''}",
        paragraphs=paragraphs,
        link=f"{base}/follows",
        link_text="What you follow",
    )
    key = f"digest:{digest.user.id}:{digest.since.isoformat()}"
    return int(messages.send(session, digest.user, "digest", key, message))
