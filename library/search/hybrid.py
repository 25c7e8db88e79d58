"""Words and meaning together, and no dead ends.

A query ranked by relevance is answered from two lists: the word index's best ``WINDOW`` (the
query as asked; if that finds nothing, the corrected query it offers; if that finds nothing
either, documents holding most of the words), and the documents closest in meaning
(``meaning.search``). The two are fused by reciprocal rank fusion (each list gives 1/(K + rank)).

When the word index finds more than the window holds, meaning reorders those it found and adds
none: the total and the facets stay the word index's. When it finds fewer, the window holds all
of them, and documents found by meaning alone are added, counted in the total and the facets.
Pages past the window are the word index's own. Both lists see only what the caller may read:
the word index through the caller's access labels, meaning through the database's read rule.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from library.core.models import Authority, Document, DocumentVersion, User
from library.search import meaning
from search_index import Hit, SearchBackend, SearchQuery, SearchResult
from search_index.common import OPERATORS, asked_words, clean_query, lead, plain_text

# Words that say nothing of a topic: left out of "most of the words", where every document
# holding "the" or "for" would otherwise count as found.
FUNCTION_WORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before being"
    " between both but by can could did do does doing down during each few for from further had has"
    " have having he her here hers him his how i if in into is it its itself just me more most my no"
    " nor not now of off on once only or other our ours out over own same she should so some such"
    " than that the their theirs them then there these they this those through to too under until up"
    " very was we were what when where which while who whom why will with would you your".split()
)
WINDOW = 100
K = 60
MEANING_WEIGHT = 0.25  # beside documents holding every word asked
# "Most words" is weak evidence beside meaning: a word or two of a query in other words ("kids",
# "homes") are in documents about anything (chosen on the development set: docs/search.md).
LOOSE_WEIGHT = 0.1
ENABLED = True  # off only to measure words alone (benchmarks)


def enabled() -> bool:
    return ENABLED


def fuse(*rankings: list[int], k: int = K, weights: tuple[float, ...] | None = None) -> list[int]:
    """Reciprocal rank fusion of ranked lists of ids (each list's share weighted): best first,
    ties in first-seen order."""
    scores: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        weight = weights[n] if weights else 1.0
        for rank, doc_id in enumerate(ranking, 1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return sorted(scores, key=lambda d: -scores[d])


def most_words(text: str) -> str | None:
    """The query as "any of its words" (ranked by how many each document holds), for a query of
    two or more plain words; None for one word or a query with quotes or operators."""
    cleaned = clean_query(text)
    if '"' in cleaned or any(op in cleaned.split() for op in OPERATORS) or "-" in cleaned.split()[0:1]:
        return None
    words = [w for w in asked_words(cleaned) if w.lower() not in FUNCTION_WORDS]
    return " OR ".join(words) if len(words) >= 2 else None


def search(
    session: Session, backend: SearchBackend, actor: User | None, query: SearchQuery
) -> tuple[SearchResult, str | None, str | None]:
    """The page of ``query`` (ranked by relevance), how it was found, and the corrected query
    shown when that was used (see the module's description)."""
    size = math.ceil(WINDOW / query.per_page) * query.per_page  # pages past it align with the index's
    window = replace(query, page=1, per_page=size, snippets=False)  # snippets once the page is chosen
    word = backend.search(window)
    found_by = shown_for = None
    fixed = corrected(backend, window, word)
    if fixed:
        (word, shown_for), found_by = fixed, "corrected"
    if word.total == 0:
        loose = most_words(query.text)
        if loose:
            partial = backend.search(replace(window, text=loose))
            if partial.total:
                word, found_by = partial, "most words"
    word_ids = [h.id for h in word.hits]
    complete = word.total <= len(word_ids)
    close = meaning.search(session, actor, query.text, query.filters, limit=size)
    in_words = set(word_ids)
    if complete:
        extra_ids = [f.id for f in close if f.id not in in_words]
        ranked = fuse(word_ids, [f.id for f in close], weights=_weights(found_by))
    else:
        extra_ids = []
        ranked = fuse(word_ids, [f.id for f in close if f.id in in_words], weights=_weights(found_by))
    if not word_ids and extra_ids:
        found_by = "meaning"
    start = (query.page - 1) * query.per_page
    asked = word_text(query, shown_for, found_by)
    if start >= len(ranked) and not complete:
        page = backend.search(replace(query, text=asked))
        return replace(page, total=word.total, facets=word.facets), found_by, shown_for
    chosen = ranked[start : start + query.per_page]
    extra = _extra_hits(session, extra_ids, {f.id: f.passage_start for f in close})
    by_id = {h.id: h for h in word.hits}
    on_page = [i for i in chosen if i in by_id]
    if on_page:  # the page's word results, with their snippets
        shown = backend.search(replace(query, text=asked, page=1, per_page=len(on_page), ids=on_page))
        by_id.update({h.id: h for h in shown.hits})
    by_id |= extra
    hits = [by_id[i] for i in chosen if i in by_id]
    facets = _with_facets(word.facets, [extra[i] for i in extra_ids if i in extra])
    result = SearchResult(
        total=word.total + len(extra_ids), hits=hits, facets=facets, suggestion=word.suggestion
    )
    if found_by == "corrected":
        result.suggestion = None  # the corrected results are shown; nothing more to offer
    return result, found_by, shown_for


def corrected(
    backend: SearchBackend, query: SearchQuery, result: SearchResult
) -> tuple[SearchResult, str] | None:
    """When ``query`` as asked found nothing (``result``) and its offered correction finds
    something: what the correction finds, and the corrected query."""
    if result.total or not result.suggestion:
        return None
    found = backend.search(replace(query, text=result.suggestion))
    return (found, result.suggestion) if found.total else None


def _weights(found_by: str | None) -> tuple[float, float]:
    """How much the word index's ranking and meaning's count in the fusion: meaning less where
    documents hold every word asked (or of the correction), words less where they hold only most."""
    if found_by == "most words":
        return LOOSE_WEIGHT, 1.0
    return 1.0, MEANING_WEIGHT


def word_text(query: SearchQuery, shown_for: str | None, found_by: str | None) -> str:
    """The query text the word index answered with."""
    if found_by == "corrected" and shown_for:
        return shown_for
    if found_by == "most words":
        return most_words(query.text) or query.text
    return query.text


def _extra_hits(session: Session, ids: list[int], starts: dict[int, int]) -> dict[int, Hit]:
    """Results found by meaning alone, as the word index would give them: the current version's
    title and details, and a snippet from the passage closest to the query."""
    if not ids:
        return {}
    rows = session.execute(
        select(DocumentVersion, Document)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.document_id.in_(ids), DocumentVersion.is_current.is_(True))
        .options(
            defer(Document.extracted_text),  # only the shared version is read, and only it
            selectinload(DocumentVersion.service_areas),
            selectinload(DocumentVersion.document_type),
            selectinload(Document.authority).selectinload(Authority.region),
        )
    ).all()
    out = {}
    for version, document in rows:
        at = starts.get(document.id, 0)
        snippet = lead(plain_text(version.text[at : at + 2000]))
        fields = {
            "id": document.id,
            "title": version.title,
            "summary": plain_text(version.summary),
            "authority": document.authority.code,
            "authority_name": document.authority.name,
            "region": document.authority.region.slug,
            "document_type": version.document_type.slug,
            "service_area": ",".join(a.slug for a in version.service_areas),
            "year": str(version.year) if version.year else "",
            "published_at": version.consented_at,
        }
        out[document.id] = Hit(id=document.id, score=0.0, title=version.title, snippet=snippet, fields=fields)
    return out


def _with_facets(facets: dict[str, dict[str, int]], extra: list[Hit]) -> dict[str, dict[str, int]]:
    """The word index's facet counts with the documents found by meaning alone added."""
    out = {name: Counter(values) for name, values in facets.items()}
    for hit in extra:
        f = hit.fields
        for area in filter(None, f["service_area"].split(",")):
            out.setdefault("service_area", Counter())[area] += 1
        for name in ("document_type", "region", "authority", "year"):
            if f.get(name):
                out.setdefault(name, Counter())[f[name]] += 1
    return {name: dict(counts) for name, counts in out.items()}
