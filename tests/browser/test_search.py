"""Search as a reader uses it: on a phone the results come first and the filters wait behind a
toggle; chosen filters show as chips that remove themselves; beside the results on a wide
screen the filters are simply there."""

from __future__ import annotations

from tests.browser.conftest import assert_accessible


def test_on_a_phone_results_come_before_the_filters(new_page, live_server, screenshots):
    page = new_page("reader@ashcombe.example")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/search?q=children&service_area=early-help&service_area=child-protection")
    first = page.locator(".app-results__item").first
    first.wait_for()
    assert first.bounding_box()["y"] < 800  # on the first screen
    assert not page.locator(".app-filters__body").is_visible()
    page.screenshot(path=str(screenshots / "7-search-375.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.click("summary:has-text('Filter and sort')")
    assert page.locator(".app-filters__body").is_visible()
    assert_accessible(page)

    page.click("a.app-chip:has-text('Early help')")
    page.wait_for_url("**/search?q=children&service_area=child-protection")
    page.click("text=Clear all filters")
    page.wait_for_url("**/search?q=children")
    assert page.locator("a.app-chip").count() == 0


def test_on_a_wide_screen_the_filters_stay_beside_the_results(new_page, live_server):
    page = new_page("reader@ashcombe.example")
    page.goto(f"{live_server}/search?q=children")
    filters = page.locator(".app-filters__body")
    assert filters.is_visible()
    page.locator("summary:has-text('Filter and sort')").press("Enter")
    assert filters.is_visible()  # not folded away
    box, first = filters.bounding_box(), page.locator(".app-results__item").first.bounding_box()
    assert box["x"] < first["x"] and abs(box["y"] - first["y"]) < 200
