"""The Tantivy backend (the ``tantivy`` package: Rust's Tantivy search engine).

Scoring, the top-k collector, phrase checks, counting and the facet aggregations run in Rust, so a
query that matches half the library costs about as much as one that matches ten documents.
Layout as the Whoosh backend's: one folder per build and ``CURRENT`` naming the live one; writes
hold ``write.lock`` (Tantivy allows one writer per index); every process checks the live build's
``meta.json`` before a query and reloads its reader when a commit has changed it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .base import FACETS, Hit, IndexedDocument, SearchBackend, SearchQuery, SearchResult
from .common import (
    NOT_RE,
    SNIPPET_CHARS,
    TEXT_FIELDS,
    BuildFolders,
    Thesaurus,
    asked_words,
    clean_query,
    lead,
    mark_html,
    newest_key,
    plain_text,
    suggest,
)

log = logging.getLogger(__name__)

BOOSTS = {"title": 3.0, "summary": 2.0, "text": 1.0}
WRITER_HEAP = 50_000_000
REBUILD_HEAP = 200_000_000
FACET_SIZE = 10_000  # more than there are authorities, areas, types, regions or years


def make_schema():
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        b.add_text_field(name, stored=True, tokenizer_name="en_stem")
    # Unstemmed words, for "did you mean": offers are words people write, not stems.
    b.add_text_field("words", tokenizer_name="default", index_option="basic")
    b.add_text_field("concepts", tokenizer_name="raw", index_option="basic")
    b.add_text_field("labels", tokenizer_name="raw", index_option="basic")
    for name in FACETS:
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("authority_name", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("fingerprint", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_date_field("published_at", stored=True)
    b.add_integer_field("newest", fast=True)
    return b.build()


ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)  # as the "en_stem" tokenizer the text fields use
WINDOW = 200  # characters in which a snippet gathers as many of the words asked for as it can


def _word_end(text: str, at: int) -> int:
    while at < len(text) and (text[at].isalnum() or text[at] == "_"):
        at += 1
    return at


def snippet_for(text: str, stems: set[str], prefixes: list[str], most: int = 30) -> str:
    """A snippet of ``text`` around the place holding the most of the words asked for (compared
    by stem, as the index does), those words marked. Looks at the first ``most`` places each
    word occurs, found by plain substring search, so a long text costs little."""
    lowered = text.lower()
    places: list[tuple[int, int, str]] = []
    for prefix in prefixes:
        at, kept = lowered.find(prefix), 0
        while at >= 0 and kept < most:
            if at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
                end = _word_end(lowered, at)
                stem = ANALYZER.analyze(text[at:end])
                if stem and stem[0] in stems:
                    places.append((at, end, stem[0]))
                    kept += 1
                at = lowered.find(prefix, end)
            else:
                at = lowered.find(prefix, at + 1)
    if not places:
        return ""
    places.sort()
    best, best_count = 0, 0
    for i, (start, _end, _stem) in enumerate(places):
        count = len({stem for s, _e, stem in places[i:] if s < start + WINDOW})
        if count > best_count:
            best, best_count = i, count
    first = places[best][0]
    start = max(0, first - 60)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else first
    stop = min(len(text), start + SNIPPET_CHARS)
    if stop < len(text):
        space = text.rfind(" ", first, stop)
        stop = space if space > first else stop
    fragment = text[start:stop]
    ranges = [(s - start, e - start) for s, e, _stem in places if s >= start and e <= stop]
    return mark_html(
        " ".join(fragment.split("\n")), ranges, more_before=start > 0, more_after=stop < len(text)
    )


_MAYBE_RE = re.compile(r"\bANDMAYBE\b")


class TantivyBackend(SearchBackend):
    def __init__(
        self, root: str | os.PathLike, thesaurus: Thesaurus | None = None, threads: int | None = None
    ):
        self.thesaurus = thesaurus or Thesaurus()
        self.threads = threads if threads is not None else min(os.cpu_count() or 1, 4)
        self.schema = make_schema()
        self._local = threading.Lock()
        self._index = None
        self._name: str | None = None
        self._stamp = None
        self.folders = BuildFolders(root, self._create)
        self.root = self.folders.root

    # Storage ---------------------------------------------------------------------------------

    def _create(self, path: Path) -> None:
        tantivy.Index(self.schema, path=str(path), reuse=False)

    @staticmethod
    def _meta_stamp(path: Path):
        try:
            st = (path / "meta.json").stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def index(self):
        """The live index, its reader on the latest commit of any process."""
        with self._local:
            name = self.folders.current_name()
            path = self.folders.path(name)
            if self._index is None or name != self._name:
                index = tantivy.Index(self.schema, path=str(path), reuse=True)
                index.config_reader(reload_policy="Manual")
                self._index, self._name, self._stamp = index, name, self._meta_stamp(path)
            else:
                stamp = self._meta_stamp(path)
                if stamp != self._stamp:
                    self._index.reload()
                    self._stamp = stamp
            return self._index

    def searcher(self):
        return self.index().searcher()

    def close(self) -> None:
        with self._local:
            self._index, self._name, self._stamp = None, None, None

    # Writing -----------------------------------------------------------------------------------

    def _document(self, doc: IndexedDocument) -> tantivy.Document:
        text, summary = plain_text(doc.text), plain_text(doc.summary)
        d = tantivy.Document()
        d.add_integer("id", doc.id)
        d.add_text("title", doc.title)
        d.add_text("summary", summary)
        d.add_text("text", text)
        d.add_text("words", " ".join((doc.title, summary, text)))
        for concept in sorted(self.thesaurus.concepts(" ".join((doc.title, doc.summary, doc.text)))):
            d.add_text("concepts", str(concept))
        for label in doc.labels:
            d.add_text("labels", label)
        for area in doc.service_areas:
            d.add_text("service_area", area)
        d.add_text("document_type", doc.document_type)
        d.add_text("region", doc.region)
        d.add_text("authority", doc.authority)
        if doc.year:
            d.add_text("year", str(doc.year))
        d.add_text("authority_name", doc.authority_name)
        d.add_text("fingerprint", doc.fingerprint)
        d.add_date("published_at", doc.published_at.replace(tzinfo=UTC))
        d.add_integer("newest", newest_key(doc.year, doc.published_at.replace(tzinfo=UTC)))
        return d

    def apply(self, upserts: Iterable[IndexedDocument], removals: Iterable[int]) -> None:
        """Add, replace and remove in one commit."""
        upserts, removals = list(upserts), list(removals)
        documents = [self._document(doc) for doc in upserts]  # the Python work outside the lock
        with self.folders.lock():
            index = self.index()
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            try:
                for doc_id in [*removals, *(doc.id for doc in upserts)]:
                    writer.delete_documents_by_term("id", doc_id)
                for document in documents:
                    writer.add_document(document)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # also lets go of Tantivy's own writer lock
        self.index()  # this process reads its own write at once

    def rebuild(self, documents: Iterable[IndexedDocument], progress=None) -> int:
        name = self.folders.new_build()
        index = tantivy.Index(self.schema, path=str(self.folders.path(name)), reuse=True)
        writer = index.writer(heap_size=REBUILD_HEAP, num_threads=self.threads)
        count = 0
        try:
            for doc in documents:
                writer.add_document(self._document(doc))
                count += 1
                if progress is not None:
                    progress(count)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            writer.wait_merging_threads()
            self.folders.discard(name)
            raise
        self.folders.swap_in(name)
        return count

    # Reading ---------------------------------------------------------------------------------

    def size(self) -> int:
        return self.searcher().num_docs

    def indexed(self) -> dict[int, str]:
        s = self.searcher()
        if not s.num_docs:
            return {}
        result = s.search(Query.all_query(), limit=s.num_docs, count=False)
        out = {}
        for _, address in result.hits:
            stored = s.doc(address)
            out[stored.get_first("id")] = stored.get_first("fingerprint") or ""
        return out

    def _filter(self, labels: list[str] | None, filters: dict[str, list[str]], ids: list[int] | None = None):
        """None: no limit; False: nothing may be found; else a query every result must match."""
        parts = []
        if ids is not None:
            if not ids:
                return False
            parts.append(Query.term_set_query(self.schema, "id", [int(i) for i in ids]))
        if labels is not None:
            if not labels:
                return False
            parts.append(Query.term_set_query(self.schema, "labels", list(labels)))
        for name, values in filters.items():
            values = [str(v) for v in values if v]
            if values:
                parts.append(Query.term_set_query(self.schema, name, values))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Must, p) for p in parts])

    def parse(self, text: str):
        cleaned = clean_query(text)
        if not cleaned:
            return None, ""
        expanded = self.thesaurus.expand(cleaned)
        expanded = Thesaurus.TOKEN_RE_INLINE.sub(r"concepts:\1", expanded)
        expanded = _MAYBE_RE.sub(" ", NOT_RE.sub("-", expanded))
        query, _errors = self.index().parse_query_lenient(
            expanded, list(TEXT_FIELDS), field_boosts=BOOSTS, conjunction_by_default=True
        )
        return query, cleaned

    @staticmethod
    def _within(query, filt):
        if filt is None:
            return query
        return Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.const_score_query(filt, 0.0))])

    def search(self, query: SearchQuery) -> SearchResult:
        filt = self._filter(query.labels, query.filters, query.ids)
        if filt is False:
            return SearchResult(total=0, hits=[], facets={f: {} for f in FACETS})
        parsed, cleaned = self.parse(query.text)
        s = self.searcher()
        q = self._within(parsed if parsed is not None else Query.all_query(), filt)
        page = max(query.page, 1)
        by_date = query.sort == "date" or parsed is None
        result = s.search(
            q,
            limit=query.per_page,
            offset=(page - 1) * query.per_page,
            count=True,
            order_by_field="newest" if by_date else None,
        )
        marks = self._marks(cleaned) if parsed is not None and query.snippets else None
        hits = []
        for key, address in result.hits:
            stored = s.doc(address)
            fields = self._fields(stored)
            snippet = ""
            if marks:
                snippet = snippet_for(stored.get_first("text") or "", *marks)
                snippet = snippet or snippet_for(fields["summary"], *marks)
            if not snippet and query.snippets:
                snippet = lead(fields["summary"] or stored.get_first("text") or "")
            hits.append(
                Hit(
                    id=fields["id"],
                    score=0.0 if by_date else float(key),
                    title=fields["title"],
                    snippet=snippet,
                    fields=fields,
                )
            )
        fetching = query.ids is not None  # given documents' hits only: no facets or offers
        facets = {} if fetching else self._facets(s, q)
        suggestion = None
        if parsed is not None and result.count < 3 and not fetching:
            suggestion = self._suggestion(s, cleaned, result.count, filt)
        return SearchResult(total=result.count, hits=hits, facets=facets, suggestion=suggestion)

    def _marks(self, cleaned: str):
        """What a snippet looks for: the stems of the words asked for (not those excluded), and
        the beginnings of those stems to find them by."""
        words = asked_words(cleaned)
        stems = {stem for stem in ANALYZER.analyze(" ".join(words)) if stem}
        if not stems:
            return None
        return stems, sorted({stem[:4] for stem in stems})

    @staticmethod
    def _fields(stored) -> dict:
        def first(name):
            return stored.get_first(name)

        published = first("published_at")
        return {
            "id": first("id"),
            "title": first("title") or "",
            "summary": first("summary") or "",
            "authority": first("authority") or "",
            "authority_name": first("authority_name") or "",
            "region": first("region") or "",
            "document_type": first("document_type") or "",
            "service_area": ",".join(stored.get_all("service_area")),
            "year": first("year") or "",
            "published_at": published.astimezone(UTC).replace(tzinfo=None) if published else None,
        }

    def _facets(self, s, q) -> dict[str, dict[str, int]]:
        aggs = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACETS}
        out = s.aggregate(q, aggs)
        return {
            name: {b["key"]: b["doc_count"] for b in out.get(name, {}).get("buckets", []) if b["doc_count"]}
            for name in FACETS
        }

    def _suggestion(self, s, cleaned: str, total: int, filt) -> str | None:
        """ "Did you mean": only words of the documents this query may return (the caller's
        access labels and filters), offered only when the corrected query finds more."""

        def terms(word: str):
            return s.terms_with_prefix("words", word[:1], filter_query=filt)

        def word_count(word: str) -> int:
            found = s.terms_with_prefix("words", word, filter_query=filt)
            return next((n for term, n in found if term == word), 0)

        def count_query(text: str) -> int:
            parsed, _ = self.parse(text)
            return 0 if parsed is None else s.search(self._within(parsed, filt), limit=1, count=True).count

        return suggest(cleaned, total, word_count, terms, count_query)

    def more_like_this(self, document_id: int, labels: list[str] | None, limit: int = 5) -> list[Hit]:
        filt = self._filter(labels, {})
        if filt is False:
            return []
        s = self.searcher()
        own = Query.term_query(self.schema, "id", document_id)
        found = s.search(own, limit=1, count=False).hits
        if not found:
            return []
        similar = Query.more_like_this_query(
            found[0][1], min_doc_frequency=1, min_term_frequency=1, max_query_terms=15, min_word_length=3
        )
        parts = [(Occur.Must, similar), (Occur.MustNot, own)]
        if filt is not None:
            parts.append((Occur.Must, Query.const_score_query(filt, 0.0)))
        result = s.search(Query.boolean_query(parts), limit=limit, count=False)
        hits = []
        for score, address in result.hits:
            fields = self._fields(s.doc(address))
            hits.append(
                Hit(id=fields["id"], score=float(score), title=fields["title"], snippet="", fields=fields)
            )
        return hits
