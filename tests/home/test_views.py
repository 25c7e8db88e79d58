from library.core.rendering import render_markdown


def test_home_anonymous_invites_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Peer Challenge Library" in html
    assert 'href="/login"' in html


def test_home_signed_in_lists_service_areas_with_empty_state(client, login):
    login("kgm_reader")
    html = client.get("/").get_data(as_text=True)
    assert "Browse the library" in html
    assert "Early help" in html and "Care leavers" in html
    assert "No documents have been shared with Kingsmere Borough Council yet." in html
    assert "No documents yet" in html


def test_pages_are_unbranded(client, login):
    login("kgm_contributor")
    for path in ("/", "/upload", "/our-documents", "/guidance", "/guidance/about"):
        html = client.get(path).get_data(as_text=True)
        assert "govuk-generic-header" in html, path
        assert "Crown copyright" not in html
        assert "govuk-crest" not in html and "govuk-logo" not in html
        assert "GOV.UK - The best place" not in html
        assert "– Peer Challenge Library</title>" in html


def test_guidance_pages_render_from_content(client):
    index = client.get("/guidance").get_data(as_text=True)
    for slug, title in (
        ("about", "About the library"),
        ("sharing-and-consent", "How sharing and consent work"),
        ("redacting-well", "How to redact well"),
        ("preparing-a-self-assessment", "Preparing a self-assessment"),
    ):
        assert f"/guidance/{slug}" in index
        page = client.get(f"/guidance/{slug}")
        assert page.status_code == 200
        assert title in page.get_data(as_text=True)
    assert client.get("/guidance/nothing-here").status_code == 404
    assert client.get("/guidance/..%2Fsecret").status_code == 404


def test_guidance_table_is_rendered_with_govuk_classes(client):
    html = client.get("/guidance/sharing-and-consent").get_data(as_text=True)
    assert '<table class="govuk-table">' in html


def test_render_markdown_sanitises():
    html = str(
        render_markdown("# Hi\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>")
    )
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "<img" not in html and "&lt;img src=x onerror=y&gt;" in html
    assert '<h1 class="govuk-heading-l">Hi</h1>' in html


def test_render_markdown_shifts_headings():
    assert "<h3" in str(render_markdown("# Title", shift_headings=2))


def test_stylesheet_uses_arial_not_the_govuk_font(app):
    from pathlib import Path

    css = Path(app.static_folder, "dist", "css", "app.css").read_text()
    assert "arial" in css
    assert "GDS Transport" not in css


def test_empty_service_areas_are_behind_show_all(client, login, make_document, api):
    login("kgm_reader")
    html = client.get("/").get_data(as_text=True)
    assert "Show all 25 service areas (25 with nothing shared with you yet)" in html


def test_each_role_has_its_own_first_page(client, login, make_document, db, people, app):
    from library.documents import handoff, workspace

    ready = make_document("# Plan\n\nNothing personal.\n", title="Ready plan")
    back = make_document("# Notes\n\nAmelia Hughes was seen.\n", title="Sent back notes")
    with app.app_context():
        handoff.mark_ready(db, people.kgm_contributor, ready.id)
        workspace.accept_all(db, people.kgm_contributor, back.id)
        handoff.send_back(db, people.kgm_approver, back.id, "Check the dates again.")
    login("kgm_approver")
    html = client.get("/").get_data(as_text=True)
    assert "Waiting for your consent" in html and "Ready for approval: Colin Contributor" in html
    assert "With the approver: can be consented now" in html and "Reviewed" not in html
    # Sent back, it waits for the contributors: not on the approver's list.
    assert "Sent back notes" not in html.split("Waiting for your consent")[1].split("Browse the library")[0]
    client.post("/logout")
    login("kgm_contributor")
    html = client.get("/").get_data(as_text=True)
    assert "Sent back to you" in html and "Check the dates again." in html
    assert "With your approver" in html and "Ready plan" in html
    client.post("/logout")
    login("kgm_reader")
    html = client.get("/").get_data(as_text=True)
    assert "Waiting for your consent" not in html and "Ready plan" not in html


def test_readers_see_what_is_new_in_the_areas_they_work_in(
    client, login, api, db, people, make_document, app
):
    from library.documents import workspace
    from tests.helpers import consent

    send = make_document("# SEND\n\nNothing personal.\n", title="SEND plan", service_areas=["send"])
    care = make_document(
        "# Care\n\nNothing personal.\n", title="Care leavers plan", service_areas=["care-leavers"]
    )
    with app.app_context():
        for doc in (send, care):
            workspace.accept_all(db, people.kgm_contributor, doc.id)
            consent(db, people.kgm_approver, doc.id, "national")
    login("ash_reader")
    html = client.get("/").get_data(as_text=True)
    assert "New in the library" in html and "SEND plan" in html and "Care leavers plan" in html
    response = client.post("/my-areas", data={"areas": ["send"]})
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "New in your areas" in html and "SEND plan" in html and "Care leavers plan" not in html
    assert 'value="send" checked' in html
    assert client.post("/my-areas", data={"areas": ["nonsense"]}).status_code == 302
    assert "Unknown service area: nonsense." in client.get("/").get_data(as_text=True)
    client.post("/my-areas", data={})
    assert "New in the library" in client.get("/").get_data(as_text=True)


def test_healthz_needs_no_sign_in_and_says_only_which_checks_pass(app, client, db):
    from datetime import timedelta

    from library.core.db import utcnow
    from library.core.models import IndexOutbox, MailMessage

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "search_index": "ok", "index_outbox": "ok", "mail_outbox": "ok"},
    }
    # Work waiting too long in either outbox: 503, naming the check and nothing else.
    db.add(IndexOutbox(document_id=1, created_at=utcnow() - timedelta(hours=1)))
    db.add(
        MailMessage(
            to_address="a@b.example",
            kind="x",
            event_key="k",
            subject="s",
            body_text="t",
            body_html="h",
            headers={},
            created_at=utcnow() - timedelta(days=1),
            next_attempt_at=utcnow(),
            attempts=3,
        )
    )
    db.commit()
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok",
        "search_index": "ok",
        "index_outbox": "failing",
        "mail_outbox": "failing",
    }
    assert "a@b.example" not in response.get_data(as_text=True)


def test_healthz_when_the_index_cannot_be_read(app, client, monkeypatch):
    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(app.extensions["search"], "size", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["checks"]["search_index"] == "failing"
    assert "disk" not in response.get_data(as_text=True)
