"""Uploading a large file shows its progress and then what the server is doing; without JavaScript
the plain form still works."""

from __future__ import annotations

from tests.browser.conftest import PASSWORD


def _large_markdown() -> bytes:
    paragraph = "The family hub reviewed step-down plans with partners and families. " * 40
    # Large (yet under the limit on characters of text, UPLOAD_MAX_CHARACTERS).
    return ("# Large plan\n\n" + "\n\n".join(paragraph for _ in range(170))).encode()


def _fill(page, title: str, data: bytes) -> None:
    page.set_input_files("#file", files=[{"name": "large.md", "mimeType": "text/markdown", "buffer": data}])
    page.fill("#title", title)
    page.select_option("#document_type", "action-plan")
    page.check("input[name=service_areas][value=early-help]")


def test_progress_is_shown_while_a_large_file_uploads(new_page, screenshots):
    page = new_page("contributor@westbridge.example")
    page.click("nav >> text=Upload")
    data = _large_markdown()
    assert 400_000 < len(data) < 500_000
    _fill(page, "Large plan with progress", data)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 150 * 1024},
    )
    page.click("form.app-upload-form button[type=submit]")
    status = page.locator(".app-upload-progress")
    status.wait_for(state="visible")
    page.wait_for_function(
        "() => /Uploading: \\d+%/.test(document.querySelector('.app-upload-progress')?.textContent || '')"
    )
    page.screenshot(path=str(screenshots / "upload-progress.png"))
    assert page.locator("form.app-upload-form button[type=submit]").is_disabled()
    page.wait_for_selector("h1#workspace-heading", timeout=60_000)
    assert "Large plan with progress" in page.inner_text("h1")


def test_the_plain_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "contributor@westbridge.example")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/upload")
    _fill(page, "Plan uploaded without JavaScript", b"# A plan\n\nSteps for the hubs.\n")
    page.click("form.app-upload-form button[type=submit]")
    page.wait_for_selector("h1#workspace-heading")
    assert "Plan uploaded without JavaScript" in page.inner_text("h1")
    context.close()
