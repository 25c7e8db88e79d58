"""Every page at 375 px wide, as on a phone: the page itself never scrolls sideways (a wide table
scrolls in its own labelled region) and no text is cut off by a box too narrow for it."""

from __future__ import annotations

from tests.browser.test_accessibility import ADMIN_PAGES, OWNER_PAGES, PUBLIC_PAGES, READER_PAGES

PHONE = 375

# What a person at 375 px would meet that the page cannot show: the page wider than the screen,
# and text inside a box that hides what does not fit (overflow hidden or clip).
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = document.documentElement.scrollWidth - width;
  const clipped = [];
  for (const el of document.querySelectorAll("main *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (!["hidden", "clip"].includes(style.overflowX)) continue;
    if (el.closest(".govuk-visually-hidden, [hidden]")) continue;
    if (!el.textContent.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      clipped.push(el.tagName + "." + el.className + ": " + el.textContent.trim().slice(0, 60));
    }
  }
  return {wide, clipped};
}"""


def _check(page, url: str, problems: list[str]) -> None:
    page.goto(url)
    found = page.evaluate(MEASURE)
    if found["wide"] > 0:
        problems.append(f"{url}: the page scrolls sideways by {found['wide']} px")
    for item in found["clipped"]:
        problems.append(f"{url}: text cut off: {item}")


def test_every_page_fits_a_phone(new_page, live_server, screenshots):
    problems: list[str] = []
    page = new_page(width=PHONE, height=800)
    for path in PUBLIC_PAGES:
        _check(page, live_server + path, problems)
    for email, paths in (
        ("reader@ashcombe.example", READER_PAGES),
        ("approver@kingsmere.example", [*OWNER_PAGES, "/documents/1/redact"]),
        ("admin@library.example", ADMIN_PAGES),
    ):
        page = new_page(email, width=PHONE, height=800)
        for path in paths:
            _check(page, live_server + path, problems)
        if email.startswith("approver"):
            page.goto(live_server + "/our-documents")
            page.screenshot(path=str(screenshots / "375-our-documents.png"), full_page=True)
        if email.startswith("admin"):
            page.goto(live_server + "/insights")
            page.screenshot(path=str(screenshots / "375-insights.png"), full_page=True)
    assert problems == [], "\n".join(problems)


def test_a_values_places_and_the_consent_summary_are_accessible_and_fit(new_page, live_server, screenshots):
    from tests.browser.conftest import assert_accessible

    problems: list[str] = []
    page = new_page("approver@kingsmere.example")
    page.goto(live_server + "/documents/1/redact")
    page.click("text=Each place, one at a time >> nth=0")
    page.wait_for_selector("h1:has-text('Each place of')")
    assert_accessible(page)
    places = page.url
    page.goto(live_server + "/documents/1/consent")
    page.wait_for_selector("#decisions")
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "1280-consent-summary.png"), full_page=True)
    phone = new_page("approver@kingsmere.example", width=PHONE, height=800)
    for url in (places, live_server + "/documents/1/consent"):
        _check(phone, url, problems)
    phone.goto(live_server + "/documents/1/consent")
    phone.screenshot(path=str(screenshots / "375-consent-summary.png"), full_page=True)
    assert problems == [], "\n".join(problems)


def test_the_decision_is_whole_on_a_phone(new_page, live_server, screenshots):
    page = new_page("approver@kingsmere.example", width=PHONE, height=800)
    page.goto(live_server + "/documents/1/redact")
    page.wait_for_selector("#document-text mark.app-mark")
    page.locator("#document-text mark.app-mark").first.click()
    box = page.locator("#app-decide")
    box.wait_for(state="visible")
    bounds = box.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= PHONE + 0.5, bounds
    assert bounds["y"] >= 0 and bounds["y"] + bounds["height"] <= 800 + 0.5, bounds
    # Nothing of it is hidden by the text pane: the point at its middle is the box itself.
    inside = page.evaluate(
        "([x, y]) => document.getElementById('app-decide').contains(document.elementFromPoint(x, y))",
        [bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2],
    )
    assert inside
    page.screenshot(path=str(screenshots / "375-decision.png"))
