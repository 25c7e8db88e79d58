"""Demo data: authorities in two regions, a user of every role, and documents in every state."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from library.accounts import service as accounts
from library.challenges import service as challenges
from library.challenges.service import CHAIN
from library.core import access, published
from library.core.models import Authority, Challenge, Document, User
from library.demo.compose import TYPE_LABELS, compose, themes
from library.documents import publication, upload, workspace
from library.extraction import Limits
from library.insights import recorder
from library.insights.usage import event_for, months_back
from library.web.database import get_session

DEMO_DIR = Path(__file__).resolve().parents[2] / "content" / "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed in the README; demo data only

AUTHORITIES = [
    ("KGM", "Kingsmere Borough Council", "south-east"),
    ("ASH", "Ashcombe County Council", "south-east"),
    ("BRK", "Brackenford City Council", "north-west"),
    ("WST", "Westbridge London Borough", "london"),
]

USERS = [
    ("admin@library.example", "Alex Admin", None, "admin"),
    ("reader@kingsmere.example", "Rita Reader", "KGM", "reader"),
    ("contributor@kingsmere.example", "Colin Contributor", "KGM", "contributor"),
    ("approver@kingsmere.example", "Abi Approver", "KGM", "approver"),
    ("reader@ashcombe.example", "Rob Reader", "ASH", "reader"),
    ("contributor@ashcombe.example", "Cara Contributor", "ASH", "contributor"),
    ("approver@ashcombe.example", "Amir Approver", "ASH", "approver"),
    ("reader@brackenford.example", "Bea Reader", "BRK", "reader"),
    ("contributor@brackenford.example", "Ben Contributor", "BRK", "contributor"),
    ("approver@brackenford.example", "Bal Approver", "BRK", "approver"),
    ("contributor@westbridge.example", "Wren Contributor", "WST", "contributor"),
    ("approver@westbridge.example", "Wes Approver", "WST", "approver"),
]

FATES = ("draft", "authority", "region", "national", "withdrawn")


def demo_documents() -> list[dict]:
    with open(DEMO_DIR / "documents.toml", "rb") as fh:
        entries = tomllib.load(fh)["document"]
    for entry in entries:
        if entry.get("fate") not in FATES:
            raise ValueError(f"content/demo/documents.toml: {entry.get('file')}: fate must be one of {FATES}")
    return entries


GENERATED_TYPES = [
    ("self-assessment", "self-assessment"),
    ("scoping-document", "scoping letter"),
    ("feedback-letter", "feedback letter"),
    ("action-plan", "action plan"),
    ("learning-summary", "learning summary"),
]
GENERATED_UPLOADERS = [
    "contributor@kingsmere.example",
    "contributor@ashcombe.example",
    "contributor@brackenford.example",
    "contributor@westbridge.example",
]


AUTHORITY_OF = {email: code for email, _name, code, _role in USERS}
DOMAINS = {code: name.split()[0].lower() + ".example" for code, name, _region in AUTHORITIES}
NAMES = {code: name for code, name, _region in AUTHORITIES}


def generated_documents() -> list[dict]:
    """Documents composed for each service area in content/demo/themes.toml (see
    library/demo_compose.py): a few pages each, with the headings, tables, case examples and
    names such documents have, of several types, across the demo authorities and years."""
    entries = []
    for n, area in enumerate(sorted(themes())):
        for k in range(3):
            doc_type, label = GENERATED_TYPES[(n + k) % len(GENERATED_TYPES)]
            uploader = GENERATED_UPLOADERS[(n + 2 * k) % len(GENERATED_UPLOADERS)]
            code = AUTHORITY_OF[uploader]
            year = 2022 + (n + k) % 4
            title, text = compose(
                area=area,
                document_type=doc_type,
                authority=NAMES[code],
                domain=DOMAINS[code],
                pages=2 + (n + k) % 2,
                seed=n * 10 + k,
                year=year,
            )
            focus = themes()[area]["focus"]
            entries.append(
                {
                    "file": f"{area}-{doc_type}.md",
                    "uploader": uploader,
                    "data": text.encode(),
                    "title": title,
                    "type": doc_type,
                    "areas": [area],
                    "year": year,
                    "summary": f"A peer challenge {label} on {focus}.",
                    "fate": ("national", "region", "authority", "national")[(n + k) % 4],
                }
            )
    return entries


# Peer challenges with every document of the chain, shared at different scopes, so that each demo
# reader sees a different part of each.
CHALLENGES = [
    {
        "uploader": "contributor@kingsmere.example",
        "title": "Front door and MASH peer challenge",
        "year": 2025,
        "areas": ["front-door-and-mash", "early-help"],
        "theme": "front-door-and-mash",
        "focus": "Are thresholds understood and applied consistently at the front door, and is step-down "
        "to early help safe and planned with families?",
        "scopes": ["national", "region", "region", "authority", "national", "national", "region"],
    },
    {
        "uploader": "contributor@ashcombe.example",
        "title": "SEND peer challenge",
        "year": 2024,
        "areas": ["send"],
        "theme": "send",
        "focus": "How timely and good are education, health and care plans, and how well do partners "
        "commission together?",
        "scopes": ["national", "national", "national", "region", "national", "region", "authority"],
    },
    {
        "uploader": "contributor@brackenford.example",
        "title": "Youth justice peer challenge",
        "year": 2024,
        "areas": ["youth-justice"],
        "theme": "youth-justice",
        "focus": "How well do partners keep children out of the justice system, and how well is "
        "reoffending reduced?",
        "scopes": ["national", "region", "national", "national", "authority", "national", "national"],
    },
]


def challenge_documents() -> list[dict]:
    """Every document of each demo peer challenge's chain (see library/services/challenges.py)."""
    entries = []
    for n, challenge in enumerate(CHALLENGES):
        code = AUTHORITY_OF[challenge["uploader"]]
        for k, (doc_type, scope) in enumerate(zip(CHAIN, challenge["scopes"], strict=True)):
            year = challenge["year"] + (1 if doc_type == "follow-up-review" else 0)
            _title, text = compose(
                area=challenge["theme"],
                document_type=doc_type,
                authority=NAMES[code],
                domain=DOMAINS[code],
                pages=2,
                seed=1000 + n * 10 + k,
                year=year,
            )
            label = TYPE_LABELS.get(doc_type, doc_type)
            entries.append(
                {
                    "file": f"{challenge['theme']}-challenge-{doc_type}.md",
                    "uploader": challenge["uploader"],
                    "data": text.encode(),
                    "title": f"{challenge['title']}: {label.lower()}",
                    "type": doc_type,
                    "areas": challenge["areas"],
                    "year": year,
                    "summary": f"The {label.lower()} of our {challenge['title'].lower()}.",
                    "fate": scope,
                    "challenge": challenge,
                }
            )
    return entries


def _challenge_id(session, uploader: User, challenge: dict) -> int:
    found = session.scalar(
        select(Challenge).where(
            Challenge.authority_id == uploader.authority_id, Challenge.title == challenge["title"]
        )
    )
    if found is None:
        found = challenges.create(
            session,
            uploader,
            challenges.ChallengeInput(
                challenge["title"], challenge["year"], challenge["areas"], challenge["focus"]
            ),
        )
    return found.id


def seed_demo(app: Flask) -> str:
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("demo data is never added in production")
    session = get_session()
    made = {"authorities": 0, "users": 0, "documents": 0}
    for code, name, region in AUTHORITIES:
        if session.scalar(select(Authority).where(Authority.code == code)) is None:
            accounts.create_authority(session, None, code, name, region)
            made["authorities"] += 1
    for email, name, code, role in USERS:
        if session.scalar(select(User).where(User.email == email)) is None:
            accounts.create_user(
                session, None, email=email, name=name, role=role, authority_code=code, password=DEMO_PASSWORD
            )
            made["users"] += 1
    limits = Limits(max_bytes=app.config["UPLOAD_MAX_BYTES"])
    with app.extensions["search_indexer"].defer():
        _documents(app, session, limits, made)
    if made["documents"]:
        _usage(app, session)
    lines = [
        f"Demo data: {made['authorities']} authorities, {made['users']} users and "
        f"{made['documents']} documents added.",
        f"Every demo user's password is '{DEMO_PASSWORD}':",
    ]
    lines += [f"  {role:<12} {email}" for email, _name, _code, role in USERS]
    return "\n".join(lines)


def _usage(app: Flask, session) -> None:
    """Six months of reads and downloads by the demo readers of other authorities, so that the
    owners' pages and the insights page have something to show."""
    import random

    rng = random.Random(3)
    readers = [accounts.get_user_by_email(session, email) for email, _n, code, _r in USERS if code]
    shared = list(
        session.scalars(select(Document).where(Document.status == "published").order_by(Document.id))
    )
    events = []
    for month in months_back(6):
        for reader in readers:
            for document in rng.sample(shared, min(len(shared), 6)):
                if not access.can_read_published(reader, document):
                    continue
                for kind in ("view",) * rng.randint(1, 3) + ("download",) * rng.randint(0, 1):
                    event = event_for(app.config["SECRET_KEY"], reader, document, kind)
                    if event is not None:
                        events.append(recorder.Event(**{**event.__dict__, "month": month}))
    recorder.write(session, events)
    session.commit()


def _documents(app: Flask, session, limits: Limits, made: dict) -> None:
    """Upload the demo documents; share, or share and withdraw, each as its entry says."""
    for entry in demo_documents() + generated_documents() + challenge_documents():
        uploader = accounts.get_user_by_email(session, entry["uploader"])
        exists = session.scalar(
            select(Document).where(
                Document.title == entry["title"], Document.authority_id == uploader.authority_id
            )
        )
        if exists is not None:
            continue
        document = upload.upload_document(
            session,
            app.extensions["file_storage"],
            uploader,
            upload.UploadInput(
                title=entry["title"],
                summary=entry.get("summary", ""),
                document_type=entry["type"],
                service_areas=entry["areas"],
                year=entry.get("year"),
                filename=entry["file"],
                data=entry.get("data") or (DEMO_DIR / entry["file"]).read_bytes(),
                challenge=_challenge_id(session, uploader, entry["challenge"])
                if "challenge" in entry
                else None,
            ),
            limits,
        )
        made["documents"] += 1
        fate = entry["fate"]
        if fate == "draft":
            continue
        approver = session.scalar(
            select(User).where(User.authority_id == uploader.authority_id, User.role == "approver")
        )
        workspace.accept_all(session, uploader, document.id)
        publication.give_consent(
            session,
            approver,
            document.id,
            "national" if fate == "withdrawn" else fate,
            True,
            published.snapshot(document).content_hash,
        )
        if fate == "withdrawn":
            publication.withdraw(session, approver, document.id, "Superseded by a revised version.")
