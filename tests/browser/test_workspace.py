"""Contributing a real document: a 20-page self-assessment reviewed with the keyboard alone, using
the grouping, without a page load after the first; then the hand-off to the approver, sent back
with a note, ready again, and consent.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible, upload_on_the_page
from tests.filemakers import long_self_assessment

state: dict = {}


def _pending(page) -> int:
    text = page.inner_text("#progress")
    reviewed, total = (int(n) for n in re.findall(r"\d+", text)[:2])
    return total - reviewed


def _tab_to(page, pattern: str, limit: int = 80) -> str:
    """Press Tab until the focused control's text matches (skipping values already decided);
    returns that text."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text, done = page.evaluate(
            "() => [document.activeElement ? document.activeElement.innerText || '' : '',"
            " Boolean(document.activeElement && document.activeElement.closest('.app-group--done'))]"
        )
        if re.search(pattern, text) and not done:
            return text
    raise AssertionError(f"no control matching {pattern!r} within {limit} presses of Tab")


def _wait_for_change(page, before: str) -> None:
    page.wait_for_function(
        "(before) => document.querySelector('#progress').innerText !== before", arg=before, timeout=15_000
    )


@pytest.fixture(scope="module")
def long_document():
    return long_self_assessment(pages=20)


def test_a_keyboard_reviewer_decides_every_suggestion_of_a_long_document(
    new_page, live_server, long_document, screenshots
):
    title, data = long_document
    page = new_page("contributor@kingsmere.example")
    page.click("nav >> text=Upload")
    state["id"] = upload_on_the_page(
        page,
        {
            "name": "early-help-self-assessment.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": data,
        },
        title,
        "self-assessment",
        "early-help",
    )

    page.goto(f"{live_server}/documents/{state['id']}/redact")
    page.wait_for_selector("#document-text mark")
    total = page.locator("#document-text mark.app-mark[id^='r-']").count()
    assert total >= 250, total
    # The text is formatted: headings, lists and tables, not markdown source.
    assert (
        page.locator("#document-text :is(h4, h5, h6)").count() > 10
        and page.locator("#document-text table").count() > 2
    )
    assert "|---|" not in page.inner_text("#document-text")
    # The selection button is not on screen while nothing is selected.
    assert page.locator(".app-redact-selection").is_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12_000, height
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "5-workspace-1280.png"), full_page=True)
    page.evaluate("window.__sameDocument = true")  # gone if anything loads a new page

    # The first suggestion: keep this value everywhere.
    page.keyboard.press("j")
    label = page.inner_text("#app-decide-label")
    assert "still to review" in label and page.evaluate("document.activeElement.innerText") == "Redact"
    # The choice is announced to screen readers.
    page.wait_for_function(
        "() => document.querySelector('#app-announce').textContent.includes('still to review')"
    )
    kept = re.match(r"“([^”]+)”", label).group(1)
    before = page.inner_text("#progress")
    if "appears" in label:
        _tab_to(page, r"^Keep all \d+$")
    else:
        _tab_to(page, r"^Keep$")
    page.keyboard.press("Enter")
    _wait_for_change(page, before)
    assert_accessible(page)
    # The next suggestion to review is chosen at once: redact it with the shortcut.
    page.wait_for_function("() => document.activeElement && document.activeElement.innerText === 'Redact'")
    before = page.inner_text("#progress")
    page.keyboard.press("r")
    _wait_for_change(page, before)

    # A whole kind from the list beside the text, then each value in turn with Enter.
    before = page.inner_text("#progress")
    _tab_to(page, r"^Redact all \d+ email addresses$", limit=200)
    page.keyboard.press("Enter")
    _wait_for_change(page, before)
    # The list shows 25 values a page: each of this page's values in turn, then the rest at once.
    for _ in range(400):
        if _pending(page) == 0:
            break
        focused = page.evaluate("document.activeElement.innerText")
        if not re.match(r"^Redact (all \d+|it)", focused):
            # The end of this page of values: the rest with the button above the text.
            assert page.locator('nav[aria-label="Pages of values"]').count() == 1
            before = page.inner_text("#progress")
            page.click("#app-status button:has-text('still to review')")
            _wait_for_change(page, before)
            break
        if "names of people" in focused:
            # Leave the people for one value at a time: move on to the next value's button.
            _tab_to(page, r"^Redact (all \d+|it):?")
        before = page.inner_text("#progress")
        page.keyboard.press("Enter")
        _wait_for_change(page, before)
    assert _pending(page) == 0
    assert page.evaluate("window.__sameDocument === true")  # no page load since the first

    # Keeping the value lets the document pass the final check, which follows on its own.
    page.wait_for_selector("#app-status :text('Final check passed'), #app-findings", timeout=20_000)
    status = page.inner_text("#app-status")
    assert "Final check passed" in status, status
    preview = page.inner_text("#preview-text")
    assert kept in page.inner_text("#document-text")
    assert "@kingsmere.example" not in preview and "[PERSON" in preview
    page.click(".app-pane-switch >> text=What readers will see")
    assert page.locator("#preview-text").is_visible() and page.locator("#document-text").is_hidden()
    page.click(".app-pane-switch >> text=Suggestions in the text")
    assert_accessible(page)

    # On a phone: nothing wider than the screen, every control reachable.
    page.set_viewport_size({"width": 375, "height": 800})
    page.keyboard.press("j")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    assert page.locator("#app-decide").is_visible()
    box = page.locator("#app-decide").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(screenshots / "6-workspace-375.png"), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("text=Mark ready for approval")
    page.wait_for_selector("text=Marked ready for approval")
    state["title"] = title
    state["kept"] = kept


def test_the_approver_sends_it_back_then_consents(new_page, live_server, screenshots):
    title = state["title"]
    approver = new_page("approver@kingsmere.example")
    row = approver.locator(f"tr:has-text('{title}')").first
    text = row.inner_text()
    assert "Ready for approval: Colin Contributor" in text
    assert "With the approver: can be consented now" in text
    assert "Reviewed" not in approver.inner_text("main")
    assert_accessible(approver)
    approver.goto(f"{live_server}/documents/{state['id']}/consent")
    approver.fill("#note", "Please check the second case example again before we share it.")
    approver.click("button:has-text('Send it back')")
    approver.wait_for_selector("text=Sent back with your note")

    contributor = new_page("contributor@kingsmere.example")
    assert "Please check the second case example again" in contributor.inner_text("main")
    assert_accessible(contributor)
    contributor.goto(f"{live_server}/documents/{state['id']}")
    assert "Sent back by Abi Approver" in contributor.inner_text("main")
    contributor.click("text=Review redactions")
    contributor.click("text=Mark ready for approval")
    contributor.wait_for_selector("text=Marked ready for approval")

    approver.goto(f"{live_server}/consent")
    approver.click(f"tr:has-text('{title}') >> text=Read and consent")
    approver.check("input[name=scope][value=region]")
    approver.check("input[name=confirm]")
    approver.click("main button[type=submit]:has-text('Give consent')")
    approver.wait_for_selector("text=Shared. Version 1")
    reader = new_page("reader@ashcombe.example")
    reader.goto(f"{live_server}/documents/{state['id']}")
    body = reader.inner_text("main")
    assert state["kept"] in body and "@kingsmere.example" not in body


CASE_STUDY = (
    "# Case studies\n\n"
    "Child K, a 15-year-old wheelchair user at Larkfield House, told us that the new worker listened.\n\n"
    "Our front door received 1,240 contacts in the quarter, of which 31% led to a referral.\n\n"
    "Two children from the Moss Lane Traveller site were placed with foster carers in February.\n"
)


def test_a_reviewer_sees_why_a_warning_was_raised_and_writes_it_more_generally(
    new_page, live_server, screenshots
):
    page = new_page("contributor@kingsmere.example")
    page.click("nav >> text=Upload")
    doc_id = upload_on_the_page(
        page,
        {"name": "case-studies.md", "mimeType": "text/markdown", "buffer": CASE_STUDY.encode()},
        "Case studies for the peer team",
        "learning-summary",
        "early-help",
    )
    page.goto(f"{live_server}/documents/{doc_id}/redact")
    page.wait_for_selector("#document-text mark.app-mark--indirect")
    assert page.locator("#document-text mark.app-mark--indirect[id^='r-']").count() == 2
    # A warning looks unlike a suggestion to redact, and the case label inside it is its own mark.
    inner = page.locator("#document-text mark.app-mark--indirect mark.app-mark[data-category='person']")
    assert inner.count() == 1 and inner.inner_text().startswith("Child K")
    assert_accessible(page)

    page.keyboard.press("j")  # the first warning (it starts where the case label does)
    assert page.inner_text("#app-decide-label").startswith("“Child K, a 15-year-old wheelchair user")
    reason = page.inner_text("#app-decide-reason")
    assert reason == "Why: a case-study label, an exact age, a disability and a named setting."
    assert page.locator(".app-decide__never").is_hidden()
    page.keyboard.press("g")
    assert page.evaluate("document.activeElement.id") == "app-decide-words"
    before = page.inner_text("#progress")
    page.keyboard.type("a teenager who uses a wheelchair")
    page.keyboard.press("Enter")
    _wait_for_change(page, before)
    page.screenshot(path=str(screenshots / "7-workspace-warning-1280.png"), full_page=False)
    preview = page.inner_text("#preview-text")
    assert "a teenager who uses a wheelchair, told us that the new worker listened." in preview
    assert "Larkfield" not in preview
    assert "readers see “a teenager who uses a wheelchair”" in page.inner_text("#app-groups")

    # The case label inside it needs no decision of its own now: the next warning is chosen.
    assert page.inner_text("#app-decide-label").startswith("“Two children from the Moss Lane Traveller site")
    # Words that still identify someone are refused, with the reason, and nothing changes.
    page.fill("#app-decide-words", "two children, call 01632 960 415")
    page.click("#app-decide button[data-act='generalise']")
    page.wait_for_selector("#app-decide .govuk-error-message:not([hidden])")
    assert "phone number" in page.inner_text("#app-decide .govuk-error-message")
    # Keep it with the keyboard instead; then the rest, and the final check passes.
    page.locator("#document-text mark.app-mark--indirect[id^='r-']").nth(1).focus()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    assert page.inner_text("#app-decide-label").startswith("“Two children from")
    before = page.inner_text("#progress")
    page.keyboard.press("l")
    _wait_for_change(page, before)
    while _pending(page):
        page.keyboard.press("j")
        before = page.inner_text("#progress")
        page.keyboard.press("r")
        _wait_for_change(page, before)
    page.wait_for_selector("#app-status :text('Final check passed')", timeout=20_000)
    assert_accessible(page)
