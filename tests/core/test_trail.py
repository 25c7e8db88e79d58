"""The audit trail holds identifiers and keyed hashes only: text a person typed that was never
published (a draft's title and summary, a peer challenge's title and focus, notes, own words,
terms, reasons, search words, what was typed at sign-in) is in no audit row, page or CSV."""

import json

from sqlalchemy import select

from library.core.models import AuditEvent


def _canary(field: str) -> str:
    return f"Qzx{field.replace('_', '').capitalize()}Canary"


FIELDS = [
    "draft_title",
    "draft_summary",
    "file_name",
    "changed_title",
    "changed_summary",
    "challenge_title",
    "challenge_focus",
    "changed_challenge_title",
    "changed_challenge_focus",
    "manual_text",
    "own_words",
    "term",
    "never_term",
    "note",
    "withdraw_reason",
    "take_down_reason",
    "follow_query",
    "search_words",
    "sign_in_email",
    "sign_in_password",
    "reset_email",
]


def _everything_audited(app, client, api, login, people):
    """Every audited action with a free-text field, each field holding its own canary."""
    c = _canary
    contributor, approver, admin = api("kgm_contributor"), api("kgm_approver"), api("admin")
    text = (
        "# Notes\n\nWe met Amelia Hughes. The panel agreed the plan.\n\n"
        f"Our words {c('manual_text')} stay here. Write to kai.brown@kgm.gov.uk for more.\n"
    ).encode()

    def upload(title, summary, filename):
        from io import BytesIO

        response = contributor.post(
            "/api/v1/documents",
            data={
                "file": (BytesIO(text), filename),
                "title": title,
                "summary": summary,
                "document_type": "action-plan",
                "service_areas": ["early-help"],
                "year": "2024",
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    draft = upload(f"Review {c('draft_title')}", f"About {c('draft_summary')}", f"{c('file_name')}.md")
    shared = upload("Early help plan", "A plan.", "plan.md")
    response = contributor.post(
        "/api/v1/challenges",
        json={
            "title": f"Visit {c('challenge_title')}",
            "year": 2024,
            "service_areas": ["early-help"],
            "focus": f"Focus {c('challenge_focus')}",
        },
    )
    assert response.status_code == 201
    challenge = response.get_json()["id"]
    assert (
        contributor.patch(
            f"/api/v1/challenges/{challenge}",
            json={
                "title": f"Visit {c('changed_challenge_title')}",
                "focus": f"Focus {c('changed_challenge_focus')}",
            },
        ).status_code
        == 200
    )
    assert (
        contributor.patch(f"/api/v1/documents/{draft}", json={"challenge_id": challenge}).status_code == 200
    )
    # Redaction work on the draft: own text, own words for a suggestion, terms.
    assert (
        contributor.post(
            f"/api/v1/documents/{draft}/redactions", json={"text": c("manual_text"), "all_occurrences": True}
        ).status_code
        == 201
    )
    suggestion = next(
        r
        for r in contributor.get(f"/api/v1/documents/{draft}/redactions").get_json()["redactions"]
        if r["status"] == "suggested" and r["category"] == "email"
    )
    response = contributor.patch(
        f"/api/v1/documents/{draft}/redactions/{suggestion['id']}",
        json={"replacement": f"a person {c('own_words').lower()}"},
    )
    assert response.status_code == 200, response.get_json()
    assert contributor.post("/api/v1/terms", json={"term": c("term"), "kind": "always"}).status_code == 201
    assert (
        contributor.post("/api/v1/terms", json={"term": c("never_term"), "kind": "never"}).status_code == 201
    )
    assert contributor.post(f"/api/v1/documents/{draft}/redactions/accept-all").status_code == 200
    assert (
        approver.post(f"/api/v1/documents/{draft}/send-back", json={"note": f"Fix {c('note')}"}).status_code
        == 200
    )
    # The other document is shared, then its details change in a new draft, then it goes.
    assert contributor.post(f"/api/v1/documents/{shared}/redactions/accept-all").status_code == 200
    digest = approver.get(f"/api/v1/documents/{shared}/preview").get_json()["content_hash"]
    response = approver.post(
        f"/api/v1/documents/{shared}/consent",
        json={"scope": "national", "confirm": True, "content_hash": digest},
    )
    assert response.status_code == 200, response.get_json()
    assert (
        contributor.patch(
            f"/api/v1/documents/{shared}",
            json={"title": f"Plan {c('changed_title')}", "summary": f"Now {c('changed_summary')}"},
        ).status_code
        == 200
    )
    response = admin.post(
        f"/api/v1/documents/{shared}/take-down", json={"reason": f"Down {c('take_down_reason')}"}
    )
    assert response.status_code == 200
    third = upload("Another plan", "Plan.", "p.md")
    assert contributor.post(f"/api/v1/documents/{third}/redactions/accept-all").status_code == 200
    digest = approver.get(f"/api/v1/documents/{third}/preview").get_json()["content_hash"]
    approver.post(
        f"/api/v1/documents/{third}/consent",
        json={"scope": "region", "confirm": True, "content_hash": digest},
    )
    response = approver.delete(
        f"/api/v1/documents/{third}/consent", json={"reason": f"Gone {c('withdraw_reason')}"}
    )
    assert response.status_code == 200
    # Following and searching, signing in wrongly, asking for a reset.
    reader = api("kgm_reader")
    assert reader.post("/api/v1/follows", json={"query": c("follow_query")}).status_code == 201
    assert reader.get(f"/api/v1/search?q={c('search_words')}").status_code == 200
    client.post("/login", data={"email": f"{c('sign_in_email').lower()}@example.org", "password": "x" * 12})
    client.post("/login", data={"email": "reader@kgm.example", "password": c("sign_in_password")})
    client.post("/password/forgot", data={"email": f"{c('reset_email').lower()}@example.org"})
    return draft


def test_no_free_text_in_any_audit_row_page_or_csv(app, client, db, api, login, people):
    _everything_audited(app, client, api, login, people)
    rows = list(db.scalars(select(AuditEvent)))
    assert len(rows) >= 20
    stored = "\n".join(json.dumps(e.details, ensure_ascii=False) + e.actor_label for e in rows)
    shown = [stored]
    for who in ("admin", "kgm_approver"):
        login(who)
        for path in ("/audit", "/audit?page=2", "/audit.csv", *(["/admin"] if who == "admin" else [])):
            response = client.get(path)
            assert response.status_code == 200, path
            shown.append(response.get_data(as_text=True))
        client.post("/logout")
    everything = "\n".join(shown).lower()
    for field in FIELDS:
        assert _canary(field).lower() not in everything, field
    # What was shared may be named: the consented title of the document taken down.
    login("admin")
    assert "early help plan" in client.get("/audit").get_data(as_text=True).lower()


def test_drafts_are_named_without_their_titles(app, client, db, login, people, make_document):
    make_document(title="Review after the death of Jayden Okafor, aged 14")
    for who in ("admin", "kgm_approver"):
        login(who)
        page = client.get("/audit").get_data(as_text=True)
        assert "Jayden" not in page and "a draft (document 1)" in page
        client.post("/logout")


def test_the_migration_takes_free_text_out_of_existing_rows(tmp_path):
    """Rows written before 0017 (a challenge's title, a withdrawal's reason, an address typed at
    sign-in) lose that text and say so; the trail's triggers are back afterwards."""
    import pytest
    from alembic import command
    from sqlalchemy import create_engine, text

    from library.ops.migrate import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0016")
    old = [
        ("challenge.created", {"title": "Review after the death of Jayden Okafor", "year": 2024}),
        ("consent.withdrawn", {"reason": "Names Jayden Okafor", "scope": "region", "version": 1}),
        ("user.sign_in_failed", {"email": "jayden.okafor@example.org", "reason": "unknown email"}),
        ("user.sign_in_refused", {"method": "microsoft", "reason": "Microsoft answered “Jayden”"}),
        ("consent.given", {"scope": "region", "version": 1}),
    ]
    with engine.begin() as connection:
        for action, details in old:
            connection.execute(
                text(
                    "INSERT INTO audit_events (created_at, actor_label, action, subject_type, details) "
                    "VALUES (CURRENT_TIMESTAMP, 'system', :a, 'document', :d)"
                ),
                {"a": action, "d": json.dumps(details)},
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = {
            a: json.loads(d) for a, d in connection.execute(text("SELECT action, details FROM audit_events"))
        }
    assert "Jayden" not in json.dumps(rows)
    assert rows["challenge.created"] == {"year": 2024, "rewritten": "0017"}
    assert rows["consent.withdrawn"] == {"scope": "region", "version": 1, "rewritten": "0017"}
    assert rows["user.sign_in_failed"] == {"reason": "unknown email", "rewritten": "0017"}
    assert rows["consent.given"] == {"scope": "region", "version": 1}  # nothing to take out: untouched
    with engine.begin() as connection, pytest.raises(Exception, match="append-only"):
        connection.execute(text("UPDATE audit_events SET action = 'x'"))
    engine.dispose()
