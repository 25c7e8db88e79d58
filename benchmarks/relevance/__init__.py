"""Relevance of search, measured on documents composed from hand-written topics (dev.toml; the
held-out sets heldout.toml and heldout2.toml are never used to choose a rule or a setting).

Each topic has passages in three wordings, headings in three wordings, and queries of three
kinds: in the documents' own words, in other words (none of which appears in the topic's
passages or headings: checked), and misspelt. ``load`` makes ``per_topic`` documents a topic:
each opens with boilerplate every document shares, then a section of its main topic (two or three
of its passages under one of its headings), one of a second topic, and a closing section. A
document is relevant to a query of its main topic (grade 2) or of the topic it mentions in passing
(grade 1).

``ndcg_at`` is nDCG@k with those grades (the ideal ranking puts every grade 2 document first).
Measured through the app on SQLite with the default word index (Tantivy), whatever the
environment chooses.
"""

from __future__ import annotations

import math
import random
import re
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..vectors import remembered

HERE = Path(__file__).resolve().parent
# The development set (rules and settings are chosen on it), the held-out set written with it, and
# a second held-out set written after the model and the fusion were chosen, measured blind once.
SETS = ("dev", "heldout", "heldout2")
KINDS = ("own", "other", "misspelt")
STOP = frozenset(
    "a an and are as at be by do for from how in is it of on or our so than that the their them"
    " they this to was we what when where which who why with".split()
)


@dataclass
class Topic:
    id: str
    area: str
    headings: list[str]
    passages: list[str]
    queries: dict[str, list[str]]


@dataclass
class Document:
    id: int
    title: str
    text: str
    area: str
    topic: str
    mentions: str
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, topic id or "")


@dataclass
class Query:
    text: str
    kind: str
    topic: str


@dataclass
class Set:
    name: str
    topics: list[Topic]
    documents: list[Document]
    queries: list[Query]
    boilerplate: list[str]

    def grades(self, query: Query) -> dict[int, int]:
        out = {}
        for d in self.documents:
            if d.topic == query.topic:
                out[d.id] = 2
            elif d.mentions == query.topic:
                out[d.id] = 1
        return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP}


def load(name: str, per_topic: int = 10, seed: int = 11) -> Set:
    data = tomllib.loads((HERE / f"{name}.toml").read_text(encoding="utf-8"))
    topics = [
        Topic(t["id"], t["area"], t["headings"], t["passages"], {k: t[k] for k in KINDS})
        for t in data["topic"]
    ]
    boiler = data["boilerplate"]
    for t in topics:  # "other words" share no word with what the topic's documents say of it
        said = _words(" ".join(t.passages + t.headings))
        for q in t.queries["other"]:
            common = _words(q) & said
            if common:
                raise ValueError(f"{name}: {q!r} uses the topic's own words {sorted(common)}")
    rng = random.Random(seed)
    documents: list[Document] = []
    for t in topics:
        others = [o for o in topics if o.id != t.id]
        for n in range(per_topic):
            second = rng.choice(others)
            sections: list[tuple[str, str, str]] = [
                (rng.choice(boiler["headings"][:2]), boiler["passages"][0], "")
            ]
            chosen = rng.sample(t.passages, rng.choice([2, 3]))
            sections.append((rng.choice(t.headings), "\n\n".join(chosen), t.id))
            sections.append((rng.choice(second.headings), rng.choice(second.passages), second.id))
            sections.append((boiler["headings"][2], rng.choice(boiler["passages"][1:]), ""))
            title = f"Authority {n + 1}: {rng.choice(t.headings).lower()} self-assessment"
            text = "\n\n".join(f"## {h}\n\n{p}" for h, p, _ in sections)
            documents.append(
                Document(
                    id=len(documents) + 1,
                    title=title,
                    text=text,
                    area=t.area,
                    topic=t.id,
                    mentions=second.id,
                    sections=[(h, tid) for h, _, tid in sections],
                )
            )
    queries = [Query(q, kind, t.id) for t in topics for kind in KINDS for q in t.queries[kind]]
    return Set(name, topics, documents, queries, boiler["passages"])


def ndcg_at(ranked: list[int], grades: dict[int, int], k: int = 10) -> float:
    def dcg(gains):
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))

    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    return dcg([grades.get(d, 0) for d in ranked[:k]]) / ideal if ideal else 0.0


def indexed(documents: list[Document]):
    """The documents as the search engine takes them, every one readable by everyone."""
    from search_index import IndexedDocument

    start = datetime(2025, 1, 1)
    return [
        IndexedDocument(
            id=d.id,
            title=d.title,
            summary="",
            text=d.text,
            authority=f"A{d.id % 20:03d}",
            authority_name=f"Authority {d.id % 20}",
            region="south-east",
            document_type="self-assessment",
            service_areas=[d.area],
            year=2025,
            published_at=start + timedelta(hours=d.id),
            labels=["national"],
            fingerprint=str(d.id),
        )
        for d in documents
    ]


def _populate(app, corpus: Set) -> object:
    """The corpus shared nationally by 20 authorities, embedded as consent embeds it, indexed;
    returns a reader of another authority."""
    from sqlalchemy import select

    from library.core import published
    from library.core.models import Document as Doc
    from library.core.models import DocumentType, DocumentVersion, ServiceArea, User
    from library.search import meaning

    from ..search import frame

    session = app.extensions["db_sessionmaker"]()
    authorities, areas, types = frame(session)
    doc_type = types["self-assessment"]
    start = datetime(2025, 1, 1)
    for d in corpus.documents:
        when = start + timedelta(hours=d.id)
        area: ServiceArea = areas[d.area]
        document = Doc(
            authority=authorities[d.id % 20],
            title=d.title,
            summary="",
            document_type=doc_type,
            year=2025,
            status="published",
            scope="national",
            extracted_text=d.text,
            published_at=when,
            service_areas=[area],
        )
        version = DocumentVersion(
            number=1,
            title=d.title,
            summary="",
            text=d.text,
            document_type=doc_type,
            year=2025,
            scope="national",
            text_hash="",
            statement="relevance",
            consented_at=when,
            is_current=True,
            service_areas=[area],
        )
        document.versions.append(version)
        meaning.attach(version)
        session.add(document)
        session.flush()
        version.text_hash = published.snapshot(document).content_hash
    reader = User(email="reader@relevance.example", name="Reader", role="reader", active=True)
    reader.authority = authorities[100]
    session.add(reader)
    session.commit()
    assert session.scalar(select(DocumentType.id).where(DocumentType.slug == "self-assessment"))
    reader_id = reader.id
    session.close()
    return reader_id


@contextmanager
def _library(corpus: Set, hybrid_on: bool):
    """The app with ``corpus`` shared and indexed, words and meaning together or words alone:
    (a database session, the search backend, the reader)."""
    import tempfile

    from library import create_app
    from library.core.models import User
    from library.ops.migrate import upgrade
    from library.search import hybrid

    was = hybrid.ENABLED
    with tempfile.TemporaryDirectory() as data_dir, remembered(disk=False):
        app = create_app(
            {"ENV_NAME": "test", "DATA_DIR": data_dir, "LOG_LEVEL": "WARNING", "SEARCH_BACKEND": "tantivy"}
        )
        upgrade(app.extensions["db_engine"])
        reader_id = _populate(app, corpus)
        app.extensions["search_indexer"].rebuild()
        backend = app.extensions["search"]
        hybrid.ENABLED = hybrid_on
        try:
            with app.app_context():
                session = app.extensions["db_sessionmaker"]()
                try:
                    yield session, backend, session.get(User, reader_id)
                finally:
                    session.close()
        finally:
            hybrid.ENABLED = was
            backend.close()
            app.extensions["db_engine"].dispose()


# Queries about nothing the library holds: each should find nothing (or very little) rather than
# whatever is least far away.
OFF_TOPIC = (
    "weather forecast tomorrow",
    "football results premier league",
    "recipe for banana bread",
    "buy cheap flights to spain",
    "how to fix a leaking tap",
    "best smartphone camera 2025",
    "qwxz plorb",
    "stock market share prices",
    "gardening tips for roses",
    "train timetable london to leeds",
    "knitting patterns for beginners",
    "car insurance renewal quote",
)


def measure(name: str, *, hybrid_on: bool = True, per_topic: int = 10) -> dict:
    """nDCG@10 of the app's search (``library.search.service``) over the named set: overall, by
    kind of query, and how many queries found nothing."""
    import statistics

    from library.search import service as search

    corpus = load(name, per_topic)
    by_kind: dict[str, list[float]] = {}
    empty = 0
    with _library(corpus, hybrid_on) as (session, backend, reader):
        for q in corpus.queries:
            page = search.search(session, backend, reader, search.SearchParams(q=q.text, per_page=10))
            empty += not page.results
            ranked = [r["id"] for r in page.results]
            by_kind.setdefault(q.kind, []).append(ndcg_at(ranked, corpus.grades(q)))
        off_topic = [
            search.search(session, backend, reader, search.SearchParams(q=q, per_page=10)).total
            for q in OFF_TOPIC
        ]
    every = [v for values in by_kind.values() for v in values]
    return {
        "set": name,
        "documents": len(corpus.documents),
        "queries": len(corpus.queries),
        "ndcg": statistics.mean(every),
        "by_kind": {k: statistics.mean(v) for k, v in by_kind.items()},
        "empty": empty,
        # How many off-topic queries found anything, and how many documents they found in all.
        "off_topic_found": sum(1 for n in off_topic if n),
        "off_topic_documents": sum(off_topic),
    }


def measure_related(name: str, *, hybrid_on: bool = True, per_topic: int = 10) -> dict:
    """Precision@5 of "related documents" over the named set: for each document, the share of
    the five offered that are about the same topic."""
    import statistics

    from library.search import service as search

    corpus = load(name, per_topic)
    topic = {d.id: d.topic for d in corpus.documents}
    precision = []
    with _library(corpus, hybrid_on) as (session, backend, reader):
        for d in corpus.documents:
            offered = [h.id for h in search.more_like_this(session, backend, reader, d.id, 5)]
            precision.append(sum(topic[i] == d.topic for i in offered) / 5)
    return {"set": name, "precision_at_5": statistics.mean(precision), "documents": len(corpus.documents)}


def measure_outline(name: str, *, meaning_on: bool = True, threshold: float | None = None) -> dict:
    """Pairwise precision, recall and F1 of the outline's groups over the named set: for each
    service area, the top-level sections of its documents grouped; two sections of different
    documents belong together when they are about the same topic (or are the same boilerplate
    part: the opening, the next steps)."""
    from library.core.vocabularies import load_thesaurus

    corpus = load(name)
    thesaurus = load_thesaurus()
    tp = fp = fn = 0
    with remembered(disk=False):
        groups_by_area = _outline_groups(corpus, thesaurus, meaning_on, threshold)
    for truth, groups in groups_by_area.values():
        placed = {(d, sec.start): n for n, g in enumerate(groups) for d, sec in g.members}
        keys = list(truth)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if a[0] == b[0]:
                    continue
                same, together = truth[a] == truth[b], placed.get(a) == placed.get(b) is not None
                tp += same and together
                fp += together and not same
                fn += same and not together
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"set": name, "precision": precision, "recall": recall, "f1": f1}


def _outline_groups(corpus: Set, thesaurus, meaning_on: bool, threshold: float | None) -> dict:
    """Per service area: each top-level section's true topic, and the outline's groups."""
    from library.core import structure
    from search_index import embedding

    out = {}
    for area in sorted({d.area for d in corpus.documents}):
        docs = [d for d in corpus.documents if d.area == area]
        examples, truth, meanings = [], {}, {}
        for d in docs:
            found = structure.top_level(structure.sections(d.text))
            labels = [
                tid or ("opening" if i == 0 else "next steps") for i, (_h, tid) in enumerate(d.sections)
            ]
            for s, label in zip(found, labels, strict=True):
                truth[(d.id, s.start)] = label
            items = embedding.passages(d.title, d.text)
            vectors = embedding.embed([t for t, _ in items])
            meanings.update(
                {(d.id, start): v for (_t, start), v in list(zip(items, vectors, strict=True))[1:]}
            )
            examples.append(structure.Example(d.id, found))
        if meaning_on:
            groups = structure.group_by_meaning(
                examples, meanings, thesaurus, **({"threshold": threshold} if threshold is not None else {})
            )
        else:
            groups = structure.group_headings(examples, thesaurus)
        out[area] = (truth, groups)
    return out


def measure_starter() -> dict:
    """How a starter recognises sections and key lines of enquiry (``starter.toml``): per part,
    how many are recognised rightly (a section of no kind rightly left alone counts as right) and
    how many are given the wrong kind or theme, the harmful case (a section of no kind gets
    prompts naming its heading instead)."""
    from library.challenges import starter

    with open(Path(__file__).with_name("starter.toml"), "rb") as fh:
        sets = tomllib.load(fh)
    guide = starter.guide()
    out = {}
    for part, data in sets.items():
        for key, options, at_least in (
            ("headings", guide.kinds, starter.KIND_AT_LEAST),
            ("kloes", guide.themes, starter.THEME_AT_LEAST),
        ):
            items = data[key]
            found = starter.recognise([text for text, _want in items], options, at_least)
            names = [f.name if f else "" for f in found]
            out[(part, key)] = {
                "right": sum(n == want for n, (_t, want) in zip(names, items, strict=True)),
                "wrong": sum(n not in ("", want) for n, (_t, want) in zip(names, items, strict=True)),
                "of": len(items),
            }
    return out
