"""Demo data: authorities in two regions, a user of every role, and a few documents."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from .db import get_session
from .extraction import Limits
from .models import Authority, Document, User
from .services import accounts, documents

DEMO_DIR = Path(__file__).resolve().parent.parent / "content" / "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed in the README; demo data only

AUTHORITIES = [
    ("KGM", "Kingsmere Borough Council", "south-east"),
    ("ASH", "Ashcombe County Council", "south-east"),
    ("BRK", "Brackenford City Council", "north-west"),
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
]

DOCUMENTS = [
    (
        "kingsmere-send-self-assessment.md",
        "contributor@kingsmere.example",
        "SEND self-assessment",
        "self-assessment",
        ["send"],
        2025,
        "Our self-assessment before the SEND peer challenge: EHCP timeliness and joint commissioning.",
    ),
    (
        "kingsmere-front-door-scoping.md",
        "approver@kingsmere.example",
        "Front door and MASH scoping letter",
        "scoping-document",
        ["front-door-and-mash", "early-help"],
        2025,
        "Scope and key lines of enquiry for a challenge on thresholds and the MASH.",
    ),
    (
        "ashcombe-care-leavers-action-plan.md",
        "contributor@ashcombe.example",
        "Care leavers action plan",
        "action-plan",
        ["care-leavers", "corporate-parenting"],
        2025,
        "What we will do after the peer challenge on our care leavers offer.",
    ),
]


def seed_demo(app: Flask) -> str:
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
    for filename, email, title, doc_type, areas, year, summary in DOCUMENTS:
        uploader = accounts.get_user_by_email(session, email)
        exists = session.scalar(
            select(Document).where(Document.title == title, Document.authority_id == uploader.authority_id)
        )
        if exists is not None:
            continue
        data = (DEMO_DIR / filename).read_bytes()
        documents.upload_document(
            session,
            app.extensions["file_storage"],
            uploader,
            documents.UploadInput(
                title=title,
                summary=summary,
                document_type=doc_type,
                service_areas=areas,
                year=year,
                filename=filename,
                data=data,
            ),
            limits,
        )
        made["documents"] += 1
    lines = [
        f"Demo data: {made['authorities']} authorities, {made['users']} users and "
        f"{made['documents']} documents added.",
        f"Every demo user's password is '{DEMO_PASSWORD}':",
    ]
    lines += [f"  {role:<12} {email}" for email, _name, _code, role in USERS]
    return "\n".join(lines)
