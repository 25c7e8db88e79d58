"""Every search backend against the same tests: Whoosh and Tantivy on their own (no Flask, no
database), PostgreSQL when the suite runs on it."""

from datetime import datetime, timedelta

import pytest

from search_index import IndexedDocument, SearchQuery, TantivyBackend, WhooshBackend
from search_index.common import Thesaurus, clean_query, plain_text

THESAURUS = Thesaurus(
    [
        ["SEND", "special educational needs and disabilities", "special educational needs"],
        ["CiC", "CLA", "LAC", "children in care", "looked-after children", "children looked after"],
        ["MASH", "multi-agency safeguarding hub"],
    ]
)
START = datetime(2025, 1, 1)


# The labels the library gives a document of each scope (library/core/access.py, Audience.label).
def labels_for_scope(scope: str, authority_code: str, region_slug: str) -> list[str]:
    """The access labels of a document shared at ``scope``."""
    if scope == "national":
        return ["national"]
    if scope == "region":
        return [f"region:{region_slug}"]
    return [f"authority:{authority_code}"]


def doc(
    doc_id,
    title,
    text,
    *,
    scope="national",
    authority="KGM",
    region="south-east",
    areas=("early-help",),
    doc_type="action-plan",
    year=2025,
    days=0,
    summary="",
):
    return IndexedDocument(
        id=doc_id,
        title=title,
        summary=summary,
        text=text,
        authority=authority,
        authority_name=authority.title(),
        region=region,
        document_type=doc_type,
        service_areas=list(areas),
        year=year,
        published_at=START + timedelta(days=days),
        labels=labels_for_scope(scope, authority, region),
        fingerprint=f"fp{doc_id}",
    )


FOLDER_BACKENDS = {"whoosh": WhooshBackend, "tantivy": TantivyBackend}


@pytest.fixture(params=["whoosh", "tantivy", "postgres"])
def make_backend(request, tmp_path):
    """Makes a backend of the kind under test; a second one made is another process's view of
    the same index."""
    made = []

    def make(thesaurus=THESAURUS, name="search"):
        if request.param == "postgres":
            backend = request.getfixturevalue("postgres_search")(thesaurus)
        else:
            backend = FOLDER_BACKENDS[request.param](tmp_path / name, thesaurus)
        made.append(backend)
        return backend

    make.kind = request.param
    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def backend(make_backend):
    b = make_backend()
    b.add(
        [
            doc(
                1,
                "SEND self-assessment",
                "How timely are plans for special educational needs and disabilities?",
                areas=("send",),
                doc_type="self-assessment",
                days=1,
            ),
            doc(
                2,
                "Children in care review",
                "Stability for looked-after children in our care.",
                scope="region",
                authority="ASH",
                areas=("children-in-care",),
                days=2,
            ),
            doc(
                3,
                "Early help plan",
                "Family hubs and early help step-down.",
                scope="authority",
                authority="ASH",
                days=3,
            ),
            doc(
                4,
                "Front door scoping",
                "The multi-agency safeguarding hub handles contacts.",
                scope="national",
                authority="BRK",
                region="north-west",
                areas=("front-door-and-mash",),
                year=2024,
                days=4,
            ),
        ]
    )
    return b


def ids(result):
    return [h.id for h in result.hits]


ASH = ["authority:ASH", "region:south-east", "national"]
BRK = ["authority:BRK", "region:north-west", "national"]


def test_labels_decide_what_is_found_and_counted(backend):
    ash = backend.search(SearchQuery(labels=ASH))
    brk = backend.search(SearchQuery(labels=BRK))
    assert sorted(ids(ash)) == [1, 2, 3, 4] and ash.total == 4
    assert sorted(ids(brk)) == [1, 4] and brk.total == 2
    assert brk.facets["service_area"] == {"send": 1, "front-door-and-mash": 1}
    assert brk.facets["authority"] == {"KGM": 1, "BRK": 1}
    assert backend.search(SearchQuery(labels=[])).total == 0
    assert backend.search(SearchQuery(labels=None)).total == 4  # administrators


def test_words_are_all_required_and_stemmed(backend):
    assert ids(backend.search(SearchQuery("early help", labels=ASH))) == [3]
    assert ids(backend.search(SearchQuery("hub", labels=ASH))) == [3, 4] or sorted(
        ids(backend.search(SearchQuery("hub", labels=ASH)))
    ) == [3, 4]
    assert backend.search(SearchQuery("early stability", labels=ASH)).total == 0


def test_phrases(backend):
    assert ids(backend.search(SearchQuery('"family hubs"', labels=ASH))) == [3]
    assert backend.search(SearchQuery('"hubs family"', labels=ASH)).total == 0


@pytest.mark.parametrize(
    "query,expected",
    [
        ("SEND", [1]),
        ("special educational needs", [1]),
        ("LAC", [2]),
        ("CLA", [2]),
        ("children in care", [2]),
        ("MASH", [4]),
    ],
)
def test_thesaurus_finds_both_forms(backend, query, expected):
    assert ids(backend.search(SearchQuery(query, labels=None))) == expected


def test_a_concept_widens_the_words_asked_never_replaces_them(make_backend):
    b = make_backend(
        Thesaurus([["EHCP", "education, health and care plan"], ["LAC", "looked after children"]])
    )
    b.add(
        [
            doc(1, "Plans", "Forty EHCPs were issued late."),
            doc(2, "Plans", "Each education, health and care plan was reviewed."),
            doc(3, "Care", "Placements for LACs and their siblings."),
            doc(4, "Care", "Stability for looked after children."),
        ]
    )
    # A plural acronym is a form of the concept, whichever of the two is asked for.
    assert sorted(ids(b.search(SearchQuery("EHCP", labels=None)))) == [1, 2]
    assert sorted(ids(b.search(SearchQuery("EHCPs", labels=None)))) == [1, 2]
    assert sorted(ids(b.search(SearchQuery("LAC placements", labels=None)))) == [3]
    # The words asked are searched for themselves too, beside the concept.
    assert sorted(ids(b.search(SearchQuery("looked after children", labels=None)))) == [3, 4]


def test_filters(backend):
    result = backend.search(SearchQuery(filters={"region": ["north-west"]}, labels=None))
    assert ids(result) == [4]
    result = backend.search(SearchQuery(filters={"year": ["2025"], "authority": ["ASH"]}, labels=None))
    assert sorted(ids(result)) == [2, 3]
    result = backend.search(SearchQuery(filters={"service_area": ["send", "children-in-care"]}, labels=None))
    assert sorted(ids(result)) == [1, 2]


def test_newest_first_is_by_year_then_date_shared(backend):
    result = backend.search(SearchQuery(labels=None, sort="date", per_page=3, page=1))
    assert ids(result) == [3, 2, 1] and result.total == 4  # 4 was shared last, but is of 2024
    assert ids(backend.search(SearchQuery(labels=None, sort="date", per_page=3, page=2))) == [4]
    assert ids(backend.search(SearchQuery(labels=None, per_page=3, page=9))) == []


def test_snippets_are_escaped_with_only_mark_as_markup(make_backend):
    b = make_backend(Thesaurus())
    b.add([doc(1, "Script", 'Beware <script>alert("x")</script> & <b>bold</b> plans for the hub')])
    snippet = b.search(SearchQuery("script plans", labels=None)).hits[0].snippet
    assert "<script>" not in snippet and "&amp;" in snippet and "<mark>plans</mark>" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    if make_backend.kind != "postgres":  # PostgreSQL's headline leaves out text that looks like a tag
        assert "&lt;" in snippet and "<mark>script</mark>" in snippet


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "AND",
        "OR early",
        "early NOT",
        "*",
        "?",
        "(((",
        ")",
        "title:secret",
        "x" * 5000,
        "labels:national",
        "",
        "   ",
        "'",
        "!!",
    ],
)
def test_query_syntax_never_breaks(backend, query):
    result = backend.search(SearchQuery(query, labels=ASH))
    assert result.total >= 0


def test_clean_query():
    assert clean_query('"early help') == "early help"
    assert clean_query("AND early OR") == "early"
    assert clean_query("((x") == "((x))"
    assert clean_query("labels:national") == "labels national"
    assert clean_query("*") == ""
    assert len(clean_query("word " * 200)) <= 300


def test_did_you_mean(backend):
    result = backend.search(SearchQuery("stabilty", labels=None))
    assert result.total == 0 and result.suggestion.startswith("stabil")


def test_remove_and_replace(backend):
    backend.remove([3])
    assert 3 not in ids(backend.search(SearchQuery(labels=None)))
    backend.add([doc(1, "SEND self-assessment, revised", "Now about tribunals.", areas=("send",))])
    assert ids(backend.search(SearchQuery("tribunals", labels=None))) == [1]
    assert backend.search(SearchQuery("timely", labels=None)).total == 0
    assert backend.indexed() == {1: "fp1", 2: "fp2", 4: "fp4"}


def test_rebuild_swaps_in_a_new_index(backend, make_backend):
    seen = []
    count = backend.rebuild([doc(9, "Only one", "Alone now")], progress=seen.append)
    assert count == 1 and seen == [1]
    assert ids(backend.search(SearchQuery(labels=None))) == [9]
    other = make_backend()  # another process sees the swap
    assert ids(other.search(SearchQuery(labels=None))) == [9]


def test_a_second_backend_sees_writes(backend, make_backend):
    other = make_backend()
    assert other.search(SearchQuery(labels=None)).total == 4
    backend.remove([1])
    assert other.search(SearchQuery(labels=None)).total == 3


def test_more_like_this_respects_labels(make_backend):
    b = make_backend(Thesaurus())
    text = "step-down early help family hubs thresholds referrals contacts practice " * 5
    b.add(
        [
            doc(1, "A", text),
            doc(2, "B", text + " extra", scope="authority", authority="ASH"),
            doc(3, "C", text + " more"),
        ]
    )
    assert [h.id for h in b.more_like_this(1, ["national"])] == [3]
    assert sorted(h.id for h in b.more_like_this(1, None)) == [2, 3]


def test_snippets_are_plain_text_without_markdown(make_backend):
    b = make_backend(Thesaurus())
    b.add(
        [
            doc(
                1,
                "Learning",
                "## The question that helped most\n\n- **Step-down** to *early help* was [agreed](http://x)\n\n"
                "| Measure | Step-down |\n| --- | --- |\n| Rate | 12% |",
            )
        ]
    )
    snippet = b.search(SearchQuery("step-down", labels=None)).hits[0].snippet
    assert "#" not in snippet and "**" not in snippet and "|" not in snippet and "](" not in snippet
    assert "<mark>" in snippet and "The question that helped most" in snippet
    lead_ = b.search(SearchQuery("", labels=None)).hits[0].snippet
    assert lead_.startswith("The question that helped most")


def test_did_you_mean_only_when_it_finds_more(make_backend):
    b = make_backend(Thesaurus())
    b.add(
        [
            doc(1, "Step down", "A step down from social care to early help."),
            doc(2, "Step down two", "Another step down with Ofsted."),
            doc(3, "Doors", "The front door handled contacts; the door was open."),
            doc(
                4, "Secret", "Placement sufficiency for the region only.", scope="authority", authority="ASH"
            ),
        ]
    )
    assert b.search(SearchQuery("step down", labels=None)).suggestion is None  # found: nothing to mend
    assert b.search(SearchQuery("ofsted", labels=BRK)).suggestion is None
    mended = b.search(SearchQuery("stepp down", labels=BRK))
    assert mended.suggestion and "step" in mended.suggestion.lower()
    # Words of documents the caller may not read are never offered.
    assert b.search(SearchQuery("sufficiensy", labels=BRK)).suggestion is None
    assert b.search(SearchQuery("sufficiensy", labels=ASH)).suggestion


def test_plain_text():
    md = "# Title\n\n1. First *point*\n2. Second\n\n> quoted `code`\n\n| a | b |\n|---|:--:|\n| 1 | 2 |"
    assert plain_text(md) == "Title\n\nFirst point\nSecond\n\nquoted code\n\na · b\n\n1 · 2"
