"""The approver's summary at the top of the consent page: every decision that needs a second pair
of eyes, each kept place highlighted in the text and linked, counts of the rest, what changed
since the version shared before, and consent from the summary recorded as such."""

import re

from sqlalchemy import select

from library.core.models import AuditEvent
from library.documents.consent_summary import changes_between

TEXT = (
    b"# Notes\n\n## Visit\n\nAmelia Hughes met Priya Patel at the MASH.\n\n"
    b"## Case\n\nChild P, an 11-year-old Syrian boy who is profoundly deaf, told us the worker listened.\n\n"
    b"## Next\n\nPriya Patel will write to the family.\n"
)


def _upload(make_document) -> int:
    return make_document(TEXT, title="Visit notes", filename="notes.md").id


def _decide(api, doc_id):
    """Keep Priya Patel everywhere, write the warning more generally, redact MASH by hand."""
    owner = api("kgm_contributor")
    items = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()["redactions"]
    for r in items:
        if r["text"] == "Priya Patel":
            owner.patch(f"/api/v1/documents/{doc_id}/redactions/{r['id']}", json={"status": "rejected"})
    (warning,) = [r for r in items if r["category"] == "indirect"]
    owner.patch(
        f"/api/v1/documents/{doc_id}/redactions/{warning['id']}", json={"replacement": "a child who is deaf"}
    )
    owner.post(f"/api/v1/documents/{doc_id}/redactions", json={"text": "MASH", "category": "other"})
    assert owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all").status_code == 200
    return items


def test_the_summary_lists_what_was_kept_generalised_and_redacted_by_hand(api, client, login, make_document):
    doc_id = _upload(make_document)
    items = _decide(api, doc_id)
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    summary, full_text = page.split('id="consent-text"')
    # What this decision publishes comes before the decisions, and both before the full text.
    assert summary.index("What this decision publishes") < summary.index("Decisions to look at (3)")
    kept_ids = [r["id"] for r in items if r["text"] == "Priya Patel"]
    assert len(kept_ids) == 2
    row = re.search(r'<td class="govuk-table__cell app-kept-value">Priya Patel</td>(.*?)</tr>', summary, re.S)
    assert row, "the kept value has a row"
    for rid in kept_ids:  # each place linked from the summary and highlighted in the text
        assert f'href="#r-{rid}"' in row.group(1)
        assert re.search(rf'<mark class="app-mark app-mark--kept" id="r-{rid}"[^>]*>Priya Patel', full_text)
    assert "Colin Contributor" in row.group(1)  # who kept it is named
    assert "becomes" in summary and "a child who is deaf" in summary
    assert "Redacted by hand" in summary and "<q>MASH</q>" in summary
    redacted = summary.split('id="redacted"')[1]
    # Amelia Hughes and the case label; the age under the warning's own words; MASH by hand.
    assert "<li>2 names of people</li>" in redacted and "<li>1 age of a child</li>" in redacted
    # The full text has a contents list from its headings.
    assert 'href="#section-' in full_text and 'id="section-' in full_text


def test_consent_from_the_summary_is_recorded_as_such(api, client, login, db, make_document):
    doc_id = _upload(make_document)
    _decide(api, doc_id)
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]+)"', page).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert 'name="read" value="summary"' in page
    response = client.post(
        f"/documents/{doc_id}/consent",
        data={
            "csrf_token": token,
            "scope": "region",
            "confirm": "yes",
            "content_hash": content_hash,
            "read": "summary",
        },
    )
    assert response.status_code == 302
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent.given", AuditEvent.subject_id == doc_id)
    ).one()
    assert event.details["read"] == "summary"


def test_a_document_shared_before_shows_what_changed(api, client, login, make_document):
    doc_id = _upload(make_document)
    _decide(api, doc_id)
    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]
    shared = approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": "region", "confirm": True, "content_hash": content_hash},
    )
    assert shared.status_code == 200
    owner = api("kgm_contributor")
    items = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()["redactions"]
    kept = next(r for r in items if r["text"] == "Priya Patel" and r["status"] == "rejected")
    owner.patch(f"/api/v1/documents/{doc_id}/redactions/{kept['id']}", json={"status": "accepted"})
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    assert "What changed since version 1" in page
    changes = page.split('id="changes"')[1].split('id="consent-text"')[0]
    assert "app-changes__before" in changes and "Amelia" not in changes
    assert "Priya Patel" in changes and "[PERSON" in changes
    # The decision that changed is listed with who made it; decisions made before are not.
    decided = page.split('id="decisions-changed"')[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", decided, re.S)
    assert len(rows) == 2  # the header and the one decision
    assert (
        "Priya Patel" in rows[1]
        and "(2 places)" in rows[1]
        and ">redacted<" in rows[1]
        and "Colin Contributor" in rows[1]
    )
    assert "MASH" not in decided and "a child who is deaf" not in decided


def test_a_document_shared_before_with_no_decision_changed_says_so(api, client, login, make_document):
    doc_id = _upload(make_document)
    _decide(api, doc_id)
    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]
    approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": "region", "confirm": True, "content_hash": content_hash},
    )
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    assert "No redaction decision was made or changed since then." in page


def test_changes_between_two_texts_are_the_paragraphs_that_differ():
    before = "# A\n\nOne.\n\nTwo.\n\nThree."
    after = "# A\n\nOne.\n\nTwo, changed.\n\nThree.\n\nFour."
    found = changes_between(before, after)
    assert [(c.before, c.after) for c in found] == [("Two.", "Two, changed."), ("", "Four.")]
    assert changes_between(before, before) == []


def test_labels_renumbered_by_one_more_name_redacted_are_not_changes():
    before = "Met by Siobhan McLeod and [PERSON 1].\n\n[PERSON 1] and [PERSON 2] wrote it.\n\nNo names."
    after = "Met by [PERSON 1] and [PERSON 2].\n\n[PERSON 2] and [PERSON 3] wrote it.\n\nNo names."
    found = changes_between(before, after)
    assert [(c.before, c.after) for c in found] == [
        ("Met by Siobhan McLeod and [PERSON 1].", "Met by [PERSON 1] and [PERSON 2].")
    ]


def test_a_warning_kept_with_a_name_inside_it_redacted_is_linked_and_highlighted(
    api, client, login, make_document
):
    doc_id = _upload(make_document)
    owner = api("kgm_contributor")
    items = owner.get(f"/api/v1/documents/{doc_id}/redactions").get_json()["redactions"]
    (warning,) = [r for r in items if r["category"] == "indirect"]
    inside = [
        r for r in items if r["category"] != "indirect" and warning["start"] <= r["start"] < warning["end"]
    ]
    assert inside, "the warning holds a detail of its own to redact"
    owner.patch(f"/api/v1/documents/{doc_id}/redactions/{warning['id']}", json={"status": "rejected"})
    assert owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all").status_code == 200
    login("kgm_approver")
    page = client.get(f"/documents/{doc_id}/consent").get_data(as_text=True)
    summary, full_text = page.split('id="consent-text"')
    assert f'href="#r-{warning["id"]}"' in summary
    marked = re.search(
        rf'<mark class="app-mark app-mark--kept[^"]*" id="r-{warning["id"]}"[^>]*>(.*?)</mark>',
        full_text,
        re.S,
    )
    assert marked and "profoundly deaf" in marked.group(1)
