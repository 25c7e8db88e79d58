"""Starting from examples in the browser: the outline, comparing two examples, the starter as a
Word download, and a peer challenge's documents in chain order."""

from __future__ import annotations

import io

import docx

from tests.browser.conftest import assert_accessible


def test_a_reader_starts_a_document_from_the_examples(new_page, live_server):
    page = new_page("reader@brackenford.example")
    page.goto(live_server + "/start")
    page.get_by_label("Type of document").select_option("self-assessment")
    page.get_by_label("Service area").select_option("send")
    page.get_by_role("button", name="Show the examples").click()
    page.wait_for_selector("#outline")
    assert_accessible(page)
    examples = page.locator("input[name=ids]")
    assert examples.count() >= 2
    examples.nth(0).check()
    examples.nth(1).check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector(".app-compare")
    assert "Compare self-assessments" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.go_back()
    page.locator("input[name=headings]").first.check()
    page.locator("input[name=extracts]").first.check()
    page.locator("#own-heading").fill("Our own heading")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a starting document (Word)").click()
    data = open(download.value.path(), "rb").read()
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Our own heading" in headings and "Examples we drew on" in headings
    assert any(p.text.startswith("Extract from ") for p in document.paragraphs)


def test_a_challenge_shows_its_documents_in_chain_order_and_each_links_back(new_page, live_server):
    page = new_page("reader@ashcombe.example")
    page.goto(live_server + "/challenges?q=front+door")
    page.get_by_role("link", name="Front door and MASH peer challenge").click()
    page.wait_for_selector(".app-chain__item .govuk-caption-m")  # (all_inner_texts does not wait)
    types = page.locator(".app-chain__item .govuk-caption-m").all_inner_texts()
    assert types[0].startswith("Scoping document") and types[-1] == "Follow-up review"
    page.locator(".app-chain__item a").first.click()
    page.wait_for_selector("#part-of")  # (is_visible does not wait for the page the click opens)
    assert page.locator("#part-of").is_visible()
    assert page.locator(".app-published-text [id^=section-]").count() >= 3
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.locator("#part-of ~ .govuk-button-group").is_visible()


def test_the_charts_read_without_script_and_open_as_tables(new_page, live_server):
    # A reader of another authority reads a document; its owners then see it counted.
    reader = new_page("reader@brackenford.example")
    reader.goto(live_server + "/challenges?q=SEND")
    reader.get_by_role("link", name="SEND peer challenge").click()
    reader.locator(".app-chain__item a").first.click()
    owner = new_page("contributor@ashcombe.example")
    owner.goto(live_server + reader.url.removeprefix(live_server))
    assert "Read by" in owner.locator("#usage").locator("xpath=following-sibling::p[1]").inner_text()
    owner.get_by_text("Show as table").first.click()
    assert owner.locator("#usage-months-table").is_visible()
    assert_accessible(owner)
    page = new_page("admin@library.example")
    page.goto(live_server + "/insights")
    assert page.locator("#areas-by-region svg").is_visible() and page.locator("#growth svg").is_visible()
    assert_accessible(page)
