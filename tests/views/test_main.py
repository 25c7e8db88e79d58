from library.rendering import render_markdown


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
