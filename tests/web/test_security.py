"""Security headers on every response, pages without inline script or style."""

import re

import pytest

PAGES = [
    "/login",
    "/",
    "/search?q=help",
    "/account",
    "/guidance/about",
    "/documents/999",
    "/static/js/app.js",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, login, path):
    login("kgm_reader")
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in tests


def test_api_answers_and_errors_carry_them_too(client, api):
    for response in (api("kgm_reader").get("/api/v1/taxonomy"), client.get("/api/v1/taxonomy")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://library.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("path", ["/login", "/", "/account", "/search?q=plan", "/upload", "/logout"])
def test_pages_have_no_inline_script_or_style(client, login, path):
    login("kgm_contributor")
    html = client.get(path).get_data(as_text=True)
    assert html.count("<script") == len(re.findall(r"<script[^>]* src=", html))
    assert "<style" not in html and " style=" not in html and " onclick=" not in html


def test_an_id_too_large_for_the_database_is_no_page(client, login, api):
    login("kgm_reader")
    assert client.get("/documents/99999999999999999999").status_code == 404
    assert api("kgm_reader").get("/api/v1/documents/99999999999999999999").status_code == 404


def test_text_with_a_nul_character_is_refused_plainly(client, login, api):
    response = api("kgm_contributor").post(
        "/api/v1/terms", json={"term": "Hill\u0000crest", "kind": "always"}
    )
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]["message"]
    response = api("kgm_contributor").get("/api/v1/search", query_string={"q": "a\x00b"})
    assert response.status_code == 400
    login("kgm_contributor")
    response = client.post("/upload", data={"title": "x\x00y"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


def test_a_page_number_too_large_for_the_database_is_no_error(client, login, api):
    login("kgm_approver")
    for path in ("/our-documents", "/audit"):
        assert client.get(f"{path}?page=121645100408832001").status_code == 200, path
    assert api("kgm_reader").get("/api/v1/documents?page=121645100408832001").status_code == 400
    assert api("kgm_reader").get("/api/v1/search?page=121645100408832001").status_code == 400


def test_a_nul_in_a_repeated_field_is_refused_too(api):
    import io

    response = api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "title": "Notes",
            "document_type": "action-plan",
            "service_areas": ["early-help", "send\x00"],
            "file": (io.BytesIO(b"# Notes\n"), "n.md"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
