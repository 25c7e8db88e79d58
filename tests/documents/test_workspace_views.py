"""The redaction workspace page and the term lists page, without JavaScript."""

import io
import re

import pytest
from sqlalchemy import select

from library.core.models import Redaction

TEXT = b"# Notes\n\nAmelia Hughes met Dr Marcus Bell at the MASH. Amelia's school is <b>Oakfield</b>.\n"


def _upload(client, login, data: bytes, title: str, document_type: str = "action-plan") -> int:
    login("kgm_contributor")
    response = client.post(
        "/upload",
        data={
            "title": title,
            "document_type": document_type,
            "service_areas": ["early-help"],
            "file": (io.BytesIO(data), "n.md"),
        },
        content_type="multipart/form-data",
    )
    return int(re.search(r"/documents/(\d+)/redact", response.headers["Location"]).group(1))


@pytest.fixture
def doc_id(client, login):
    return _upload(client, login, TEXT, "Notes on Amelia Hughes")


def _preview(html: str) -> str:
    return html.split('id="preview-text"')[1].split('id="app-groups-heading"')[0]


def _page(client, doc_id) -> str:
    response = client.get(f"/documents/{doc_id}/redact")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_workspace_shows_suggestions_progress_and_preview(client, doc_id):
    html = _page(client, doc_id)
    assert "0 of 4</strong> suggestions reviewed" in html
    assert re.search(
        r'<mark class="app-mark app-mark--suggested" id="r-\d+" data-id="\d+" data-category="person">'
        r"Amelia Hughes",
        html,
    )
    # The text is formatted (its heading is a heading) and escaped, never interpreted.
    assert '<h4 class="govuk-heading-s">Notes</h4>' in html.split('id="document-text"')[1]
    assert "&lt;b&gt;Oakfield&lt;/b&gt;" in html
    assert 'id="preview-text"' in html
    assert "Redact all 4 still to review" in html
    # Grouped by value and kind: Amelia's two forms are separate values, people a kind of their own.
    assert "Redact all 4 names of people" in html


def test_document_page_links_to_the_workspace(client, doc_id):
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert f'href="/documents/{doc_id}/redact"' in html and "4 to review" in html


def test_accept_reject_and_accept_all_with_plain_forms(client, db, doc_id):
    rows = list(db.scalars(select(Redaction).where(Redaction.document_id == doc_id).order_by(Redaction.id)))
    marcus = next(r for r in rows if r.text == "Dr Marcus Bell")
    response = client.post(f"/documents/{doc_id}/redactions/{marcus.id}", data={"status": "rejected"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#r-{marcus.id}")
    response = client.post(
        f"/documents/{doc_id}/redactions/value", data={"value": "Amelia Hughes", "status": "accepted"}
    )
    assert response.status_code == 302
    client.post(f"/documents/{doc_id}/redactions/accept-all")
    html = _page(client, doc_id)
    assert "4 of 4</strong> suggestions reviewed" in html
    preview = _preview(html)
    assert "Amelia" not in preview and "Dr Marcus Bell" in preview
    # Kept on purpose: the final check does not count it.
    assert "The final check found" not in html and "Final check passed" in html


def test_redact_more_text_form(client, doc_id):
    response = client.post(
        f"/documents/{doc_id}/redactions/add",
        data={"text": "Oakfield", "category": "school", "all_occurrences": "y"},
    )
    assert response.status_code == 302
    html = _page(client, doc_id)
    assert "[SCHOOL]" in _preview(html)


@pytest.mark.parametrize(
    "text,message,status",
    [
        ("", "Enter the text to redact.", 400),
        ("x", "at least two characters", 400),
        ("Nowhere", "is not in the text", 409),
    ],
)
def test_redact_more_text_errors(client, doc_id, text, message, status):
    response = client.post(f"/documents/{doc_id}/redactions/add", data={"text": text, "category": "other"})
    assert response.status_code == status
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "There is a problem" in html and message in html


def test_check_again_applies_new_terms(client, doc_id):
    client.post("/terms", data={"term": "Oakfield", "kind": "always", "category": "school"})
    client.post(f"/documents/{doc_id}/redactions/detect")
    html = _page(client, doc_id)
    assert re.search(r'data-category="school">Oakfield', html)


FETCH = {"X-Requested-With": "fetch"}


def test_a_decision_in_the_background_gets_the_changed_parts(client, db, doc_id):
    rows = list(db.scalars(select(Redaction).where(Redaction.document_id == doc_id)))
    marcus = next(r for r in rows if r.text == "Dr Marcus Bell")
    response = client.post(
        f"/documents/{doc_id}/redactions/{marcus.id}",
        data={"status": "accepted"},
        headers={**FETCH, "X-Known-Marks": str(len(rows))},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == "Redacted “Dr Marcus Bell”."
    assert body["statuses"][str(marcus.id)] == "accepted" and body["pending"] == 3
    assert "1 of 4</strong> suggestions reviewed" in body["status_html"]
    assert "[PERSON" in body["preview_html"] and "Marcus" not in body["preview_html"]
    # Nothing was added: the page updates the highlights and the list's counts itself.
    assert "document_html" not in body and "groups_html" not in body
    assert sorted(body["groups"].values()) == [[0, 1, 0], [1, 0, 0], [2, 0, 0]]  # Amelia Hughes twice
    assert "Redact all 3 names of people" in body["kinds_html"]
    # Accepting a name adds its other forms: then the text comes back with the new highlights.
    response = client.post(
        f"/documents/{doc_id}/redactions/value",
        data={"value": "amelia hughes", "category": "person", "status": "accepted"},
        headers={**FETCH, "X-Known-Marks": str(len(rows))},
    )
    body = response.get_json()
    assert body["message"] == "Redacted “amelia hughes” in 2 places."  # the title and the text
    assert body["total"] >= len(rows) and ("document_html" in body) == (body["total"] != len(rows))


def test_background_errors_are_json(client, doc_id):
    response = client.post(
        f"/documents/{doc_id}/redactions/value", data={"value": "nobody", "status": "accepted"}, headers=FETCH
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "No suggestion has that value."
    response = client.post(f"/documents/{doc_id}/redactions/category", data={"category": "x"}, headers=FETCH)
    assert response.status_code == 400 and "Unknown category" in response.get_json()["error"]["message"]


def test_a_whole_kind_and_the_final_check_links_to_its_findings(client, doc_id):
    response = client.post(f"/documents/{doc_id}/redactions/category", data={"category": "person"})
    assert response.status_code == 302
    client.post("/terms", data={"term": "MASH", "kind": "always", "category": "other"})
    html = _page(client, doc_id)
    assert "0 still to review" not in html and "The final check found 1 thing still to redact" in html
    anchor = re.search(r'<a class="govuk-link" href="#(r-f1)">“MASH” in the text</a>', html)
    assert anchor and 'id="r-f1"' in html  # the place is highlighted in the text
    start = TEXT.decode().index("MASH")
    response = client.post(
        f"/documents/{doc_id}/redactions/add",
        data={"field": "text", "start": str(start), "end": str(start + 4), "category": "other"},
    )
    assert response.status_code == 302
    html = _page(client, doc_id)
    assert "Final check passed" in html and "Mark ready for approval" in html


def test_keep_with_the_never_redact_list_from_the_page(client, db, doc_id):
    response = client.post(
        f"/documents/{doc_id}/redactions/value",
        data={"value": "Dr Marcus Bell", "category": "person", "status": "rejected", "never_redact": "y"},
    )
    assert response.status_code == 302
    assert "Dr Marcus Bell" in client.get("/terms").get_data(as_text=True)


def test_mark_ready_from_the_workspace(client, doc_id):
    response = client.post(f"/documents/{doc_id}/ready")
    assert response.status_code == 409 and "still to review" in response.get_data(as_text=True)
    client.post(f"/documents/{doc_id}/redactions/accept-all")
    response = client.post(f"/documents/{doc_id}/ready", follow_redirects=True)
    assert "Marked ready for approval" in response.get_data(as_text=True)
    assert "Marked ready for approval by Colin Contributor" in _page(client, doc_id)


def test_others_cannot_open_the_workspace(client, login, doc_id):
    client.post("/logout")
    for who in ("kgm_reader", "ash_contributor", "admin"):
        login(who)
        assert client.get(f"/documents/{doc_id}/redact").status_code == 404, who
        assert client.post(f"/documents/{doc_id}/redactions/accept-all").status_code == 404, who
        client.post("/logout")


def test_terms_page(client, login, people):
    login("kgm_approver")
    assert "None yet." in client.get("/terms").get_data(as_text=True)
    response = client.post(
        "/terms", data={"term": "Brookfield Estate", "kind": "always", "category": "place"}
    )
    assert response.status_code == 302
    html = client.get("/terms").get_data(as_text=True)
    assert "Brookfield Estate" in html
    response = client.post("/terms", data={"term": "b", "kind": "always", "category": "place"})
    assert response.status_code == 400 and "at least two characters" in response.get_data(as_text=True)
    term_id = re.search(r"/terms/(\d+)/delete", html).group(1)
    assert client.post(f"/terms/{term_id}/delete").status_code == 302
    assert "Brookfield Estate" not in client.get("/terms").get_data(as_text=True)


def test_readers_have_no_terms_page(client, login):
    login("kgm_reader")
    assert client.get("/terms").status_code == 403


def test_each_suggestion_says_what_found_it(client, doc_id):
    html = _page(client, doc_id)
    assert "suggested because a title such as Mr, Dr or Cllr comes before it" in html


CASE = (
    b"# Case\n\nThe review heard about the only 14-year-old Roma girl at Hillcrest Academy, "
    b"who had been out of school since Easter. Amelia Hughes said so.\n"
)


@pytest.fixture
def case_id(client, login):
    return _upload(client, login, CASE, "Case", "learning-summary")


def _warning(db, case_id):
    return db.scalars(
        select(Redaction).where(Redaction.document_id == case_id, Redaction.category == "indirect")
    ).one()


def test_a_warning_looks_different_and_says_why(client, db, case_id):
    warning = _warning(db, case_id)
    html = _page(client, case_id)
    assert re.search(
        rf'<mark class="app-mark app-mark--suggested app-mark--indirect" id="r-{warning.id}" '
        rf'data-id="{warning.id}" data-category="indirect" data-reason="[^"]+">the only 14-year-old',
        html,
    )
    why = (
        "a very small number of people, an exact age, an ethnicity, nationality or faith and a named setting"
    )
    assert f"Why: {why}." in html
    assert f'for="replacement-{warning.id}">Or write it more generally' in html
    assert "Warning: details that together may identify someone" in html


def test_generalising_without_javascript(client, db, case_id):
    warning = _warning(db, case_id)
    url = f"/documents/{case_id}/redactions/{warning.id}/generalise"
    response = client.post(url, data={"replacement": "Amelia Hughes"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and f'href="#replacement-{warning.id}"' in html
    assert "name of a person" in html and 'value="Amelia Hughes"' in html
    response = client.post(url, data={"replacement": "a girl at a local school"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#replacement-{warning.id}")
    html = _page(client, case_id)
    assert "Readers will see “a girl at a local school” there instead." in html
    assert "readers see “a girl at a local school”" in html
    assert "The review heard about a girl at a local school, who had been out of school" in _preview(html)


def test_generalising_in_the_background_redraws_the_text_and_the_list(client, db, case_id):
    warning = _warning(db, case_id)
    url = f"/documents/{case_id}/redactions/{warning.id}/generalise"
    response = client.post(url, data={"replacement": ""}, headers=FETCH)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Enter the words readers will see instead."
    response = client.post(url, data={"replacement": "a teenager"}, headers={**FETCH, "X-Known-Marks": "2"})
    body = response.get_json()
    assert response.status_code == 200 and body["statuses"][str(warning.id)] == "accepted"
    assert (
        "generalised: warning" in body["document_html"] and "readers see “a teenager”" in body["groups_html"]
    )
    assert "heard about a teenager, who had" in body["preview_html"]


@pytest.mark.parametrize(
    ("who", "status"), [("ash_contributor", 404), ("brk_approver", 404), ("kgm_reader", 404)]
)
def test_only_the_owning_authoritys_editors_may_generalise(client, db, login, case_id, who, status):
    warning = _warning(db, case_id)
    client.post("/logout")
    login(who)
    response = client.post(
        f"/documents/{case_id}/redactions/{warning.id}/generalise", data={"replacement": "a pupil"}
    )
    assert response.status_code == status
    db.refresh(warning)
    assert warning.status == "suggested" and warning.replacement is None


def test_each_value_links_to_its_places_a_page_at_a_time(client, db, login):
    text = "# Notes\n\n" + "".join(f"Amelia Hughes was seen on visit {i}.\n\n" for i in range(1, 31))
    doc_id = _upload(client, login, text.encode(), "Visits")
    html = _page(client, doc_id)
    link = re.search(rf'href="(/documents/{doc_id}/redact/places/[0-9a-f]+)">Each place', html)
    assert link, "each value links to its places"
    # The workspace holds no per-place forms: the list of places is its own, paged page.
    assert 'id="row-' not in html
    first = client.get(link.group(1)).get_data(as_text=True)
    assert first.count('<li id="row-') == 25 and "Page 1 of 2" in first
    second = client.get(link.group(1) + "?page=2").get_data(as_text=True)
    assert second.count('<li id="row-') == 5
    # Without script, a decision there comes back to the same page, at the place decided.
    rid = int(re.search(r'<li id="row-(\d+)"', second).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', second).group(1)
    response = client.post(
        f"/documents/{doc_id}/redactions/{rid}",
        data={"status": "rejected", "csrf_token": token, "next": link.group(1) + "?page=2"},
    )
    assert response.headers["Location"].endswith(f"{link.group(1)}?page=2#row-{rid}")
    assert db.get(Redaction, rid).status == "rejected"
    # A value that is not there: 404.
    assert client.get(f"/documents/{doc_id}/redact/places/ffffffffffff").status_code == 404
    # Only the owning authority's editors see a value's places.
    client.post("/logout")
    for who in ("ash_contributor", "kgm_reader"):
        login(who)
        assert client.get(link.group(1)).status_code == 404
        client.post("/logout")


def test_many_values_are_listed_a_page_at_a_time(client, login):
    names = [
        f"{first} {last}"
        for first in ("Amelia", "Priya", "Tomasz", "Grace", "Kwame", "Siobhan")
        for last in ("Hughes", "Patel", "Nowak", "Okafor", "Murphy")
    ]
    text = "# Notes\n\n" + "".join(f"We met {name} at the hub.\n\n" for name in names)
    doc_id = _upload(client, login, text.encode(), "Meetings")
    html = _page(client, doc_id)
    assert html.count('class="app-group') >= 25 and 'aria-label="Pages of values"' in html
    assert (
        html.split('class="govuk-list app-groups"')[1].split("</ol>")[0].count('<li class="app-group') == 25
    )
    later = client.get(f"/documents/{doc_id}/redact?values=2").get_data(as_text=True)
    assert "Values 26 to" in later
    assert client.get(f"/documents/{doc_id}/redact?values=999").status_code == 200  # the last page


def test_what_readers_will_see_has_a_contents_list(client, login):
    text = "# Plan\n\n" + "".join(
        f"## Part {i}\n\nAmelia Hughes met the team, part {i}.\n\n" for i in range(1, 5)
    )
    doc_id = _upload(client, login, text.encode(), "Plan in parts")
    preview = _preview(_page(client, doc_id))
    assert 'aria-label="Contents of what readers will see"' in preview
    for i in range(1, 5):
        assert re.search(rf'href="#section-\d+">Part {i}</a>', preview)
        assert re.search(rf'id="section-\d+"[^>]*>Part {i}<', preview)
