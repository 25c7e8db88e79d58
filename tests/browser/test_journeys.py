"""The main journeys, start to finish, in a real browser, each page checked with axe-core.

They run in order and share the served library: a contributor uploads and redacts, the approver
consents to the region, readers search (one in the region finds it, one outside cannot), and the
approver withdraws it.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, sign_in, upload_on_the_page

SAMPLE = "kingsmere-early-help-self-assessment.docx"
TITLE = "Early help self-assessment for the browser journey"
state: dict = {}


@pytest.fixture(scope="module")
def sample_path(samples):
    return samples / SAMPLE


def test_contributor_uploads_reviews_and_redacts(new_page, live_server, sample_path, screenshots):
    page = new_page("contributor@kingsmere.example")
    assert_accessible(page)
    page.click("nav >> text=Upload")
    assert_accessible(page)
    state["id"] = upload_on_the_page(page, str(sample_path), TITLE, "self-assessment", "early-help")
    # The upload lands on the work: the workspace, its heading focused, what was found said at the top.
    assert page.evaluate("document.activeElement.id") == "workspace-heading"
    assert "We found" in page.inner_text(".govuk-notification-banner")
    # ... at the top of the page, although the form was scrolled down to its button when sent.
    assert page.evaluate("window.scrollY") == 0
    banner = "document.querySelector('.govuk-notification-banner').getBoundingClientRect().bottom"
    assert page.evaluate(banner) < 900
    page.wait_for_selector("#document-text")
    assert_accessible(page)
    page.click("text=See the text as it was read from your file")
    page.click("#extracted-text summary")
    assert "Amelia Hughes" in page.inner_text(".app-document-text")  # the owners see the unredacted text
    assert_accessible(page)
    page.goto(f"{live_server}/documents/{state['id']}/redact")
    page.wait_for_selector("#document-text")
    page.click("#app-status button:has-text('Redact all')")
    page.wait_for_selector("#app-status :text('Final check passed'), #app-findings", timeout=20_000)
    page.click(".app-pane-switch >> text=What readers will see")
    preview = page.inner_text("#preview-text")
    for name in ("Sarah Okafor", "Amelia", "Claire Hughes", "943 476 5919", "KM3 7QT"):
        assert name not in preview

    # Amelia's school is suggested (a setting named beside a child); redact one more phrase by
    # selecting it in the text.
    assert "Ashfield Primary" not in preview
    assert "benefits referral" in preview
    page.click(".app-pane-switch >> text=Suggestions in the text")
    page.evaluate("""() => {
        const area = document.querySelector('#document-text');
        const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.textContent.indexOf('benefits referral');
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 'benefits referral'.length);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                return;
            }
        }
        throw new Error('text not found');
    }""")
    page.click(".app-redact-selection")
    page.wait_for_selector("text=Redacted 1 occurrence")
    page.click(".app-pane-switch >> text=What readers will see")
    preview = page.inner_text("#preview-text")
    assert "benefits referral" not in preview and "[REDACTED]" in preview
    assert "Final check passed" in page.inner_text("main")
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "1-workspace-preview.png"), full_page=True)


def test_approver_consents_to_the_region(new_page, live_server, screenshots):
    page = new_page("approver@kingsmere.example")
    page.click("nav >> text=Waiting for consent")
    assert_accessible(page)
    page.click(f"tr:has-text('{TITLE}') >> text=Read and consent")
    page.wait_for_selector("#decisions")  # the summary first
    page.screenshot(path=str(screenshots / "2-consent-summary.png"))
    page.click("#consent-text summary")  # the full text one click away
    text = page.inner_text("#consent-text")
    assert "[PERSON 1]" in text and "Amelia" not in text and "Ashfield Primary" not in text
    assert_accessible(page)
    page.check("input[name=scope][value=region]")
    page.check("input[name=confirm]")
    page.screenshot(path=str(screenshots / "2-consent.png"), full_page=True)
    page.click("main button[type=submit]:has-text('Give consent')")
    page.wait_for_selector("text=Shared. Version 1")
    assert "Shared" in page.inner_text("main")
    assert_accessible(page)


def test_reader_in_the_region_finds_and_downloads_it(new_page, live_server, screenshots, tmp_path):
    page = new_page("reader@ashcombe.example")
    page.click("nav >> text=Search")
    page.fill("#q", "early help")
    page.click("main button[type=submit]:has-text('Search')")
    page.wait_for_selector("text=documents for")
    assert_accessible(page)
    page.check("input[name=service_area][value=early-help]")
    page.click("text=Apply filters")
    page.wait_for_selector(f"a:has-text('{TITLE}')")
    assert "service_area=early-help" in page.url
    page.screenshot(path=str(screenshots / "3-search.png"), full_page=True)
    page.click(f"a:has-text('{TITLE}')")
    page.wait_for_selector("text=Download as plain text")
    body = page.inner_text("main")
    assert "[PERSON 1]" in body and "Amelia" not in body and "Kingsmere Borough Council" in body
    assert_accessible(page)
    with page.expect_download() as download:
        page.click("text=Download as plain text")
    saved = tmp_path / "download.md"
    download.value.save_as(saved)
    text = saved.read_text()
    assert TITLE in text and "[PERSON 1]" in text and "Amelia" not in text and "Okafor" not in text


def test_reader_of_another_region_cannot_find_it(new_page, live_server):
    page = new_page("reader@brackenford.example")
    page.goto(f"{live_server}/search?q=early+help")
    assert TITLE not in page.inner_text("main")
    response = page.goto(f"{live_server}/documents/{state['id']}")
    assert response.status == 404


def test_approver_withdraws_and_the_reader_finds_it_gone(new_page, live_server, screenshots):
    page = new_page("approver@kingsmere.example")
    page.goto(f"{live_server}/documents/{state['id']}")
    page.click("text=Withdraw consent")
    assert_accessible(page)
    page.fill("#reason", "The family asked us not to share it.")
    page.click("main button:has-text('Withdraw consent')")
    page.wait_for_selector("text=Consent withdrawn.")

    reader = new_page("reader@ashcombe.example")
    reader.goto(f"{live_server}/search?q=early+help&service_area=early-help")
    assert TITLE not in reader.inner_text("main")
    response = reader.goto(f"{live_server}/documents/{state['id']}")
    assert response.status == 410
    assert "Kingsmere Borough Council withdrew this self-assessment" in reader.inner_text("main")
    assert "Amelia" not in reader.content() and TITLE not in reader.content()
    assert_accessible(reader)
    reader.screenshot(path=str(screenshots / "4-withdrawn.png"), full_page=True)


def test_sign_in_page_is_accessible(new_page, live_server):
    page = new_page()
    page.goto(f"{live_server}/login")
    assert_accessible(page)
    sign_in(page, live_server, "reader@kingsmere.example")
    assert_accessible(page)
