"""Consent, versions and withdrawal through the pages and the API, as readers meet them."""

import csv
import io
import re

import pytest

TEXT = b"# Early help plan\n\nAmelia Hughes (DOB 03/04/2014) was stepped down by the MASH.\n"


def upload(api, title="Early help plan") -> int:
    """A draft of TEXT uploaded by Kingsmere's contributor, its suggestions still to review."""
    response = api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "title": title,
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            "year": "2025",
            "file": (io.BytesIO(TEXT), "plan.md"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    return response.get_json()["id"]


@pytest.fixture
def doc_id(api):
    doc_id = upload(api)
    assert api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions/accept-all").status_code == 200
    return doc_id


def consent(api, doc_id, scope="region", **extra):
    """Consent as the approver who has just read the preview (its content hash)."""
    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]
    return approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": scope, "confirm": True, "content_hash": content_hash, **extra},
    )


def test_consent_through_the_api_and_read_as_a_reader(api, doc_id):
    response = consent(api, doc_id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "published" and body["scope"] == "region" and body["published_at"]
    reader = api("ash_reader").get(f"/api/v1/documents/{doc_id}").get_json()
    assert (
        reader["text"]
        == "# Early help plan\n\n[PERSON 1] (DOB [DATE OF BIRTH]) was stepped down by the MASH.\n"
    )
    download = api("ash_reader").get(f"/api/v1/documents/{doc_id}/download")
    assert download.status_code == 200 and download.mimetype == "text/markdown"
    assert "[PERSON 1]" in download.get_data(as_text=True) and "Amelia" not in download.get_data(as_text=True)
    assert api("brk_reader").get(f"/api/v1/documents/{doc_id}").status_code == 404


@pytest.mark.parametrize(
    "who,body,status",
    [
        ("kgm_contributor", {"scope": "region", "confirm": True, "content_hash": "0" * 64}, 403),
        ("ash_approver", {"scope": "region", "confirm": True, "content_hash": "0" * 64}, 404),
        ("ash_approver", {"scope": "region", "confirm": "yes"}, 400),  # a bad body: 400 whoever asks
        ("kgm_approver", {"scope": "region"}, 400),
        ("kgm_approver", {"scope": "region", "confirm": "yes"}, 400),
        ("kgm_approver", {"scope": "everyone", "confirm": True}, 400),
    ],
)
def test_bad_consent_through_the_api(api, doc_id, who, body, status):
    response = api(who).post(f"/api/v1/documents/{doc_id}/consent", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    assert api("kgm_contributor").get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "draft"


def test_consent_while_suggestions_are_pending_is_409(api):
    doc_id = upload(api, title="Plan")
    response = consent(api, doc_id)
    assert response.status_code == 409 and "still to review" in response.get_json()["error"]["message"]


def test_consent_to_the_current_version_again_and_to_a_withdrawn_one(api, doc_id):
    assert consent(api, doc_id).status_code == 200
    assert consent(api, doc_id).status_code == 409
    assert (
        api("kgm_approver").delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "x"}).status_code
        == 200
    )
    assert consent(api, doc_id).status_code == 409


def test_withdrawal_of_a_draft_and_without_a_reason(api, doc_id):
    approver = api("kgm_approver")
    assert approver.delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "x"}).status_code == 409
    consent(api, doc_id)
    assert approver.delete(f"/api/v1/documents/{doc_id}/consent", json={}).status_code == 400
    assert (
        api("kgm_contributor").delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "x"}).status_code
        == 403
    )


def test_withdrawal_takes_effect_at_the_very_next_request(client, login, api, doc_id):
    consent(api, doc_id, scope="national")
    login("brk_reader")
    assert client.get(f"/documents/{doc_id}").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert "Early help plan" in home and "1 document" in home
    reader = api("brk_reader")
    assert reader.get(f"/api/v1/documents/{doc_id}").status_code == 200

    assert (
        api("kgm_approver")
        .delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "A family asked us to."})
        .status_code
        == 200
    )

    page = client.get(f"/documents/{doc_id}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Kingsmere Borough Council withdrew this action plan on" in html
    assert "Early help plan" not in html and "MASH" not in html
    assert client.get(f"/documents/{doc_id}/download").status_code == 410
    home = client.get("/").get_data(as_text=True)
    assert "Early help plan" not in home and "No documents have been shared" in home
    response = reader.get(f"/api/v1/documents/{doc_id}")
    assert response.status_code == 410
    body = response.get_json()
    assert body["tombstone"]["authority"]["code"] == "KGM" and body["tombstone"]["withdrawn_at"]
    assert "text" not in body and "title" not in body["tombstone"]
    assert reader.get(f"/api/v1/documents/{doc_id}/download").status_code == 410
    assert page.headers["Cache-Control"] == "no-store, private"


def test_readers_keep_the_consented_text_until_consent_is_given_again(client, login, api, doc_id):
    consent(api, doc_id)
    owner = api("kgm_contributor")
    added = owner.post(f"/api/v1/documents/{doc_id}/redactions", json={"text": "MASH", "category": "other"})
    assert added.status_code == 201
    assert (
        owner.patch(f"/api/v1/documents/{doc_id}", json={"title": "Early help plan (revised)"}).status_code
        == 200
    )
    assert owner.get(f"/api/v1/documents/{doc_id}").get_json()["unpublished_changes"] is True

    reader = api("ash_reader")
    body = reader.get(f"/api/v1/documents/{doc_id}").get_json()
    assert body["title"] == "Early help plan" and "by the MASH." in body["text"] and body["version"] == 1
    login("ash_reader")
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "by the MASH." in html and "(revised)" not in html
    assert "by the MASH." in client.get(f"/documents/{doc_id}/download").get_data(as_text=True)

    assert consent(api, doc_id).status_code == 200
    body = reader.get(f"/api/v1/documents/{doc_id}").get_json()
    assert body["title"] == "Early help plan (revised)" and "by the [REDACTED]." in body["text"]
    assert body["version"] == 2
    assert "by the [REDACTED]." in client.get(f"/documents/{doc_id}").get_data(as_text=True)


def test_scope_change_takes_effect_at_once(client, login, api, doc_id):
    consent(api, doc_id, scope="authority")
    assert api("ash_reader").get(f"/api/v1/documents/{doc_id}").status_code == 404
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    shown = {"content_hash": page.split('name="content_hash" value="')[1].split('"')[0]}
    assert client.post(f"/documents/{doc_id}/scope", data={"scope": "region", **shown}).status_code == 302
    assert api("ash_reader").get(f"/api/v1/documents/{doc_id}").status_code == 200
    assert client.post(f"/documents/{doc_id}/scope", data={"scope": "region", **shown}).status_code == 409
    client.post("/logout")
    login("kgm_contributor")
    assert client.post(f"/documents/{doc_id}/scope", data={"scope": "national", **shown}).status_code == 403


def test_consent_page_shows_the_exact_text_and_records_consent(client, login, api, doc_id):
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    assert "[PERSON 1] (DOB [DATE OF BIRTH]) was stepped down" in page
    assert "Amelia" not in page.split('id="consent-text"')[1]
    assert "Only staff of Kingsmere Borough Council" in page and "Staff of the 2 member authorities" in page
    content_hash = page.split('name="content_hash" value="')[1].split('"')[0]
    response = client.post(
        f"/documents/{doc_id}/consent", data={"scope": "region", "content_hash": content_hash}
    )
    assert response.status_code == 400 and "Confirm the consent statement" in response.get_data(as_text=True)
    response = client.post(
        f"/documents/{doc_id}/consent",
        data={"scope": "region", "confirm": "yes", "content_hash": content_hash},
    )
    assert response.status_code == 302
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert re.search(r'govuk-tag--green">\s*Shared\s*<', html)
    assert "Version 1, consented by Abi Approver" in html


def test_consent_page_lists_what_blocks_consent(client, login, api):
    doc_id = upload(api, title="Plan")
    login("kgm_approver")
    html = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    assert "You cannot consent yet" in html and "still to review" in html
    assert "Give consent and share" not in html
    waiting = client.get("/consent").get_data(as_text=True)
    assert "Plan" in waiting and "to review" in waiting


def test_withdraw_page(client, login, api, doc_id):
    consent(api, doc_id)
    login("kgm_approver")
    assert "Withdraw consent" in client.get(f"/documents/{doc_id}/withdraw").get_data(as_text=True)
    response = client.post(f"/documents/{doc_id}/withdraw", data={"reason": ""})
    assert response.status_code == 400 and "Give a reason" in response.get_data(as_text=True)
    assert (
        client.post(f"/documents/{doc_id}/withdraw", data={"reason": "No longer accurate."}).status_code
        == 302
    )
    assert "Consent withdrawn on" in client.get(f"/documents/{doc_id}").get_data(as_text=True)


def test_take_down_page(client, login, api, doc_id):
    consent(api, doc_id)
    login("admin")
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Take down" in html and "[PERSON 1]" in html
    assert client.post(f"/documents/{doc_id}/take-down", data={"reason": "Names a child."}).status_code == 302
    client.post("/logout")
    login("ash_reader")
    page = client.get(f"/documents/{doc_id}")
    assert page.status_code == 410 and "taken down by the library" in page.get_data(as_text=True)
    client.post("/logout")
    login("kgm_approver")
    assert client.get(f"/documents/{doc_id}/take-down").status_code == 403


def test_audit_trail_pages_and_csv(client, login, api, doc_id):
    consent(api, doc_id)
    api("kgm_approver").delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "Done."})
    login("kgm_approver")
    html = client.get("/audit").get_data(as_text=True)
    for action in ("document.uploaded", "redaction.accepted_all", "consent.given", "consent.withdrawn"):
        assert action in html
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv").get_data(as_text=True))))
    assert rows[0] == ["id", "time", "actor", "action", "subject_type", "subject_id", "authority", "details"]
    assert [r[3] for r in rows[1:]][-2:] == ["consent.given", "consent.withdrawn"]
    assert "Amelia" not in client.get("/audit.csv").get_data(as_text=True)
    client.post("/logout")
    login("ash_approver")
    assert "consent.given" not in client.get("/audit").get_data(as_text=True)  # another authority's
    client.post("/logout")
    login("admin")
    assert "consent.withdrawn" in client.get("/audit").get_data(as_text=True)
    client.post("/logout")
    login("kgm_contributor")
    assert client.get("/audit").status_code == 403


def test_consent_through_the_api_requires_the_hash_of_what_was_read(api, doc_id):
    approver = api("kgm_approver")
    preview = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()
    body = {"scope": "national", "confirm": True}
    response = approver.post(f"/api/v1/documents/{doc_id}/consent", json=body)
    assert response.status_code == 400 and response.get_json()["error"]["fields"]["content_hash"]
    # Someone adds a redaction after the approver read the preview.
    api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions", json={"text": "MASH"})
    response = approver.post(
        f"/api/v1/documents/{doc_id}/consent", json={**body, "content_hash": preview["content_hash"]}
    )
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "content_changed"
    assert api("kgm_contributor").get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "draft"


def test_consent_page_refuses_a_text_changed_since_it_was_read(client, login, api, doc_id):
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    content_hash = page.split('name="content_hash" value="')[1].split('"')[0]
    api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions", json={"text": "MASH"})
    response = client.post(
        f"/documents/{doc_id}/consent",
        data={"scope": "national", "confirm": "yes", "content_hash": content_hash},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "The text changed after you opened this page" in html
    assert 'href="#consent-text"' in html and "[REDACTED]" in html.split('id="consent-text"')[1]
    assert api("kgm_contributor").get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "draft"


def test_hidden_html_in_an_upload_is_shown_on_the_consent_page(client, login, api):
    text = (
        b"# Plan\n\nShown. <!-- hidden comment words --> "
        b'<span class="govuk-visually-hidden">hidden span</span>\n'
    )
    response = api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "title": "Plan",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            "file": (io.BytesIO(text), "plan.md"),
        },
        content_type="multipart/form-data",
    )
    doc_id = response.get_json()["id"]
    api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    shown = page.split('aria-label="The redacted text that will be shared">')[1]
    assert "&lt;!-- hidden comment words --&gt;" in shown and "hidden span&lt;/span&gt;" in shown
    assert "<span" not in shown.split("</div>")[0]


def test_audit_csv_cells_never_become_spreadsheet_formulas(client, login, api, db, people, doc_id):
    approver = db.merge(people.kgm_approver)
    approver.name = '=HYPERLINK("http://evil.example","Click")'
    db.commit()
    consent(api, doc_id)
    login("kgm_approver")
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv").get_data(as_text=True))))
    actors = [r[2] for r in rows[1:] if "HYPERLINK" in r[2]]
    assert actors and all(a.startswith("'=") for a in actors)
    assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_audit_trail_in_plain_words(client, login, api, doc_id):
    consent(api, doc_id, scope="region")
    api("kgm_approver").delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "Superseded."})
    login("kgm_approver")
    html = client.get("/audit").get_data(as_text=True).replace("&#39;", "'")
    title = api("kgm_contributor").get(f"/api/v1/documents/{doc_id}").get_json()["title"]
    assert f"Abi Approver shared ‘{title}’ with the South East region (version 1)." in html
    assert f"Abi Approver withdrew consent for ‘{title}’, giving a reason." in html
    assert "Superseded" not in html  # the reason is the document's, never the trail's
    assert "Colin Contributor redacted all" in html and f"suggestions still to review in ‘{title}’" in html
    assert f"Colin Contributor uploaded ‘{title}’." in html


def test_the_add_user_form_opens_on_a_combination_that_can_be_saved(client, login, people):
    login("admin")
    html = client.get("/admin/users/new").get_data(as_text=True)
    authority = re.search(r'<option value="([^"]*)" selected>', html).group(1)
    assert authority != "" and '<option value="reader" selected>' in html
