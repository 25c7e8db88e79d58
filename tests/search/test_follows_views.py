"""Following from the pages and the API, and `notifications digest`."""

from tests.search.test_follows import published  # noqa: F401 - a fixture


def test_follow_from_an_area_page_and_manage_on_the_follows_page(client, db, login, people):
    login("ash_reader")
    html = client.get("/areas/early-help").get_data(as_text=True)
    assert "Follow Early help" in html
    response = client.post("/follows", data={"service_area": "early-help", "next": "/areas/early-help"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/areas/early-help")
    page = client.get("/follows").get_data(as_text=True)
    assert "Early help" in page and "Stop following" in page
    search = client.get("/search?q=step-down&region=south-east").get_data(as_text=True)
    assert "Follow this search" in search
    client.post("/follows", data={"q": "step-down", "region": "south-east", "next": "https://evil.example/"})
    page = client.get("/follows").get_data(as_text=True)
    assert "“step-down” in South East" in page
    assert client.post("/follows/frequency", data={"frequency": "daily"}).status_code == 302
    db.refresh(people.ash_reader)
    assert people.ash_reader.digest_frequency == "daily"
    follow_id = int(page.split("/follows/")[1].split("/delete")[0])
    assert client.post(f"/follows/{follow_id}/delete").status_code == 302
    assert client.post("/follows/99999/delete").status_code == 404


def test_follows_through_the_api(api, people):
    reader = api("ash_reader")
    response = reader.post("/api/v1/follows", json={"service_area": "early-help"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["filters"] == {"service_area": ["early-help"]} and body["description"] == "Early help"
    assert reader.post("/api/v1/follows", json={"service_area": "early-help"}).status_code == 200  # already
    response = reader.post(
        "/api/v1/follows", json={"query": "edge of care", "filters": {"region": ["south-east"]}}
    )
    assert (
        response.status_code == 201 and response.get_json()["description"] == "“edge of care” in South East"
    )
    listed = reader.get("/api/v1/follows").get_json()
    assert listed["digest_frequency"] == "weekly" and len(listed["follows"]) == 2
    for bad in (
        {"service_area": "astrology"},
        {"filters": {"colour": ["red"]}},
        {},
        {"query": 7},
        {"filters": []},
    ):
        response = reader.post("/api/v1/follows", json=bad)
        assert response.status_code == 400, bad
    other = api("brk_reader")
    assert other.delete(f"/api/v1/follows/{body['id']}").status_code == 404
    assert reader.delete(f"/api/v1/follows/{body['id']}").status_code == 204
    assert len(reader.get("/api/v1/follows").get_json()["follows"]) == 1


def test_the_digest_command(app, db, people, published, mailbox, runner):  # noqa: F811 - the fixture
    from library.search import follows

    with app.app_context():
        follows.follow(db, people.brk_reader, "", {"service_area": ["early-help"]})
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0 and "1 digest(s) sent to 1 follower(s) considered." in result.output
    (digest,) = mailbox.to("reader@brk.example")
    assert "Early help national" in mailbox.text(digest) and "Early help region" not in mailbox.text(digest)
    assert "0 digest(s) sent" in runner.invoke(args=["notifications", "digest"]).output
    assert "0 digest(s) sent" in runner.invoke(args=["notifications", "digest", "--all"]).output
