"""The Whoosh backend (whoosh-reloaded).

Layout under ``root``: one folder per index build and a ``CURRENT`` file naming the live one, so
that a rebuild is made aside and swapped in at once. Writes take an exclusive file lock, so
several processes never write at the same time; searchers are reused between queries and
refreshed only when the index has changed.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import highlight, index, sorting
from whoosh.analysis import SimpleAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, QueryParser
from whoosh.qparser import plugins as qplugins
from whoosh.query import And, Every, NullQuery, Or, Term

from .base import FACETS, Hit, IndexedDocument, SearchBackend, SearchQuery, SearchResult
from .common import (
    SNIPPET_CHARS,
    BuildFolders,
    Thesaurus,
    allowed_distance,
    clean_query,
    lead,
    newest_key,
    plain_text,
    suggest,
)

log = logging.getLogger(__name__)


def make_schema() -> Schema:
    analyzer = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        text=TEXT(analyzer=analyzer, stored=True),
        service_area=KEYWORD(stored=True, commas=True),
        document_type=ID(stored=True),
        region=ID(stored=True),
        authority=ID(stored=True),
        authority_name=STORED,
        year=ID(stored=True),
        published_at=DATETIME(stored=True, sortable=True),
        year_order=NUMERIC(numtype=int, bits=64, sortable=True),
        labels=KEYWORD(commas=True),
        concepts=KEYWORD(commas=True),
        fingerprint=STORED,
        # Unstemmed words, for "did you mean": offers are words people write, not stems.
        words=TEXT(analyzer=SimpleAnalyzer(), phrase=False),
    )


class _MarkFormatter(highlight.Formatter):
    """Everything escaped; only the matched words wrapped in <mark>."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return "<mark>" + html.escape(highlight.get_text(text, token, replace)) + "</mark>"

    def format_fragment(self, fragment, replace=False):
        output, index_ = [], fragment.startchar
        text = fragment.text
        for token in fragment.matches:
            if token.startchar < index_:
                continue
            output.append(html.escape(text[index_ : token.startchar]))
            output.append(self.format_token(text, token, replace))
            index_ = token.endchar
        output.append(html.escape(text[index_ : fragment.endchar]))
        return "".join(output)


class WhooshBackend(SearchBackend):
    def __init__(self, root: str | os.PathLike, thesaurus: Thesaurus | None = None, procs: int | None = None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.thesaurus = thesaurus or Thesaurus()
        self.procs = procs if procs is not None else min(os.cpu_count() or 1, 4)
        self.schema = make_schema()
        self._local = threading.Lock()
        self._ix = None
        self._ix_name: str | None = None
        self._searcher = None
        self._retired = None
        self._cache_for = None
        self._cache: dict = {}
        self.folders = BuildFolders(self.root, self._create)

    # Storage ---------------------------------------------------------------------------------

    def _create(self, path) -> None:
        index.create_in(str(path), self.schema)

    def _open(self):
        """The live index, reopened if a rebuild has swapped in a new one."""
        name = self.folders.current_name()
        if self._ix is None or name != self._ix_name:
            if self._retired is not None:
                self._retired.close()
            self._retired, self._searcher = self._searcher, None
            self._ix = index.open_dir(str(self.root / name))
            self._ix_name = name
        return self._ix

    def searcher(self):
        """A searcher on the latest commit, reused until the index changes. (A fresh one rather
        than Searcher.refresh(), which can keep serving documents deleted from older segments.)"""
        with self._local:
            ix = self._open()
            if self._searcher is None or not self._searcher.up_to_date():
                if self._retired is not None:
                    self._retired.close()
                # Another thread may still be reading the old one: close it one change later.
                self._retired, self._searcher = self._searcher, ix.searcher()
            return self._searcher

    def close(self) -> None:
        with self._local:
            for searcher in (self._searcher, self._retired):
                if searcher is not None:
                    searcher.close()
            self._searcher, self._retired, self._ix, self._ix_name = None, None, None, None

    # Writing -----------------------------------------------------------------------------------

    def _fields(self, doc: IndexedDocument) -> dict:
        return {
            "id": str(doc.id),
            "title": doc.title,
            "summary": plain_text(doc.summary),
            "text": plain_text(doc.text),
            "words": " ".join((doc.title, plain_text(doc.summary), plain_text(doc.text))),
            "concepts": ",".join(
                str(c) for c in sorted(self.thesaurus.concepts(" ".join((doc.title, doc.summary, doc.text))))
            ),
            "service_area": ",".join(doc.service_areas),
            "document_type": doc.document_type,
            "region": doc.region,
            "authority": doc.authority,
            "authority_name": doc.authority_name,
            "year": str(doc.year) if doc.year else "",
            "published_at": doc.published_at,
            "year_order": newest_key(doc.year, doc.published_at),
            "labels": ",".join(doc.labels),
            "fingerprint": doc.fingerprint,
        }

    @contextmanager
    def writer(self):
        with self.folders.lock():
            ix = self._open()
            w = ix.writer(limitmb=128)
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            else:
                w.commit()

    def apply(self, upserts: Iterable[IndexedDocument], removals: Iterable[int]) -> None:
        """Add, replace and remove in one commit."""
        with self.writer() as w:
            for doc_id in removals:
                w.delete_by_term("id", str(doc_id))
            for doc in upserts:
                w.update_document(**self._fields(doc))

    def rebuild(self, documents: Iterable[IndexedDocument], progress=None) -> int:
        name = self.folders.new_build()
        ix = index.open_dir(str(self.folders.path(name)))
        # Both cores, and no final merge: the segments are merged by later writes as usual.
        w = (
            ix.writer(procs=self.procs, limitmb=128, multisegment=True)
            if self.procs > 1
            else ix.writer(limitmb=256)
        )
        count = 0
        try:
            for doc in documents:
                w.add_document(**self._fields(doc))
                count += 1
                if progress is not None:
                    progress(count)
            w.commit()
        except BaseException:
            w.cancel()
            self.folders.discard(name)
            raise
        self.folders.swap_in(name)
        return count

    # Reading ---------------------------------------------------------------------------------

    def size(self) -> int:
        return self.searcher().doc_count()

    def indexed(self) -> dict[int, str]:
        s = self.searcher()
        return {int(f["id"]): f.get("fingerprint", "") for f in s.all_stored_fields()}

    def _filter(self, labels: list[str] | None, filters: dict[str, list[str]], ids: list[int] | None = None):
        parts = []
        if ids is not None:
            if not ids:
                return NullQuery
            parts.append(Or([Term("id", str(i)) for i in ids]))
        if labels is not None:
            if not labels:
                return NullQuery
            parts.append(Or([Term("labels", label) for label in labels]))
        for name, values in filters.items():
            values = [v for v in values if v]
            if values:
                parts.append(Or([Term(name, str(v)) for v in values]))
        return And(parts) if parts else None

    def parse(self, text: str):
        cleaned = clean_query(text)
        if not cleaned:
            return None, ""
        parser = MultifieldParser(["title", "summary", "text"], self.schema, group=AndGroup)
        for plugin in (
            qplugins.WildcardPlugin,
            qplugins.FieldsPlugin,
            qplugins.RangePlugin,
            qplugins.BoostPlugin,
            qplugins.PlusMinusPlugin,
        ):
            parser.remove_plugin_class(plugin)
        parsed = parser.parse(self.thesaurus.expand(cleaned))
        return parsed.accept(self._concept_terms), cleaned

    def _concept_terms(self, q):
        """The parser's concept tokens become look-ups of the concept tag."""
        if isinstance(q, Term):
            match = Thesaurus.TOKEN_RE.match(str(q.text))
            if match:
                return Term("concepts", match.group(1))
        return q

    def search(self, query: SearchQuery) -> SearchResult:
        s = self.searcher()
        parsed, cleaned = self.parse(query.text)
        q = parsed if parsed is not None else Every()
        filt = self._filter(query.labels, query.filters, query.ids)
        if filt is NullQuery:
            return SearchResult(total=0, hits=[], facets={f: {} for f in FACETS})
        sortedby = None
        if query.sort == "date" or parsed is None:
            sortedby = sorting.FieldFacet("year_order", reverse=True)
        page = max(query.page, 1)
        # Only the page is scored (a top-k collector); the total and the facet counts come from
        # the unscored set of matching documents.
        results = s.search(q, limit=page * query.per_page, filter=filt, sortedby=sortedby)
        results.highlighter = highlight.Highlighter(
            fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70),
            formatter=_MarkFormatter(),
        )
        hits = []
        for hit in results[(page - 1) * query.per_page : page * query.per_page]:
            fields = hit.fields()
            snippet = ""
            if parsed is not None and query.snippets:
                snippet = hit.highlights("text", top=2) or hit.highlights("summary", top=1)
            if not snippet and query.snippets:
                snippet = lead(fields.get("summary") or fields.get("text", ""))
            hits.append(
                Hit(
                    id=int(fields["id"]),
                    score=hit.score or 0.0,
                    title=fields["title"],
                    snippet=snippet,
                    fields=fields,
                )
            )
        matched = set(s.docs_for_query(And([q, filt]) if filt is not None else q))
        fetching = query.ids is not None  # given documents' hits only: no facets or offers
        counted = {} if fetching else self._facet_counts(s, matched)
        suggestion = None
        if parsed is not None and len(matched) < 3 and not fetching:
            suggestion = self._suggestion(s, cleaned, filt, len(matched))
        return SearchResult(total=len(matched), hits=hits, facets=counted, suggestion=suggestion)

    def _suggestion(self, s, cleaned: str, filt, total: int) -> str | None:
        """ "Did you mean": only words of the documents this query may return (the caller's
        access labels and filters; never words of removed documents, which linger in the word
        list until segments merge), offered only when the corrected query finds more."""
        reader = s.reader()
        allowed = set(s.docs_for_query(filt)) if filt is not None else set(reader.all_doc_ids())
        counts: dict[str, int] = {}

        def word_count(word: str) -> int:
            if word not in counts:
                found = ("words", word) in reader
                counts[word] = len(set(reader.postings("words", word).all_ids()) & allowed) if found else 0
            return counts[word]

        def candidates(word: str):
            for candidate in reader.terms_within("words", word, allowed_distance(word), prefix=1):
                yield candidate, word_count(candidate)

        def count_query(text: str) -> int:
            parsed, _ = self.parse(text)
            if parsed is None:
                return 0
            return sum(1 for _ in s.docs_for_query(And([parsed, filt]) if filt is not None else parsed))

        if not allowed:
            return None
        return suggest(cleaned, total, word_count, candidates, count_query)

    def _cached(self, s) -> dict:
        """Per searcher (so per index version): the documents holding each facet value."""
        with self._local:
            if self._cache_for is not s:
                reader = s.reader()
                values: dict[str, dict[str, frozenset]] = {}
                for name in FACETS:
                    values[name] = {}
                    for term in reader.lexicon(name):
                        key = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                        if key:
                            values[name][key] = frozenset(reader.postings(name, term).all_ids())
                self._cache = {"values": values}
                self._cache_for = s
            return self._cache

    def _facet_counts(self, s, matched: set[int]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for name, values in self._cached(s)["values"].items():
            counts[name] = {value: n for value, docs in values.items() if (n := len(docs & matched))}
        return counts

    def more_like_this(self, document_id: int, labels: list[str] | None, limit: int = 5) -> list[Hit]:
        s = self.searcher()
        docnum = s.document_number(id=str(document_id))
        if docnum is None:
            return []
        filt = self._filter(labels, {})
        if filt is NullQuery:
            return []
        results = s.more_like(docnum, "text", top=limit, filter=filt, numterms=15)
        return [
            Hit(id=int(h["id"]), score=h.score or 0.0, title=h["title"], snippet="", fields=h.fields())
            for h in results
        ]


__all__ = ["OrGroup", "QueryParser", "Thesaurus", "WhooshBackend", "clean_query"]
