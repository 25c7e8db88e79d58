"""Search and browse through the app: only what each reader may read is shown or counted."""

import pytest

from tests.search.conftest import _search, consent

# Through the app with the configured backend (Tantivy, or PostgreSQL in CI's second run) and with
# Whoosh: what each reader may find and count does not depend on the engine.
pytestmark = pytest.mark.parametrize("app", ["default", "whoosh"], indirect=True)


@pytest.mark.parametrize(
    "who,expected",
    [
        ("kgm_reader", {"national", "region", "authority"}),
        ("ash_reader", {"national", "region"}),
        ("brk_reader", {"national"}),
        ("admin", {"national", "region", "authority"}),
    ],
)
def test_results_and_facets_only_hold_what_the_caller_may_read(api, published, who, expected):
    body = _search(api, who)
    assert {r["id"] for r in body["results"]} == {published[s] for s in expected}
    assert body["total"] == len(expected)
    areas = {"national": "send", "region": "children-in-care", "authority": "early-help"}
    assert body["facets"]["service_area"] == {areas[s]: 1 for s in expected}
    assert sum(body["facets"]["document_type"].values()) == len(expected)
    assert body["facets"]["region"] == {"south-east": len(expected)}
    assert body["facets"]["year"] == {"2025": len(expected)}


def test_result_shape(api, published):
    body = _search(api, "kgm_reader", "?q=stability")
    assert body["total"] == 1 and body["page"] == 1
    result = body["results"][0]
    assert set(result) >= {
        "id",
        "title",
        "snippet",
        "authority",
        "region",
        "document_type",
        "service_areas",
        "year",
        "published_at",
    }
    assert result["authority"] == {"code": "KGM", "name": "Kingsmere Borough Council"}
    assert "<mark>Stability</mark>" in result["snippet"]


def test_thesaurus_queries_find_long_forms(api, published):
    assert [r["id"] for r in _search(api, "brk_reader", "?q=SEND")["results"]] == [published["national"]]
    assert [r["id"] for r in _search(api, "ash_reader", "?q=LAC")["results"]] == [published["region"]]
    assert [r["id"] for r in _search(api, "ash_reader", "?q=CiC")["results"]] == [published["region"]]


def test_snippets_escape_html(app, api, published):
    snippet = _search(api, "kgm_reader", "?q=bold")["results"][0]["snippet"]
    assert "<b>" not in snippet and "<mark>bold</mark>" in snippet and "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    if app.config["SEARCH_BACKEND"] != "postgres":  # PostgreSQL's headline leaves out tag-like text
        assert "&lt;b&gt;" in snippet


def test_filters_and_sorting(api, published):
    body = _search(api, "kgm_reader", "?service_area=early-help&service_area=send&sort=date")
    assert [r["id"] for r in body["results"]] == [published["authority"], published["national"]]
    assert _search(api, "kgm_reader", "?document_type=follow-up-review")["total"] == 1
    assert _search(api, "kgm_reader", "?authority=ASH")["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "?service_area=astrology",
        "?document_type=poem",
        "?region=atlantis",
        "?authority=ZZZ",
        "?year=twenty",
        "?page=0",
        "?page=x",
        "?per_page=500",
        "?sort=random",
    ],
)
def test_bad_parameters_are_400(api, published, query):
    response = api("kgm_reader").get(f"/api/v1/search{query}")
    assert response.status_code == 400 and response.get_json()["error"]["message"]


@pytest.mark.parametrize("q", ['"unbalanced', "AND", "*", "x" * 3000, "((", "title:x", "early OR"])
def test_awkward_queries_are_answered(api, published, q):
    assert api("kgm_reader").get("/api/v1/search", query_string={"q": q}).status_code == 200


def test_page_out_of_range_is_empty(api, published):
    body = _search(api, "kgm_reader", "?page=50")
    assert body["results"] == [] and body["total"] == 3


def test_withdrawn_document_is_gone_from_search_at_once(client, login, api, published):
    doc_id = published["national"]
    login("brk_reader")
    assert "SEND self-assessment" in client.get("/search?q=SEND").get_data(as_text=True)
    api("kgm_approver").delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "Withdrawn."})
    body = _search(api, "brk_reader", "?q=SEND")
    assert body["total"] == 0 and body["results"] == [] and body["facets"]["service_area"] == {}
    assert _search(api, "brk_reader")["total"] == 0
    html = client.get("/search?q=SEND").get_data(as_text=True)
    assert "SEND self-assessment" not in html and "0 documents" in html
    assert "SEND self-assessment" not in client.get("/areas/send").get_data(as_text=True)
    assert client.get(f"/documents/{doc_id}").status_code == 410
    assert client.get(f"/documents/{doc_id}/download").status_code == 410


def test_scope_change_updates_search(api, published):
    doc_id = published["authority"]
    assert _search(api, "brk_reader", "?q=hubs")["total"] == 0
    consent(api, doc_id, "national")
    assert [r["id"] for r in _search(api, "brk_reader", "?q=hubs")["results"]] == [doc_id]


def test_new_version_replaces_the_old_in_search(api, published):
    doc_id = published["national"]
    owner = api("kgm_contributor")
    owner.post(f"/api/v1/documents/{doc_id}/redactions", json={"text": "Timeliness", "category": "other"})
    assert _search(api, "brk_reader", "?q=timeliness")["total"] == 1  # not consented yet
    consent(api, doc_id, "national")
    assert _search(api, "brk_reader", "?q=timeliness")["total"] == 0


def test_search_page_area_page_and_authority_page(client, login, published):
    login("ash_reader")
    html = client.get("/search?q=stability").get_data(as_text=True)
    assert "Children in care review" in html and "<mark>Stability</mark>" in html and "1 document" in html
    assert "Children in care (1)" in html
    assert "SEND self-assessment" in client.get("/areas/send").get_data(as_text=True)
    authority = client.get("/authorities/KGM").get_data(as_text=True)
    assert "Children in care review" in authority and "Early help action plan" not in authority
    assert client.get("/areas/nothing").status_code == 404
    assert client.get("/authorities/NOPE").status_code == 404
    response = client.get("/search?service_area=astrology")
    assert response.status_code == 400 and "Unknown service area" in response.get_data(as_text=True)
    assert client.get("/search?q=%22unbalanced&page=99").status_code == 200


def test_a_misspelt_query_shows_what_its_correction_finds(client, login, published):
    login("kgm_reader")
    html = client.get("/search?q=stabilty").get_data(as_text=True)
    assert "showing results for <strong>stability</strong> instead" in html
    assert "Nothing you can read matches. Try" not in html and 'class="app-results__item"' in html
    # Newest first as well; and a filter is kept.
    html = client.get("/search?q=stabilty&service_area=children-in-care&sort=date").get_data(as_text=True)
    assert "showing results for <strong>stability</strong> instead" in html


def test_home_counts_follow_the_reader(client, login, published):
    login("brk_reader")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/areas/send"' in html and 'href="/areas/early-help"' not in html


def test_more_like_this_only_shows_what_the_reader_may_read(client, login, published):
    login("brk_reader")
    html = client.get(f"/documents/{published['national']}").get_data(as_text=True)
    assert "More like this" in html and "Early help action plan" not in html


def test_reindex_and_check_commands(app, runner, published):
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0 and "matches the database" in result.output
    app.extensions["search"].remove([published["region"]])
    result = runner.invoke(args=["search", "check"])
    assert (
        result.exit_code != 0
        and f"document {published['region']}: published but not in the index" in result.output
    )
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 3 published documents." in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


@pytest.mark.search_backend("tantivy")  # the outbox's retry; the PostgreSQL backend has no outbox
def test_a_failed_index_write_is_retried_and_never_leaves_a_withdrawn_document_findable(
    app, api, published, monkeypatch
):
    backend = app.extensions["search"]
    calls = {"n": 0}
    real_apply = backend.apply

    def failing_apply(*args, **kwargs):
        calls["n"] += 1
        raise OSError("disk full")

    monkeypatch.setattr(backend, "apply", failing_apply)
    doc_id = published["national"]
    response = api("kgm_approver").delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "x"})
    assert response.status_code == 200 and calls["n"] == 1
    # The index still holds it, but the database has the last word: nobody finds it.
    assert doc_id in backend.indexed()
    assert _search(api, "brk_reader", "?q=SEND")["results"] == []
    monkeypatch.setattr(backend, "apply", real_apply)
    assert app.extensions["search_indexer"].drain() == 1
    assert doc_id not in backend.indexed()


def test_a_correction_offers_only_words_the_reader_may_read(api, published):
    # "hubs" is only in the authority-only document of Kingsmere: its readers get what the
    # corrected query finds; others are never offered a word of a document they may not read.
    own = _search(api, "kgm_reader", "?q=hubz")
    assert own["found_by"] == "corrected" and "hub" in own["shown_for"]
    assert [r["id"] for r in own["results"]] == [published["authority"]]
    for reader in ("brk_reader", "ash_reader"):
        other = _search(api, reader, "?q=hubz")
        assert "hub" not in other.get("shown_for", "") + other.get("suggestion", "")
        assert published["authority"] not in [r["id"] for r in other["results"]]
    api("kgm_approver").delete(
        f"/api/v1/documents/{published['authority']}/consent", json={"reason": "Withdrawn."}
    )
    after = _search(api, "kgm_reader", "?q=hubz")
    assert "hub" not in after.get("shown_for", "") + after.get("suggestion", "")
    assert published["authority"] not in [r["id"] for r in after["results"]]


def test_an_authority_moved_to_another_region_is_relabelled_at_once(client, login, api, people, published):
    doc_id = published["region"]
    assert [r["id"] for r in _search(api, "ash_reader", "?q=stability")["results"]] == [doc_id]
    assert _search(api, "brk_reader", "?q=stability")["total"] == 0
    login("admin")
    response = client.post(
        f"/admin/authorities/{people.kgm_reader.authority_id}",
        data={"name": "Kingsmere Borough Council", "region": "north-west"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _search(api, "ash_reader", "?q=stability")["total"] == 0
    assert _search(api, "ash_reader", "")["facets"]["region"].get("south-east", 0) == 0
    assert [r["id"] for r in _search(api, "brk_reader", "?q=stability")["results"]] == [doc_id]


def test_results_say_what_each_document_is(client, login, published):
    login("kgm_reader")
    html = client.get("/search?q=stability").get_data(as_text=True)
    assert "<dt>Type</dt><dd>Follow-up review</dd>" in html
    assert "<dt>Service area</dt><dd>Children in care</dd>" in html
    assert "<dt>Year</dt><dd>2025</dd>" in html and "<dt>Shared</dt>" in html
    assert "Kingsmere Borough Council, South East" in html


def test_snippets_are_plain_text(api, published):
    for item in _search(api, "kgm_reader")["results"]:
        assert not item["snippet"].startswith("#") and "**" not in item["snippet"]
        assert item["snippet"].startswith(item["title"])  # the document's first heading, as words


def test_chosen_filters_are_chips_with_clear_all(client, login, published):
    login("kgm_reader")
    html = client.get("/search?q=plans&service_area=send&service_area=early-help&sort=date").get_data(
        as_text=True
    )
    assert "Chosen filters" in html
    # Each chip removes its own value and keeps the rest of the search.
    assert 'href="/search?q=plans&amp;service_area=early-help&amp;sort=date"' in html
    assert 'href="/search?q=plans&amp;service_area=send&amp;sort=date"' in html
    assert 'href="/search?q=plans&amp;sort=date">Clear all filters' in html
    assert "Chosen filters" not in client.get("/search?q=plans").get_data(as_text=True)
    # On a service area's page, its own area is not a chip.
    assert "Chosen filters" not in client.get("/areas/send").get_data(as_text=True)


def test_newest_first_says_how_it_orders(client, login, published):
    login("kgm_reader")
    html = client.get("/search?q=plans&sort=date").get_data(as_text=True)
    assert "newest first (by year, then date shared)" in html
    assert "Newest first (by year, then date shared)" in html  # the choice itself


def test_a_query_no_document_holds_every_word_of_shows_those_holding_most(client, login, api, published):
    body = _search(api, "ash_reader", "?q=stability+zzqx")
    assert body["found_by"] == "most words"
    assert [r["id"] for r in body["results"]][0] == published["region"]
    login("ash_reader")
    html = client.get("/search?q=stability+zzqx").get_data(as_text=True)
    assert "No document you can read holds every word of" in html
