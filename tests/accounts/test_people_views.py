"""An approver's page for their authority's people: invite, change roles, deactivate."""

from sqlalchemy import select

from library.core.models import AuditEvent


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


def _invitation_path(mailbox, address: str) -> str:
    import re

    (message,) = [m for m in mailbox.to(address) if "/invitation/" in mailbox.text(m)]
    return re.search(r"http://127\.0\.0\.1:5000(/invitation/\S+)", mailbox.text(message)).group(1)


def test_deactivating_an_invited_person_ends_their_invitation(app, client, db, login, people, mailbox):
    """An invitation sent, then the account deactivated before it was used: the link no longer
    opens, and using it cannot bring the account back or sign anyone in."""
    login("kgm_approver")
    client.post("/people/invite", data={"email": "nia@kgm.example", "name": "Nia New", "role": "contributor"})
    path = _invitation_path(mailbox, "nia@kgm.example")
    from library.core.models import User

    nia = db.scalars(select(User).where(User.email == "nia@kgm.example")).one()
    assert client.post(f"/people/{nia.id}", data={"action": "deactivate"}).status_code == 302
    client.post("/logout")
    visitor = app.test_client()
    assert visitor.get(path).status_code == 410
    response = visitor.post(
        path, data={"new_password": "violet kettle orbit", "confirm_password": "violet kettle orbit"}
    )
    assert response.status_code == 410
    db.expire_all()
    nia = db.get(User, nia.id)
    assert nia.active is False and nia.password_hash is None
    assert visitor.get("/account").status_code == 302  # not signed in
    # Reactivated, the old link stays ended: the approver sends a new one if wanted.
    login("kgm_approver")
    assert client.post(f"/people/{nia.id}", data={"action": "activate"}).status_code == 302
    assert visitor.get(path).status_code == 410


def test_a_change_of_role_ends_open_links(app, client, db, login, people, mailbox):
    from library.accounts import links

    with app.app_context():
        links.request_reset(db, "reader@kgm.example")
    import re

    (message,) = mailbox.to("reader@kgm.example")
    path = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", mailbox.text(message)).group(1)
    login("kgm_approver")
    assert (
        client.post(
            f"/people/{people.kgm_reader.id}", data={"action": "role", "role": "contributor"}
        ).status_code
        == 302
    )
    page = app.test_client().get(path)
    assert page.status_code == 410 and "account was changed" in page.get_data(as_text=True)


def test_an_invitation_is_only_for_an_account_never_used(app, client, db, people, mailbox):
    """A link kept from an invitation cannot set the password of an account already in use."""
    from library.accounts import links
    from library.core.db import utcnow
    from library.core.models import User

    with app.app_context():
        user = links.invite(
            db, people.kgm_approver, email="ola@kgm.example", name="Ola", role="reader", authority_code="KGM"
        )
    path = _invitation_path(mailbox, "ola@kgm.example")
    user = db.get(User, user.id)
    user.last_login_at = utcnow()  # signed in another way (with Microsoft, say) since
    db.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410 and "already in use" in response.get_data(as_text=True)
