"""A 20-page self-assessment from upload to a reader, as the people involved see it: the upload
lands at the top of the work; the approver's summary comes before the full text, which stays
folded; a change after sharing shows what changed and which decisions; the reader gets a contents
list and a print without a page per section. Screenshots at 1280 and 375 px wide."""

from __future__ import annotations

import re

from tests.browser.conftest import assert_accessible, upload_on_the_page
from tests.browser.test_phone import MEASURE, PHONE
from tests.filemakers import long_self_assessment


def _marks(page) -> list[tuple[str, str, str]]:
    return page.eval_on_selector_all(
        "#document-text mark.app-mark--suggested[id]",
        "els => els.map(e => [e.dataset.id, e.dataset.category, e.firstChild.textContent])",
    )


def _post(page, base: str, path: str, form: dict) -> None:
    token = page.input_value("#app-token input[name=csrf_token]")
    response = page.request.post(base + path, form={**form, "csrf_token": token})
    assert response.ok, (path, response.status)


def test_a_long_document_from_upload_to_reader(new_page, live_server, screenshots, tmp_path):
    title, data = long_self_assessment(pages=20)
    source = tmp_path / "self-assessment.docx"
    source.write_bytes(data)

    # Upload at 375 px too: the landing is the top of the workspace, the message in view.
    phone = new_page("contributor@brackenford.example", width=PHONE, height=800)
    phone.goto(live_server + "/upload")
    upload_on_the_page(phone, str(source), "Phone upload", "self-assessment", "early-help")
    assert phone.evaluate("window.scrollY") == 0
    assert phone.evaluate("document.activeElement.id") == "workspace-heading"
    assert phone.evaluate(MEASURE)["wide"] <= 0
    phone.screenshot(path=str(screenshots / "375-upload-landing.png"))

    page = new_page("contributor@brackenford.example")
    page.goto(live_server + "/upload")
    doc = upload_on_the_page(page, str(source), title, "self-assessment", "early-help")
    assert page.evaluate("window.scrollY") == 0
    page.screenshot(path=str(screenshots / "1280-upload-landing.png"))
    base = f"/documents/{doc}"
    marks = _marks(page)
    person, _, name = next(m for m in marks if m[1] == "person")
    warning = next(i for i, category, _ in marks if category == "indirect")
    # A name is kept everywhere or nowhere (kept in one place and redacted in another, the final
    # check would find it).
    _post(
        page,
        live_server,
        f"{base}/redactions/value",
        {"value": name, "category": "person", "status": "rejected"},
    )
    _post(page, live_server, f"{base}/redactions/{warning}", {"status": "rejected"})
    _post(page, live_server, f"{base}/redactions/accept-all", {})
    _post(page, live_server, f"{base}/ready", {})

    # The approver's summary first; the 20 pages of text folded below it.
    approver = new_page("approver@brackenford.example")
    approver.goto(live_server + base + "/consent")
    assert approver.locator(f"a[href='#r-{person}']").count() == 1
    assert approver.locator(f"a[href='#r-{warning}']").count() == 1
    assert not approver.locator("#consent-text").evaluate("d => d.open")
    height = approver.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the consent page is {height} px tall"  # the whole text was 32,000 px
    assert_accessible(approver)
    approver.screenshot(path=str(screenshots / "1280-long-consent-summary.png"), full_page=True)
    # A link to a kept place opens the text there, highlighted.
    approver.click(f"a[href='#r-{person}']")
    assert approver.locator("#consent-text").evaluate("d => d.open")
    assert approver.locator(f"#consent-text mark#r-{person}").is_visible()
    approver.goto(live_server + base + "/consent")
    approver.check("input[name=scope][value=national]")
    approver.check("input[name=confirm]")
    approver.click("text=Give consent and share")
    approver.wait_for_selector("text=Shared")

    # A change after sharing: the kept name is now redacted.
    page.goto(live_server + base + "/redact")
    _post(
        page,
        live_server,
        f"{base}/redactions/value",
        {"value": name, "category": "person", "status": "accepted"},
    )
    approver.goto(live_server + base + "/consent")
    changes = approver.inner_text("#changes ~ ol.app-changes")
    assert "[PERSON" in changes
    # Only the paragraphs where the name was: the labels renumbered after it are no change.
    occurrences = approver.locator("ol.app-changes > li").count()
    assert 1 <= occurrences <= 10, occurrences
    decided = approver.locator("table.app-decisions-changed tbody tr")
    assert decided.count() >= 1 and "redacted" in decided.first.inner_text()
    assert_accessible(approver)
    approver.locator("#changes").scroll_into_view_if_needed()
    approver.screenshot(path=str(screenshots / "1280-changed-since.png"))
    approver_phone = new_page("approver@brackenford.example", width=PHONE, height=800)
    approver_phone.goto(live_server + base + "/consent")
    assert approver_phone.evaluate(MEASURE) == {"wide": 0, "clipped": []}
    approver_phone.locator("#changes").scroll_into_view_if_needed()
    approver_phone.screenshot(path=str(screenshots / "375-changed-since.png"))

    # A reader: a contents list of the sections, each link leading to its heading; print without
    # a page per section.
    reader = new_page("reader@ashcombe.example")
    reader.goto(live_server + base)
    links = reader.locator(".app-contents a[href^='#section-']")
    assert links.count() >= 15
    target = links.nth(5).get_attribute("href")
    links.nth(5).click()
    assert reader.evaluate("window.location.hash") == target
    top = reader.evaluate(f"document.getElementById({target[1:]!r}).getBoundingClientRect().top")
    assert 0 <= top < 200
    assert_accessible(reader)
    reader.goto(live_server + base)
    reader.screenshot(path=str(screenshots / "1280-long-document.png"))
    reader_phone = new_page("reader@ashcombe.example", width=PHONE, height=800)
    reader_phone.goto(live_server + base)
    assert reader_phone.evaluate(MEASURE) == {"wide": 0, "clipped": []}
    reader_phone.screenshot(path=str(screenshots / "375-long-document.png"))
    reader.emulate_media(media="print")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", reader.pdf(format="A4")))
    sections = links.count()
    assert pages < sections, f"{pages} printed pages for {sections} sections"
