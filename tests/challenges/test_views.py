"""Peer challenges, key lines of enquiry, the outline, the starter, compare and Word downloads
through the API and the pages."""

import io

import docx
import pytest

from library.challenges import service as challenges
from library.core.models import ChallengeRedaction
from tests.helpers import publish

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCOPING = """# Front door scoping letter

## The purpose of the peer challenge

To look hard at thresholds.

## Key lines of enquiry

1. Are thresholds understood by partners?
2. How quickly are decisions made on contacts?

## Contacts

- The team
"""


@pytest.fixture
def challenge(app, db, people, api, make_document):
    owner = api("kgm_contributor")
    response = owner.post(
        "/api/v1/challenges",
        json={
            "title": "Front door challenge",
            "year": 2025,
            "service_areas": ["front-door-and-mash"],
            "focus": "Thresholds",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/challenges/{body['id']}")
    ids = {"challenge": body["id"]}
    for doc_type, scope, text in (
        ("action-plan", "authority", "# Plan\n\n## Actions\n\n- Act\n"),
        ("scoping-document", "national", SCOPING),
        ("self-assessment", "region", "# SA\n\n## Introduction\n\nWords.\n"),
    ):
        document = make_document(
            text,
            title=f"Front door {doc_type}",
            document_type=doc_type,
            service_areas=["front-door-and-mash"],
        )
        patched = owner.patch(f"/api/v1/documents/{document.id}", json={"challenge_id": body["id"]})
        assert patched.status_code == 200
        assert patched.get_json()["challenge"] == {"id": body["id"], "title": "Front door challenge"}
        ids[doc_type] = publish(app, db, people, lambda *_a, made=document, **_k: made, "", scope)
    return ids


def test_the_api_gives_each_reader_their_part_of_a_challenge_in_chain_order(api, challenge):
    def types(who):
        response = api(who).get(f"/api/v1/challenges/{challenge['challenge']}")
        return response.status_code, [d["document_type"] for d in response.get_json().get("documents", [])]

    assert types("kgm_reader") == (200, ["scoping-document", "self-assessment", "action-plan"])
    assert types("ash_reader") == (200, ["scoping-document", "self-assessment"])
    assert types("brk_reader") == (200, ["scoping-document"])
    body = api("brk_reader").get(f"/api/v1/challenges/{challenge['challenge']}").get_json()
    assert body["title"] == "Front door challenge" and body["authority"]["code"] == "KGM"
    assert body["service_areas"] == ["front-door-and-mash"] and body["focus"] == "Thresholds"
    assert body["documents"][0]["url"] == f"/documents/{challenge['scoping-document']}"
    listed = api("brk_reader").get("/api/v1/challenges?service_area=front-door-and-mash&year=2025").get_json()
    assert [c["id"] for c in listed["results"]] == [challenge["challenge"]] and listed["results"][0][
        "documents"
    ] == 1
    document = api("brk_reader").get(f"/api/v1/documents/{challenge['scoping-document']}").get_json()
    assert document["challenge"] == {"id": challenge["challenge"], "title": "Front door challenge"}


def test_bad_challenge_input_gets_a_clear_answer(api, challenge, make_document):
    assert (
        api("kgm_reader")
        .post("/api/v1/challenges", json={"title": "X", "service_areas": ["send"]})
        .status_code
        == 403
    )
    bad = api("kgm_contributor").post("/api/v1/challenges", json={"title": "", "service_areas": ["nowhere"]})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"title", "service_areas"}
    assert api("brk_reader").get("/api/v1/challenges?region=atlantis").status_code == 400
    assert api("brk_reader").get("/api/v1/challenges/999999").status_code == 404
    theirs = make_document("# Notes\n", who="ash_contributor")
    wrong = api("ash_contributor").patch(
        f"/api/v1/documents/{theirs.id}", json={"challenge_id": challenge["challenge"]}
    )
    assert wrong.status_code == 404 and wrong.get_json()["error"]["fields"] == {
        "challenge_id": wrong.get_json()["error"]["message"]
    }
    assert (
        api("ash_contributor")
        .patch(f"/api/v1/challenges/{challenge['challenge']}", json={"title": "Mine"})
        .status_code
        == 404
    )
    renamed = api("kgm_approver").patch(
        f"/api/v1/challenges/{challenge['challenge']}", json={"title": "Renamed"}
    )
    assert renamed.status_code == 200 and renamed.get_json()["title"] == "Renamed"
    # Readers keep the title consented with the documents they read.
    assert (
        api("brk_reader").get(f"/api/v1/challenges/{challenge['challenge']}").get_json()["title"]
        == "Front door challenge"
    )


def test_kloes_outline_and_starter_through_the_api(api, challenge):
    reader = api("brk_reader")
    bank = reader.get("/api/v1/kloes?service_area=front-door-and-mash").get_json()
    assert bank["total"] == 2
    assert bank["results"][0]["document"]["url"] == f"/documents/{challenge['scoping-document']}#section-3"
    outline = reader.get(
        "/api/v1/outline?document_type=scoping-document&service_area=front-door-and-mash"
    ).get_json()
    assert outline["examples"] == 1 and outline["sections"][0]["count"] == 1
    assert reader.get("/api/v1/outline?document_type=nope&service_area=send").status_code == 400
    assert reader.get("/api/v1/outline?service_area=send").status_code == 400
    made = reader.post(
        "/api/v1/starter",
        json={
            "document_type": "scoping-document",
            "service_area": "front-door-and-mash",
            "headings": ["Key lines of enquiry", "The purpose of the peer challenge"],
            "kloe_ids": [bank["results"][0]["id"]],
        },
    )
    assert made.status_code == 200 and made.mimetype == DOCX
    document = docx.Document(io.BytesIO(made.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["The purpose of the peer challenge", "Key lines of enquiry"]
    assert any(bank["results"][0]["text"] in p.text for p in document.paragraphs)
    for body, status in (
        ({"document_type": "scoping-document", "service_area": "front-door-and-mash", "headings": []}, 400),
        ({"document_type": "scoping-document", "service_area": "atlantis", "headings": ["A"]}, 400),
        (
            {
                "document_type": "scoping-document",
                "service_area": "send",
                "headings": ["A"],
                "kloe_ids": [99999],
            },
            404,
        ),
        (
            {"document_type": "scoping-document", "service_area": "send", "headings": ["A"], "kloe_ids": "1"},
            400,
        ),
    ):
        assert reader.post("/api/v1/starter", json=body).status_code == status, body


def test_word_and_markdown_downloads(api, challenge):
    reader = api("brk_reader")
    word = reader.get(f"/api/v1/documents/{challenge['scoping-document']}/download?format=docx")
    assert word.status_code == 200 and word.mimetype == DOCX
    assert word.headers["Content-Disposition"].endswith('.docx"')
    paragraphs = [(p.style.name, p.text) for p in docx.Document(io.BytesIO(word.data)).paragraphs]
    assert ("Heading 2", "Key lines of enquiry") in paragraphs
    assert ("List Number", "Are thresholds understood by partners?") in paragraphs
    markdown = reader.get(f"/api/v1/documents/{challenge['scoping-document']}/download?format=md")
    assert markdown.mimetype == "text/markdown" and "## Key lines of enquiry" in markdown.get_data(
        as_text=True
    )
    assert (
        reader.get(f"/api/v1/documents/{challenge['scoping-document']}/download?format=pdf").status_code
        == 400
    )
    assert reader.get(f"/api/v1/documents/{challenge['action-plan']}/download?format=docx").status_code == 404


def test_the_pages(client, login, challenge, db, people):
    login("ash_reader")
    page = client.get(f"/challenges/{challenge['challenge']}").get_data(as_text=True)
    assert page.index("Front door scoping-document") < page.index("Front door self-assessment")
    assert "Front door action-plan" not in page
    listing = client.get("/challenges?region=south-east").get_data(as_text=True)
    assert "Front door challenge" in listing and "1 peer challenge" in listing
    assert client.get("/challenges?service_area=atlantis").status_code == 400
    shown = client.get(f"/documents/{challenge['scoping-document']}").get_data(as_text=True)
    assert "Part of:" in shown and f"/documents/{challenge['self-assessment']}" in shown
    assert 'id="section-3"' in shown and "format=docx" in shown
    kloes = client.get("/kloes?q=thresholds").get_data(as_text=True)
    assert "Are thresholds understood by partners?" in kloes and "1 key line of enquiry" in kloes
    start = client.get("/start?document_type=scoping-document&service_area=front-door-and-mash")
    assert start.status_code == 200 and "Key lines of enquiry" in start.get_data(as_text=True)
    assert client.get("/start?document_type=nope&service_area=send").status_code == 400
    compare = client.get(f"/compare?ids={challenge['scoping-document']}&ids={challenge['self-assessment']}")
    assert compare.status_code == 400  # not of one type
    assert (
        client.get(f"/compare?ids={challenge['action-plan']}&ids={challenge['scoping-document']}").status_code
        == 404
    )
    results = client.get("/search?q=front+door").get_data(as_text=True)
    assert "Part of:" in results


def test_the_starter_form_downloads_a_word_document_or_says_what_is_missing(client, login, challenge):
    login("brk_reader")
    page = client.get("/start?document_type=scoping-document&service_area=front-door-and-mash").get_data(
        as_text=True
    )
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, "document_type": "scoping-document", "service_area": "front-door-and-mash"}
    missing = client.post("/start", data=form)
    assert missing.status_code == 400 and "Choose at least one heading" in missing.get_data(as_text=True)
    made = client.post("/start", data={**form, "headings": ["Key lines of enquiry", "Our own heading"]})
    assert made.status_code == 200 and made.mimetype == DOCX


def test_owners_record_a_challenge_and_attach_documents_on_the_pages(
    client, login, db, people, make_document
):
    login("kgm_contributor")
    page = client.get("/challenges/new").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    bad = client.post("/challenges/new", data={"csrf_token": token, "title": ""})
    assert bad.status_code == 400 and "Enter a title" in bad.get_data(as_text=True)
    made = client.post(
        "/challenges/new",
        data={
            "csrf_token": token,
            "title": "SEND challenge",
            "year": "2025",
            "service_areas": ["send"],
            "focus": "Plans",
        },
    )
    assert made.status_code == 302
    challenge_id = int(made.headers["Location"].rsplit("/", 1)[1])
    document = make_document("# Notes\n", service_areas=["send"])
    edit = client.get(f"/documents/{document.id}/edit").get_data(as_text=True)
    assert "SEND challenge (2025)" in edit
    form = {
        "csrf_token": token,
        "title": "Notes",
        "document_type": "action-plan",
        "service_areas": ["send"],
        "challenge": str(challenge_id),
    }
    assert client.post(f"/documents/{document.id}/edit", data=form).status_code == 302
    shown = client.get(f"/challenges/{challenge_id}").get_data(as_text=True)
    assert "Notes" in shown and "Draft" in shown
    assert challenges.view(db, db.merge(people.kgm_contributor), challenge_id).documents[0].id == document.id


def test_the_consent_page_shows_the_challenge_details_and_the_kloes_that_will_be_shared(
    client, login, api, make_document
):
    owner = api("kgm_contributor")
    made = owner.post(
        "/api/v1/challenges",
        json={
            "title": "Thresholds challenge",
            "year": 2025,
            "service_areas": ["early-help"],
            "focus": "Step-down",
        },
    ).get_json()
    document = make_document(SCOPING, document_type="scoping-document")
    owner.patch(f"/api/v1/documents/{document.id}", json={"challenge_id": made["id"]})
    login("kgm_approver")
    page = client.get(f"/documents/{document.id}/consent").get_data(as_text=True)
    assert 'id="consent-challenge"' in page and "Thresholds challenge" in page and "Step-down" in page
    kloes = page.split('id="consent-kloes"')[1]
    assert "Are thresholds understood by partners?" in kloes and "How quickly are decisions made" in kloes
    # The details are part of what is consented to: changing them changes the hash.
    before = owner.get(f"/api/v1/documents/{document.id}/preview").get_json()["content_hash"]
    owner.patch(f"/api/v1/challenges/{made['id']}", json={"focus": "Something else"})
    assert owner.get(f"/api/v1/documents/{document.id}/preview").get_json()["content_hash"] != before


def test_deleting_a_document_for_good_deletes_its_kloes(app, db, people, api, challenge):
    from sqlalchemy import func, select

    from library.core.models import Kloe
    from library.documents import publication

    assert (
        db.scalar(select(func.count(Kloe.id)).where(Kloe.document_id == challenge["scoping-document"])) == 2
    )
    with app.app_context():
        publication.withdraw(db, people.kgm_approver, challenge["scoping-document"], "Gone.")
    assert api("kgm_approver").delete(f"/api/v1/documents/{challenge['scoping-document']}").status_code == 204
    db.expire_all()
    assert (
        db.scalar(select(func.count(Kloe.id)).where(Kloe.document_id == challenge["scoping-document"])) == 0
    )
    assert api("brk_reader").get(f"/api/v1/challenges/{challenge['challenge']}").status_code == 404


def test_withdrawing_the_scoping_document_takes_its_kloes_out_of_the_bank_and_later_starters(
    app, db, people, api, challenge
):
    from library.documents import publication

    reader = api("brk_reader")
    bank = reader.get("/api/v1/kloes").get_json()
    ids = [k["id"] for k in bank["results"] if k["document"]["id"] == challenge["scoping-document"]]
    assert len(ids) == 2
    body = {
        "document_type": "scoping-document",
        "service_area": "front-door-and-mash",
        "headings": ["Key lines of enquiry"],
        "kloe_ids": ids,
    }
    before = docx.Document(io.BytesIO(reader.post("/api/v1/starter", json=body).data))
    assert any("Are thresholds understood by partners?" in p.text for p in before.paragraphs)
    with app.app_context():
        publication.withdraw(db, people.kgm_approver, challenge["scoping-document"], "Superseded.")
    assert reader.get("/api/v1/kloes").get_json()["total"] == bank["total"] - 2
    assert reader.post("/api/v1/starter", json=body).status_code == 404
    after = reader.post("/api/v1/starter", json={**body, "kloe_ids": []})
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(after.data)).paragraphs)
    assert (
        "Are thresholds understood" not in text and f"/documents/{challenge['scoping-document']}" not in text
    )
    assert "None: the headings chosen are your own." in text
    outline = reader.get("/api/v1/outline?document_type=scoping-document&service_area=front-door-and-mash")
    assert outline.get_json()["examples"] == 0


def test_nothing_of_a_region_scoped_document_reaches_another_region_through_any_route(
    app, db, people, api, client, login, make_document
):
    secret = "tangerine lighthouse"
    challenge = api("kgm_contributor").post(
        "/api/v1/challenges",
        json={
            "title": "Tangerine lighthouse challenge",
            "year": 2025,
            "service_areas": ["send"],
            "focus": "x",
        },
    )
    publish(
        app,
        db,
        people,
        make_document,
        "# SEND\n\n## Tangerine lighthouse model\n\nThe tangerine lighthouse model works. Families are seen "
        "within a week and every school has a named worker who knows them.\n\n"
        "## Key lines of enquiry\n\n1. Does the tangerine lighthouse model reach every family?\n",
        "region",
        challenge=challenge.get_json()["id"],
        title="Tangerine lighthouse self-assessment",
        document_type="self-assessment",
        service_areas=["send"],
    )
    body = {"document_type": "self-assessment", "service_area": "send", "headings": ["Key lines of enquiry"]}

    def everything(who):
        reader = api(who)
        outline = reader.get("/api/v1/outline?document_type=self-assessment&service_area=send").get_json()
        headings = [s["heading"] for s in outline["sections"]] + ["Key lines of enquiry"]
        starter = reader.post("/api/v1/starter", json={**body, "headings": headings, "extracts": headings})
        words = [
            str(outline),
            reader.get("/api/v1/kloes?q=tangerine").get_data(as_text=True),
            reader.get("/api/v1/challenges").get_data(as_text=True),
            reader.get("/api/v1/search?q=tangerine+lighthouse").get_data(as_text=True),
            "\n".join(p.text for p in docx.Document(io.BytesIO(starter.data)).paragraphs),
        ]
        login(who)
        for page in ("/start?document_type=self-assessment&service_area=send", "/kloes", "/challenges"):
            words.append(client.get(page).get_data(as_text=True))
        client.post("/logout")
        return "\n".join(words).lower()

    assert secret not in everything("brk_reader")
    seen = everything("ash_reader")  # a reader of the region gets it: the check above can fail
    assert "the tangerine lighthouse model works." in seen and "reach every family?" in seen


def _attached(api, make_document, title: str, focus: str) -> tuple[dict, int]:
    """A Kingsmere challenge with these details and a scoping document attached to it."""
    owner = api("kgm_contributor")
    made = owner.post(
        "/api/v1/challenges", json={"title": title, "year": 2025, "service_areas": ["send"], "focus": focus}
    ).get_json()
    document = make_document("# Notes\n\nNothing personal.\n", document_type="scoping-document")
    owner.patch(f"/api/v1/documents/{document.id}", json={"challenge_id": made["id"]})
    return made, document.id


def _consent(api, document_id: int):
    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{document_id}/preview").get_json()["content_hash"]
    return approver.post(
        f"/api/v1/documents/{document_id}/consent",
        json={"scope": "national", "confirm": True, "content_hash": content_hash},
    )


def test_a_name_in_the_challenge_details_is_reviewed_like_the_text_before_consent(
    app, db, people, client, login, api, make_document
):
    """The title and focus are shared with each document: what the detectors find in them is a
    suggestion its owners redact, keep or put in their own words, and consent waits for it."""
    owner = api("kgm_contributor")
    made, document_id = _attached(api, make_document, "Front door", "Led by Amelia Hughes")
    refused = _consent(api, document_id)
    assert refused.status_code == 409
    assert "peer challenge's details" in refused.get_json()["error"]["message"]
    assert "Amelia" not in refused.get_json()["error"]["message"]  # (an error names no value)
    login("kgm_approver")
    consent_page = client.get(f"/documents/{document_id}/consent").get_data(as_text=True)
    review_url = f"/documents/{document_id}/challenge-details"
    assert review_url in consent_page
    page = client.get(review_url).get_data(as_text=True)
    assert "“Amelia Hughes” in the focus" in page and "To review" in page
    row = db.query(ChallengeRedaction).filter_by(challenge_id=made["id"]).one()
    assert row.text == "Amelia Hughes" and row.category == "person"
    # Own words are refused for a name (it keeps its numbered label); redacting it is the way.
    refused_words = client.post(
        f"{review_url}/{row.id}", data={"action": "words", "replacement": "a manager", "csrf_token": "x"}
    )
    assert refused_words.status_code == 400 and "numbered label" in refused_words.get_data(as_text=True)
    client.post(f"{review_url}/{row.id}", data={"action": "redact"})
    db.expire_all()
    assert db.get(ChallengeRedaction, row.id).status == "accepted"
    shared = _consent(api, document_id)
    assert shared.status_code == 200
    assert (
        api("brk_reader").get(f"/api/v1/challenges/{made['id']}").get_json()["focus"] == "Led by [PERSON 1]"
    )
    # The owners' working details are unchanged; renaming the challenge still works, and a
    # decision stays only while its words are there.
    owner.patch(f"/api/v1/challenges/{made['id']}", json={"focus": "Thresholds at the front door"})
    db.expire_all()
    assert client.get(review_url).status_code == 200
    assert db.query(ChallengeRedaction).filter_by(challenge_id=made["id"]).count() == 0


def test_a_kept_suggestion_in_the_challenge_details_is_shared_as_it_is(
    app, db, people, client, login, api, make_document
):
    made, document_id = _attached(api, make_document, "Hughes Road family hub review", "")
    login("kgm_contributor")
    review_url = f"/documents/{document_id}/challenge-details"
    client.get(review_url)
    rows = db.query(ChallengeRedaction).filter_by(challenge_id=made["id"]).all()
    for row in rows:
        client.post(f"{review_url}/{row.id}", data={"action": "keep"})
    shared = _consent(api, document_id)
    assert shared.status_code == 200, shared.get_json()
    assert api("brk_reader").get(f"/api/v1/challenges/{made['id']}").get_json()["title"] == (
        "Hughes Road family hub review"
    )
    # A reader of another authority cannot see or decide the suggestions.
    login("brk_reader")
    assert client.get(review_url).status_code == 404


def test_the_api_lists_and_decides_the_suggestions_in_the_challenge_details(
    app, db, people, api, make_document
):
    owner = api("kgm_contributor")
    made, document_id = _attached(api, make_document, "Front door", "Ring 01632 960415 first")
    listed = owner.get(f"/api/v1/documents/{document_id}/challenge-redactions").get_json()["redactions"]
    assert [(r["field"], r["text"], r["category"], r["status"]) for r in listed] == [
        ("focus", "01632 960415", "phone", "suggested")
    ]
    url = f"/api/v1/documents/{document_id}/challenge-redactions/{listed[0]['id']}"
    assert api("ash_contributor").patch(url, json={"status": "accepted"}).status_code == 404
    assert owner.patch(url, json={"status": "maybe"}).status_code == 400
    done = owner.patch(url, json={"replacement": "the duty line"})
    assert done.status_code == 200 and done.get_json()["replacement"] == "the duty line"
    shared = _consent(api, document_id)
    assert shared.status_code == 200
    assert (
        api("brk_reader").get(f"/api/v1/challenges/{made['id']}").get_json()["focus"]
        == "Ring the duty line first"
    )
