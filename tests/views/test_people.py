"""An approver's page for their authority's people: invite, change roles, deactivate."""

from sqlalchemy import select

from library.models import AuditEvent


def test_an_approver_invites_changes_roles_and_deactivates(
    client, db, login, people, mailbox, second_approver
):
    login("kgm_approver")
    html = client.get("/people").get_data(as_text=True)
    assert "Your authority's people" in html and "Colin Contributor" in html and "Rob Reader" not in html
    response = client.post(
        "/people/invite", data={"email": "nia@kgm.example", "name": "Nia New", "role": "contributor"}
    )
    assert response.status_code == 302
    assert mailbox.to("nia@kgm.example")[0]["Subject"] == "You are invited to the Peer Challenge Library"
    assert mailbox.to("a2@kgm.example")[0]["Subject"] == "Account created: Nia New"
    assert "Invited, not yet signed in" in client.get("/people").get_data(as_text=True)

    reader = people.kgm_reader
    assert client.post(f"/people/{reader.id}", data={"action": "role", "role": "approver"}).status_code == 302
    db.refresh(reader)
    assert reader.role == "approver"
    told = mailbox.to("a2@kgm.example")[-1]
    assert told[
        "Subject"
    ] == "Account role changed: Rita Reader" and "Rita Reader (reader@kgm.example) is now an approver" in (
        mailbox.text(told)
    )
    assert (
        client.post(f"/people/{people.kgm_contributor.id}", data={"action": "deactivate"}).status_code == 302
    )
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.active is False
    actions = [e.action for e in db.scalars(select(AuditEvent))]
    assert {"user.invited", "user.role_changed", "user.deactivated"} <= set(actions)


def test_bad_requests_on_the_people_page(client, db, login, people):
    login("kgm_approver")
    me = people.kgm_approver.id
    # The last approver stays; nobody deactivates themselves; roles are the authority's three.
    response = client.post(f"/people/{me}", data={"action": "role", "role": "reader"})
    assert response.status_code == 409 and "at least one approver" in response.get_data(as_text=True)
    assert client.post(f"/people/{me}", data={"action": "deactivate"}).status_code == 400
    response = client.post(f"/people/{people.kgm_reader.id}", data={"action": "role", "role": "admin"})
    assert response.status_code == 400
    response = client.post("/people/invite", data={"email": "bad", "name": "X", "role": "reader"})
    assert response.status_code == 400 and "Enter an email address" in response.get_data(as_text=True)
    # Another authority's people are not found; only approvers have the page.
    assert client.post(f"/people/{people.ash_reader.id}", data={"action": "deactivate"}).status_code == 404
    client.post("/logout")
    login("kgm_contributor")
    assert client.get("/people").status_code == 403
    assert (
        client.post(
            "/people/invite", data={"email": "z@kgm.example", "name": "Z", "role": "reader"}
        ).status_code
        == 403
    )
