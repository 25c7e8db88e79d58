"""The Whoosh backend (whoosh-reloaded).

Layout under ``root``: one folder per index build and a ``CURRENT`` file naming the live one, so
that a rebuild is made aside and swapped in at once. Writes take an exclusive file lock, so
several processes never write at the same time; searchers are reused between queries and
refreshed only when the index has changed.
"""

from __future__ import annotations

import fcntl
import html
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import highlight, index, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, QueryParser
from whoosh.qparser import plugins as qplugins
from whoosh.query import And, Every, NullQuery, Or, Term
from whoosh.spelling import Corrector

from .base import FACETS, Hit, IndexedDocument, SearchBackend, SearchQuery, SearchResult

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 300
SNIPPET_CHARS = 240
LOCK_TIMEOUT = 30.0


def make_schema() -> Schema:
    analyzer = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        text=TEXT(analyzer=analyzer, stored=True, chars=True),
        service_area=KEYWORD(stored=True, commas=True),
        document_type=ID(stored=True),
        region=ID(stored=True),
        authority=ID(stored=True),
        authority_name=STORED,
        year=ID(stored=True),
        published_at=DATETIME(stored=True, sortable=True),
        labels=KEYWORD(commas=True),
        concepts=KEYWORD(commas=True),
        fingerprint=STORED,
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


# Query text ---------------------------------------------------------------------------------------

_OPERATOR_RE = re.compile(r"^(?:AND|OR|NOT|ANDNOT|ANDMAYBE)$")


def clean_query(text: str) -> str:
    """A query Whoosh can always parse: no wildcards or field names, balanced quotes and
    brackets, no dangling operators, at most MAX_QUERY_CHARS characters."""
    text = (text or "")[:MAX_QUERY_CHARS]
    text = re.sub(r"[*?~^:{}\[\]\\/<>=]", " ", text)
    if text.count('"') % 2:
        head, _, tail = text.rpartition('"')
        text = head + " " + tail
    depth, chars = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                continue
            depth -= 1
        chars.append(ch)
    text = "".join(chars) + ")" * depth
    words = text.split()
    while words and _OPERATOR_RE.match(words[0]):
        words.pop(0)
    while words and _OPERATOR_RE.match(words[-1]):
        words.pop()
    cleaned = " ".join(words)
    return "" if not re.search(r"\w", cleaned) else cleaned


class Thesaurus:
    """Groups of terms that mean the same (SEND and special educational needs and disabilities...).

    Each group is a concept. At indexing time every document is tagged with the concepts any of
    whose forms it mentions; a query naming any form then looks up that one tag, instead of
    matching every form as a phrase. Forms written in capitals (acronyms) match in capitals only,
    so that "send" the verb is not SEND; the others match in any case.
    """

    TOKEN = "xthesaurusconcept{}x"  # noqa: S105 - a placeholder word, not a secret
    TOKEN_RE = re.compile(r"^xthesaurusconcept(\d+)x$")

    def __init__(self, groups: Iterable[Iterable[str]] = ()):
        self.groups = [list(dict.fromkeys(g)) for g in groups if g]
        self._concept = {}
        for number, group in enumerate(self.groups):
            for form in group:
                self._concept[form if form.isupper() else form.lower()] = number
        acronyms = [f for f in self._concept if f.isupper()]
        phrases = [f for f in self._concept if not f.isupper()]
        self._acronyms = self._compile(acronyms, 0)
        self._phrases = self._compile(phrases, re.I)

    @staticmethod
    def _compile(forms: list[str], flags: int) -> re.Pattern | None:
        if not forms:
            return None
        forms = sorted(forms, key=len, reverse=True)
        body = "|".join(r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", f)) for f in forms)
        return re.compile(r"(?<![\w-])(" + body + r")(?![\w-])", flags)

    def _lookup(self, form: str) -> int | None:
        key = " ".join(re.split(r"[\s-]+", form))
        for candidate in (form, form.lower(), key.lower(), key.lower().replace(" ", "-")):
            if candidate in self._concept:
                return self._concept[candidate]
        lowered = {k.lower().replace("-", " "): v for k, v in self._concept.items()}
        return lowered.get(key.lower().replace("-", " "))

    def concepts(self, text: str) -> set[int]:
        """The concepts a text mentions."""
        found: set[int] = set()
        for pattern in (self._acronyms, self._phrases):
            if pattern is not None:
                for match in pattern.finditer(text):
                    concept = self._lookup(match.group(1))
                    if concept is not None:
                        found.add(concept)
        return found

    def expand(self, query: str) -> str:
        """Each thesaurus term outside quotes becomes a concept token (see ``concept_query``)."""
        if not query:
            return query
        parts = re.split(r'("[^"]*")', query)
        for i, part in enumerate(parts):
            if part.startswith('"'):
                continue
            for pattern in (self._acronyms, self._phrases):
                if pattern is not None:
                    part = pattern.sub(self._token, part)
            parts[i] = part
        return "".join(parts)

    def _token(self, match: re.Match) -> str:
        concept = self._lookup(match.group(1))
        return match.group(1) if concept is None else self.TOKEN.format(concept)


@contextmanager
def _file_lock(path: Path, timeout: float = LOCK_TIMEOUT):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the search index is busy ({path})") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


TEXT_FIELDS = ("title", "summary", "text")


class _AllowedWords(Corrector):
    """Spelling suggestions from the words of some documents only: a word is offered if at least
    one of ``allowed`` (live document numbers) holds it in its title, summary or text."""

    def __init__(self, reader, allowed: set[int]):
        self.reader = reader
        self.allowed = allowed
        self._counts: dict[str, int] = {}

    def count(self, word: str) -> int:
        """In how many allowed documents the word occurs."""
        if word not in self._counts:
            docs: set[int] = set()
            for name in TEXT_FIELDS:
                if (name, word) in self.reader:
                    docs.update(self.reader.postings(name, word).all_ids())
            self._counts[word] = len(docs & self.allowed)
        return self._counts[word]

    def _suggestions(self, text, maxdist, prefix):
        seen: set[str] = set()
        for name in TEXT_FIELDS:
            for word in self.reader.terms_within(name, text, maxdist, prefix=prefix):
                if word in seen:
                    continue
                seen.add(word)
                n = self.count(word)
                if n:
                    yield (n, word)


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
        self._ensure_current()

    # Storage ---------------------------------------------------------------------------------

    @property
    def _current_file(self) -> Path:
        return self.root / "CURRENT"

    def _ensure_current(self) -> None:
        if self._current_file.exists():
            return
        with _file_lock(self.root / "write.lock"):
            if not self._current_file.exists():
                self._set_current(self._new_build())

    def _current_name(self) -> str:
        return self._current_file.read_text().strip()

    def _new_build(self) -> str:
        name = f"index-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir()
        index.create_in(str(path), self.schema)
        return name

    def _set_current(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{uuid.uuid4().hex}"
        tmp.write_text(name)
        os.replace(tmp, self._current_file)

    def _open(self):
        """The live index, reopened if a rebuild has swapped in a new one."""
        name = self._current_name()
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
            "summary": doc.summary,
            "text": doc.text,
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
            "labels": ",".join(doc.labels),
            "fingerprint": doc.fingerprint,
        }

    @contextmanager
    def writer(self):
        with _file_lock(self.root / "write.lock"):
            ix = self._open()
            w = ix.writer(limitmb=128)
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            else:
                w.commit()

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        count = 0
        with self.writer() as w:
            for doc in documents:
                w.update_document(**self._fields(doc))
                count += 1
        return count

    def remove(self, ids: Iterable[int]) -> None:
        with self.writer() as w:
            for doc_id in ids:
                w.delete_by_term("id", str(doc_id))

    def apply(self, upserts: Iterable[IndexedDocument], removals: Iterable[int]) -> None:
        """Add, replace and remove in one commit."""
        with self.writer() as w:
            for doc_id in removals:
                w.delete_by_term("id", str(doc_id))
            for doc in upserts:
                w.update_document(**self._fields(doc))

    def rebuild(self, documents: Iterable[IndexedDocument], progress=None) -> int:
        name = self._new_build()
        ix = index.open_dir(str(self.root / name))
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
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        with _file_lock(self.root / "write.lock"):
            old = self._current_file.read_text().strip() if self._current_file.exists() else None
            self._set_current(name)
        for path in self.root.glob("index-*"):
            if path.name not in (name, old):
                shutil.rmtree(path, ignore_errors=True)
        return count

    # Reading ---------------------------------------------------------------------------------

    def size(self) -> int:
        return self.searcher().doc_count()

    def indexed(self) -> dict[int, str]:
        s = self.searcher()
        return {int(f["id"]): f.get("fingerprint", "") for f in s.all_stored_fields()}

    def _filter(self, labels: list[str] | None, filters: dict[str, list[str]]):
        parts = []
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
        filt = self._filter(query.labels, query.filters)
        if filt is NullQuery:
            return SearchResult(total=0, hits=[], facets={f: {} for f in FACETS})
        sortedby = None
        if query.sort == "date" or parsed is None:
            sortedby = sorting.FieldFacet("published_at", reverse=True)
        page = max(query.page, 1)
        # One pass over the index: every match is collected (limit=None), so that the total and the
        # facet counts come from the same results as the page, without running the query again.
        results = s.search(q, limit=None, filter=filt, sortedby=sortedby, terms=parsed is not None)
        # Character positions are stored, so snippets come from the postings, not a re-read of the text.
        results.highlighter = highlight.Highlighter(
            fragmenter=highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=70, autotrim=True),
            formatter=_MarkFormatter(),
        )
        hits = []
        for hit in results[(page - 1) * query.per_page : page * query.per_page]:
            fields = hit.fields()
            snippet = ""
            if parsed is not None:
                snippet = hit.highlights("text", top=2) or hit.highlights("summary", top=1)
            if not snippet:
                plain = fields.get("summary") or fields.get("text", "")
                snippet = html.escape(plain[:SNIPPET_CHARS] + ("…" if len(plain) > SNIPPET_CHARS else ""))
            hits.append(
                Hit(
                    id=int(fields["id"]),
                    score=hit.score or 0.0,
                    title=fields["title"],
                    snippet=snippet,
                    fields=fields,
                )
            )
        matched = set(results.docs())
        counted = self._facet_counts(s, matched)
        suggestion = None
        if parsed is not None and results.scored_length() < 3:
            suggestion = self._suggestion(s, parsed, cleaned, filt)
        return SearchResult(total=len(matched), hits=hits, facets=counted, suggestion=suggestion)

    def _suggestion(self, s, parsed, cleaned: str, filt) -> str | None:
        """ "Did you mean": words drawn only from the documents this query may return (the
        caller's access labels and filters), never from others, nor from removed documents whose
        words linger in the index's word list until its segments merge."""
        reader = s.reader()
        allowed = set(s.docs_for_query(filt)) if filt is not None else set(reader.all_doc_ids())
        if not allowed:
            return None
        corrector = _AllowedWords(reader, allowed)
        terms = [
            (token.fieldname, token.text)
            for token in parsed.all_tokens()
            if token.fieldname in TEXT_FIELDS and not corrector.count(token.text)
        ]
        if not terms:
            return None
        correctors = dict.fromkeys(TEXT_FIELDS, corrector)
        corrected = s.correct_query(parsed, cleaned, correctors=correctors, terms=terms, prefix=1)
        if corrected.query != parsed and corrected.string.lower() != cleaned.lower():
            return corrected.string
        return None

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
