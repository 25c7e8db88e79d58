"""Every other page a person meets, checked with axe-core at WCAG 2.2 AA, and the redaction
workspace used with the keyboard alone."""

from __future__ import annotations

import io

import pytest

from tests.browser.conftest import assert_accessible

ADMIN_PAGES = [
    "/admin",
    "/admin/authorities",
    "/admin/authorities/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/authorities/1",
    "/audit",
    "/insights",
]
PUBLIC_PAGES = [
    "/",
    "/login",
    "/guidance",
    "/guidance/about",
    "/guidance/sharing-and-consent",
    "/guidance/redacting-well",
    "/guidance/preparing-a-self-assessment",
    "/guidance/accessibility",
    "/password/forgot",
    "/password/reset/not-a-link",
]
READER_PAGES = [
    "/",
    "/search",
    "/search?q=SEND",
    "/search?q=stabilty",
    "/areas/send",
    "/authorities/KGM",
    "/our-documents",
    "/documents/1",
    "/documents/99999",
    "/search?service_area=astrology",
    "/follows",
    "/challenges",
    "/challenges?service_area=atlantis",
    "/challenges/1",
    "/kloes",
    "/kloes?service_area=send&q=plans",
    "/start",
    "/start?document_type=scoping-document&service_area=front-door-and-mash",
    "/insights",
    "/insights?service_area=send",
]
OWNER_PAGES = [
    "/our-documents",
    "/upload",
    "/terms",
    "/consent",
    "/audit",
    "/documents/1",
    "/documents/1/edit",
    "/documents/1/consent",
    "/documents/1/challenge-details",
    "/people",
    "/account",
    "/challenges/new",
    "/challenges/1",
    "/challenges/1/edit",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(new_page, live_server, path):
    page = new_page()
    page.goto(live_server + path)
    assert_accessible(page)


def test_admin_pages(new_page, live_server):
    page = new_page("admin@library.example")
    for path in ADMIN_PAGES:
        page.goto(live_server + path)
        assert_accessible(page)


def test_reader_pages(new_page, live_server):
    page = new_page("reader@ashcombe.example")
    for path in READER_PAGES:
        page.goto(live_server + path)
        assert_accessible(page)


def test_owner_pages(new_page, live_server):
    page = new_page("approver@kingsmere.example")
    for path in OWNER_PAGES:
        page.goto(live_server + path)
        assert_accessible(page)


def test_forms_of_forgotten_passwords_and_invitations(new_page, live_server):
    page = new_page()
    page.goto(live_server + "/password/forgot")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=There is a problem")
    assert_accessible(page)
    page.fill("#email", "nobody@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your email")
    assert_accessible(page)


def test_upload_error_page(new_page, live_server):
    page = new_page("contributor@kingsmere.example")
    page.goto(live_server + "/upload")
    page.click("form.app-upload-form button[type=submit]")
    page.wait_for_selector("text=There is a problem")
    assert_accessible(page)


def _tab_to(page, predicate: str, limit: int = 400) -> None:
    """Press Tab until the focused element satisfies the JavaScript predicate (given `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!(el && ({predicate})); }}"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def test_the_workspace_with_the_keyboard_alone(new_page, live_server, screenshots):
    page = new_page("contributor@ashcombe.example")
    page.goto(live_server + "/upload")
    text = "# Visit notes\n\nWe met Siobhan Murphy and Daniel Osei at Brookfield Children's Centre.\n"
    page.set_input_files(
        "#file",
        files=[
            {"name": "notes.md", "mimeType": "text/markdown", "buffer": io.BytesIO(text.encode()).getvalue()}
        ],
    )
    page.fill("#title", "Visit notes")
    page.select_option("#document_type", "learning-summary")
    page.check("input[name=service_areas][value=early-help]")
    page.click("form.app-upload-form button[type=submit]")
    page.wait_for_selector("#document-text")  # the upload lands on the workspace
    assert_accessible(page)

    # Redact the first suggestion with the keyboard.
    _tab_to(
        page,
        "el.tagName === 'BUTTON' && el.textContent.replace(/\\s+/g, ' ').trim() === "
        "'Redact it: “Siobhan Murphy”'",
    )
    page.keyboard.press("Enter")
    page.wait_for_selector("text=1 of 2")
    # Keep the second.
    _tab_to(
        page,
        "el.tagName === 'BUTTON' && el.textContent.replace(/\\s+/g, ' ').trim() === 'Keep it: “Daniel Osei”'",
    )
    page.keyboard.press("Enter")
    page.wait_for_selector("text=2 of 2")
    # Redact a term: open the form, type it and press Enter.
    _tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.includes('did not find')")
    page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'text'")
    page.keyboard.type("Brookfield Children's Centre")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Redacted 1 occurrence")
    page.click(".app-pane-switch >> text=What readers will see")
    preview = page.inner_text("#preview-text")
    assert "Siobhan" not in preview and "Daniel Osei" in preview and "Brookfield" not in preview
    # Everything keeps a visible focus: the last focused control is still reachable.
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "keyboard-workspace.png"), full_page=True)
