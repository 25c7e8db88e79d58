"""The redaction endpoints of the API and the term lists."""

import io

import pytest

TEXT = (
    b"# Notes\n\nAmelia Hughes (NHS number 943 476 5919) met Dr Marcus Bell at the MASH.\nAmelia's school.\n"
)


def _upload(api, data: bytes, title: str, document_type: str = "action-plan") -> int:
    response = api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "title": title,
            "document_type": document_type,
            "service_areas": ["early-help"],
            "file": (io.BytesIO(data), "notes.md"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    return response.get_json()["id"]


@pytest.fixture
def doc_id(api):
    return _upload(api, TEXT, "Notes")


def test_list_accept_and_preview(api, doc_id):
    owner = api("kgm_contributor")
    items = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()["redactions"]
    assert {r["text"] for r in items} >= {"Amelia Hughes", "943 476 5919", "Dr Marcus Bell", "Amelia's"}
    assert all(set(r) >= {"id", "start", "end", "text", "category", "source", "status"} for r in items)
    assert all(r["status"] == "suggested" and r["source"] == "auto" for r in items)
    preview = owner.get(f"/api/v1/documents/{doc_id}/preview").get_json()
    assert preview["pending"] == len(items) and "Amelia Hughes" in preview["text"]
    target = next(r for r in items if r["text"] == "943 476 5919")
    response = owner.patch(
        f"/api/v1/documents/{doc_id}/redactions/{target['id']}", json={"status": "rejected"}
    )
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"
    accepted = owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all").get_json()["accepted"]
    assert accepted == len(items) - 1
    preview = owner.get(f"/api/v1/documents/{doc_id}/preview").get_json()
    assert preview["pending"] == 0
    assert preview["text"].startswith("# Notes\n\n[PERSON 1] (NHS number 943 476 5919) met [PERSON 2]")
    # A value a person chose to keep passes the final check.
    assert preview["final_check"] == {"passed": True, "findings": []}


def test_add_by_text_and_by_span(api, doc_id):
    owner = api("kgm_approver")
    response = owner.post(
        f"/api/v1/documents/{doc_id}/redactions",
        json={"text": "MASH", "all_occurrences": True, "category": "other"},
    )
    assert response.status_code == 201
    made = response.get_json()["redactions"]
    assert [(r["text"], r["source"], r["status"]) for r in made] == [("MASH", "manual", "accepted")]
    start = TEXT.decode().index("school")
    response = owner.post(
        f"/api/v1/documents/{doc_id}/redactions",
        json={"start": start, "end": start + 6, "category": "school"},
    )
    assert response.status_code == 201
    assert "[SCHOOL]" in owner.get(f"/api/v1/documents/{doc_id}/preview").get_json()["text"]


@pytest.mark.parametrize(
    "body,status",
    [
        ({"text": ""}, 400),
        ({"text": "a"}, 400),
        ({"text": "Zanzibar"}, 409),  # well formed, but not in this document's text
        ({"text": "(.*)"}, 409),
        ({"text": 5}, 400),
        ({"start": 10, "end": 5}, 400),
        ({"start": 0, "end": 99999}, 409),  # past the end of this document's text
        ({"start": "a", "end": "b"}, 400),
        ({"text": "MASH", "category": "nonsense"}, 400),
        ({}, 400),
    ],
)
def test_bad_redactions_are_refused_and_change_nothing(api, doc_id, body, status):
    owner = api("kgm_contributor")
    before = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()
    response = owner.post(f"/api/v1/documents/{doc_id}/redactions", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    assert owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json() == before


def test_overlapping_span_is_400(api, doc_id):
    owner = api("kgm_contributor")
    start = TEXT.decode().index("Hughes")
    response = owner.post(f"/api/v1/documents/{doc_id}/redactions", json={"start": start, "end": start + 3})
    assert response.status_code == 409 and "overlaps" in response.get_json()["error"]["message"]


def test_not_json_is_400(api, doc_id):
    response = api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions", data="text=MASH")
    assert response.status_code == 400


def test_bad_status_and_unknown_redaction(api, doc_id):
    owner = api("kgm_contributor")
    rid = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()["redactions"][0]["id"]
    assert (
        owner.patch(f"/api/v1/documents/{doc_id}/redactions/{rid}", json={"status": "maybe"}).status_code
        == 400
    )
    assert (
        owner.patch(f"/api/v1/documents/{doc_id}/redactions/99999", json={"status": "accepted"}).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["kgm_reader", "ash_contributor", "brk_reader", "admin"])
def test_others_never_see_redactions_or_preview(api, doc_id, who):
    caller = api(who)
    for path in ("redactions", "preview"):
        assert caller.get(f"/api/v1/documents/{doc_id}/{path}").status_code == 404
    assert caller.post(f"/api/v1/documents/{doc_id}/redactions/accept-all").status_code == 404
    assert caller.post(f"/api/v1/documents/{doc_id}/redactions", json={"text": "MASH"}).status_code == 404


def test_term_lists_through_the_api(api):
    owner = api("kgm_approver")
    response = owner.post(
        "/api/v1/terms", json={"term": "Oak Tree Nursery", "kind": "always", "category": "school"}
    )
    assert response.status_code == 201
    term_id = response.get_json()["id"]
    assert owner.get("/api/v1/terms").get_json()["terms"] == [
        {"id": term_id, "term": "Oak Tree Nursery", "kind": "always", "category": "school"}
    ]
    assert owner.post("/api/v1/terms", json={"term": "x", "kind": "always"}).status_code == 400
    assert owner.post("/api/v1/terms", json={"term": "Oak Tree Nursery", "kind": "always"}).status_code == 409
    assert api("kgm_reader").get("/api/v1/terms").status_code == 403
    assert api("ash_contributor").delete(f"/api/v1/terms/{term_id}").status_code == 404
    assert owner.delete(f"/api/v1/terms/{term_id}").status_code == 204
    assert owner.get("/api/v1/terms").get_json()["terms"] == []


def test_the_hand_off_through_the_api(api, doc_id):
    owner, approver = api("kgm_contributor"), api("kgm_approver")
    response = owner.post(f"/api/v1/documents/{doc_id}/ready")
    assert response.status_code == 409 and "still to review" in response.get_json()["error"]["message"]
    items = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()["redactions"]
    marcus = next(r for r in items if r["text"] == "Dr Marcus Bell")
    response = owner.patch(
        f"/api/v1/documents/{doc_id}/redactions/{marcus['id']}",
        json={"status": "rejected", "never_redact": True},
    )
    assert response.status_code == 200
    terms = owner.get("/api/v1/terms").get_json()["terms"]
    assert [(t["kind"], t["term"]) for t in terms] == [("never", "Dr Marcus Bell")]
    owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
    body = owner.post(f"/api/v1/documents/{doc_id}/ready").get_json()
    assert body["hand_off"]["ready_by"] == "Colin Contributor" and body["hand_off"]["ready_at"]
    assert owner.post(f"/api/v1/documents/{doc_id}/send-back", json={"note": "x"}).status_code == 403
    assert approver.post(f"/api/v1/documents/{doc_id}/send-back", json={}).status_code == 400
    assert approver.post(f"/api/v1/documents/{doc_id}/send-back", json={"note": 5}).status_code == 400
    assert (
        api("ash_approver").post(f"/api/v1/documents/{doc_id}/send-back", json={"note": "x"}).status_code
        == 404
    )
    body = approver.post(
        f"/api/v1/documents/{doc_id}/send-back", json={"note": "Check the school name."}
    ).get_json()
    assert body["hand_off"] == {
        "ready_at": None,
        "ready_by": None,
        "sent_back_at": body["hand_off"]["sent_back_at"],
        "sent_back_by": "Abi Approver",
        "note": "Check the school name.",
    }
    assert body["hand_off"]["sent_back_at"]


CASE = b"# Case\n\nChild P, an 11-year-old Syrian boy who is profoundly deaf, told us the worker listened.\n"


@pytest.fixture
def case_id(api):
    return _upload(api, CASE, "Case", "learning-summary")


def test_warnings_have_a_reason_and_can_take_the_callers_words(api, case_id):
    owner = api("kgm_contributor")
    items = owner.get(f"/api/v1/documents/{case_id}/redactions").get_json()["redactions"]
    (warning,) = [r for r in items if r["category"] == "indirect"]
    assert warning["text"] == "Child P, an 11-year-old Syrian boy who is profoundly deaf"
    assert warning["reason"] == (
        "a case-study label, an exact age, an ethnicity, nationality or faith and a disability"
    )
    assert warning["replacement"] is None
    assert all(r["reason"] is None for r in items if r["category"] != "indirect")
    url = f"/api/v1/documents/{case_id}/redactions/{warning['id']}"
    # Bad words: 400 with the field, nothing changed.
    for body in ({"replacement": ""}, {"replacement": 7}, {"replacement": "a child", "status": "rejected"}):
        response = owner.patch(url, json=body)
        assert response.status_code == 400 and response.get_json()["error"]["code"]
    response = owner.patch(url, json={"replacement": "a child who is deaf"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    assert response.get_json()["replacement"] == "a child who is deaf"
    preview = owner.get(f"/api/v1/documents/{case_id}/preview").get_json()
    assert "a child who is deaf, told us the worker listened." in preview["text"]
    assert "Syrian" not in preview["text"]
    # Readers of another authority cannot reach it at all.
    assert api("ash_contributor").patch(url, json={"replacement": "x y"}).status_code == 404
