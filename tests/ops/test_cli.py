"""The commands of ../shared/API.md."""

import json
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from library.accounts import service as accounts
from library.core.models import ApiToken, Authority, Document, ServiceArea, User
from library.core.vocabularies import read_vocabulary


def test_init_db_is_safe_to_run_again(runner):
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "Database ready" in first.output
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0 and "0 new regions" in again.output


def test_vocabularies_come_from_content(runner, db):
    from library.core.models import DocumentType, Region, ServiceArea

    runner.invoke(args=["init-db"])
    assert db.scalar(select(func.count(Region.id))) == len(read_vocabulary("regions.toml", "region")) == 9
    assert db.scalar(select(func.count(ServiceArea.id))) == len(
        read_vocabulary("service_areas.toml", "service_area")
    )
    assert db.scalar(select(func.count(DocumentType.id))) == 9


def test_authorities_add(runner, db):
    result = runner.invoke(args=["authorities", "add", "FRN", "Fernleigh Council", "--region", "south-east"])
    assert result.exit_code == 0, result.output
    assert db.scalar(select(Authority).where(Authority.code == "FRN")).name == "Fernleigh Council"


def test_authorities_add_bad_input_is_one_line(runner):
    result = runner.invoke(args=["authorities", "add", "FRN", "Fernleigh", "--region", "mars"])
    assert result.exit_code != 0
    assert result.output.strip().startswith("Error: Unknown region 'mars'")
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_users_create_and_token(runner, db, people):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Someone@KGM.example",
            "--name",
            "Some One",
            "--authority",
            "KGM",
            "--role",
            "approver",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.scalar(select(User).where(User.email == "someone@kgm.example"))
    assert user.role == "approver" and user.authority.code == "KGM"
    token_result = runner.invoke(args=["users", "token", "someone@kgm.example"])
    assert token_result.exit_code == 0
    token = token_result.output.strip()
    assert token.startswith("pcl_")
    stored = db.scalars(select(ApiToken)).one()
    assert token not in stored.token_hash


def _create(email: str, authority: str = "KGM") -> list[str]:
    return [
        "users",
        "create",
        email,
        "--name",
        "X",
        "--authority",
        authority,
        "--role",
        "reader",
        "--password-stdin",
    ]


@pytest.mark.parametrize(
    "args,password,message",
    [
        (_create("x@kgm.example", "NOPE"), "a-long-password", "No authority has the code 'NOPE'"),
        (_create("reader@kgm.example"), "a-long-password", "already exists"),
        (_create("x@kgm.example"), "short", "at least 10 characters"),
        (["users", "token", "nobody@kgm.example"], "", "No user has the email"),
    ],
)
def test_users_bad_input_is_one_line(runner, people, args, password, message):
    result = runner.invoke(args=args, input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_users_create_without_password_source(runner, people):
    result = runner.invoke(
        args=["users", "create", "y@kgm.example", "--name", "Y", "--authority", "KGM", "--role", "reader"]
    )
    assert result.exit_code != 0
    assert "--password-stdin" in result.output


def test_seed_demo_makes_a_living_library_and_is_safe_to_repeat(runner, db, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo-password" in result.output
    assert db.scalar(select(func.count(User.id))) == 12
    counts = Counter(db.execute(select(Document.status, Document.scope)).all())
    # Every state a new user should meet: a draft, one withdrawn, and published at each scope.
    assert counts[("draft", None)] == 1 and counts[("withdrawn", "national")] == 1
    assert all(counts[("published", scope)] >= 5 for scope in ("authority", "region", "national"))
    total = sum(counts.values())
    assert total >= 30
    areas = db.scalars(select(ServiceArea.slug).join(Document.service_areas).distinct()).all()
    assert len(areas) >= 10
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "0 documents added" in again.output
    db.expire_all()
    assert db.scalar(select(func.count(Document.id))) == total


def test_demo_users_can_sign_in(runner, client):
    runner.invoke(args=["seed-demo"])
    for email in (
        "admin@library.example",
        "reader@kingsmere.example",
        "contributor@kingsmere.example",
        "approver@kingsmere.example",
    ):
        response = client.post("/login", data={"email": email, "password": "demo-password"})
        assert response.status_code == 302, email
        client.post("/logout")


def test_api_token_from_cli_works(runner, client, people):
    token = runner.invoke(args=["users", "token", "contributor@kgm.example"]).output.strip()
    response = client.get("/api/v1/taxonomy", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert json.loads(response.data)["regions"]


def test_redaction_detect_prints_json(runner, samples):
    result = runner.invoke(
        args=["redaction", "detect", str(samples / "kingsmere-early-help-self-assessment.md")]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"text", "suggestions", "redacted"}
    assert {"start", "end", "text", "category"} <= set(body["suggestions"][0])
    for s in body["suggestions"]:
        assert body["text"][s["start"] : s["end"]] == s["text"]
    assert "943 476 5919" in body["text"] and "943 476 5919" not in body["redacted"]
    assert "[NHS NUMBER]" in body["redacted"] and "[PERSON 1]" in body["redacted"]


def test_redaction_detect_shows_warnings_with_their_reason(runner, tmp_path):
    path = tmp_path / "case.txt"
    path.write_text("Two children from the Moss Lane Traveller site were placed out of area.\n")
    result = runner.invoke(args=["redaction", "detect", str(path)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    (warning,) = [s for s in body["suggestions"] if s["category"] == "indirect"]
    assert warning["text"] == "Two children from the Moss Lane Traveller site"
    assert (
        warning["reason"]
        == "a very small number of people, an ethnicity, nationality or faith and a named setting"
    )
    assert body["redacted"].startswith("[DETAILS REMOVED] were placed out of area.")


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda tmp: tmp / "missing.docx", "Cannot read"),
        (
            lambda tmp: (
                (tmp / "image.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 50) and tmp / "image.pdf"
            ),
            "its content is a PNG image",
        ),
        (lambda tmp: (tmp / "empty.txt").write_bytes(b"") or tmp / "empty.txt", "empty"),
    ],
)
def test_redaction_detect_bad_input_is_one_line(runner, tmp_path, make, message):
    result = runner.invoke(args=["redaction", "detect", str(make(tmp_path))])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_token_expiry_listing_revocation_and_deactivation(runner, db, client, people):
    from datetime import timedelta

    from library.core.db import utcnow

    def api_status(token: str) -> int:
        return client.get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code

    first = runner.invoke(args=["users", "token", "contributor@kgm.example", "--days", "7"]).output.strip()
    second = runner.invoke(args=["users", "token", "contributor@kgm.example"]).output.strip()
    assert api_status(first) == 200 and api_status(second) == 200
    rows = db.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    assert [round((r.expires_at - r.created_at).total_seconds() / 86400) for r in rows] == [7, 90]

    listing = runner.invoke(args=["users", "tokens", "contributor@kgm.example"])
    assert listing.exit_code == 0 and listing.output.count("active") == 2 and first[:10] in listing.output

    result = runner.invoke(args=["users", "revoke-token", "contributor@kgm.example", str(rows[0].id)])
    assert result.exit_code == 0 and "Revoked 1 token" in result.output
    assert api_status(first) == 401 and api_status(second) == 200

    rows[1].expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    assert api_status(second) == 401
    assert "expired" in runner.invoke(args=["users", "tokens", "contributor@kgm.example"]).output

    third = runner.invoke(args=["users", "token", "contributor@kgm.example"]).output.strip()
    assert api_status(third) == 200
    assert runner.invoke(args=["users", "deactivate", "contributor@kgm.example"]).exit_code == 0
    assert api_status(third) == 401
    assert runner.invoke(args=["users", "activate", "contributor@kgm.example"]).exit_code == 0
    assert api_status(third) == 401  # revoked for good
    db.expire_all()
    assert [r.revoked_reason for r in db.scalars(select(ApiToken).order_by(ApiToken.id))] == [
        "operator",
        "deactivated",
        "deactivated",
    ]


@pytest.mark.parametrize(
    "args,message",
    [
        (["users", "token", "contributor@kgm.example", "--days", "0"], "A token lasts from 1 to 366 days."),
        (["users", "revoke-token", "contributor@kgm.example"], "Give a token id, or --all (not both)."),
        (["users", "revoke-token", "contributor@kgm.example", "999"], "has no token 999"),
        (["users", "activate", "contributor@kgm.example"], "is already active"),
        (["users", "deactivate", "nobody@kgm.example"], "No user has the email"),
    ],
)
def test_token_and_account_commands_refuse_bad_input_in_one_line(runner, people, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_account_page_lists_creates_and_revokes_tokens(client, login, db, people):
    login("kgm_contributor")
    page = client.post("/account", data={"action": "create-token", "days": "30"})
    html = page.get_data(as_text=True)
    token = re.search(r"pcl_[\w-]+", html).group(0)
    assert page.status_code == 200 and "Copy it now" in html
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/documents", headers=headers).status_code == 200
    row = db.scalars(select(ApiToken)).one()
    assert client.post("/account", data={"action": "revoke-token", "token": str(row.id)}).status_code == 302
    assert client.get("/api/v1/documents", headers=headers).status_code == 401
    assert "Revoked" in client.get("/account").get_data(as_text=True)
    # Someone else's token cannot be revoked from your page.
    other = accounts.create_token(db, None, db.merge(people.kgm_reader))
    other_row = db.scalars(select(ApiToken).where(ApiToken.prefix == other[:10])).one()
    response = client.post("/account", data={"action": "revoke-token", "token": str(other_row.id)})
    assert response.status_code == 404
    assert client.get("/api/v1/documents", headers={"Authorization": f"Bearer {other}"}).status_code == 200
