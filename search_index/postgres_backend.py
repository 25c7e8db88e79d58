"""The PostgreSQL backend: the index is a table in the library's own database.

For several app hosts behind a load balancer. Each entry is written by the same transaction as
the consent, scope change or withdrawal that causes it (``write`` takes that transaction's
connection), so every host reads one index that never drifts from the documents and needs no
outbox. Full text: a weighted ``tsvector`` (title A, summary B, text D, plus the thesaurus'
concept words) with a GIN index, ``websearch_to_tsquery``, ``ts_rank`` and ``ts_headline`` for the
page only. The table is made by the library's migrations (``search_entries``).
"""

# The SQL below is put together from this module's own constants and column names only; every
# value the caller gives is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from .base import FACETS, Hit, IndexedDocument, SearchBackend, SearchQuery, SearchResult
from .common import (
    NOT_RE,
    SNIPPET_CHARS,
    Thesaurus,
    asked_words,
    clean_query,
    lead,
    newest_key,
    plain_text,
    suggest,
)

TABLE = "search_entries"
CONFIG = "english"
_OPEN, _CLOSE = "\ue000", "\ue001"  # highlight markers: the text is escaped, then they become <mark>
_MARKERS_RE = re.compile("[\ue000\ue001]")
_DROP_RE = re.compile(r"\b(?:AND|ANDMAYBE)\b|[()]")
HEADLINE = (
    f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=40, MinWords=20, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
COLUMNS = (
    "document_id, title, summary, labels, service_areas, document_type, region, authority, "
    "authority_name, year, published_at, newest, fingerprint"
)

UPSERT = text(
    f"""
    INSERT INTO {TABLE} ({COLUMNS}, body, tsv)
    VALUES (:id, :title, :summary, :labels, :service_areas, :document_type, :region, :authority,
            :authority_name, :year, :published_at, :newest, :fingerprint, :body,
            setweight(to_tsvector('{CONFIG}', :title), 'A')
            || setweight(to_tsvector('{CONFIG}', :summary), 'B')
            || to_tsvector('{CONFIG}', :body)
            || to_tsvector('simple', :concepts))
    ON CONFLICT (document_id) DO UPDATE SET
        title = excluded.title, summary = excluded.summary, labels = excluded.labels,
        service_areas = excluded.service_areas, document_type = excluded.document_type,
        region = excluded.region, authority = excluded.authority,
        authority_name = excluded.authority_name, year = excluded.year,
        published_at = excluded.published_at, newest = excluded.newest,
        fingerprint = excluded.fingerprint, body = excluded.body, tsv = excluded.tsv
    """
)
SCALAR_FACETS = ("document_type", "region", "authority", "year")  # each its own column


def edits(word: str) -> set[str]:
    """Every word one edit away (a letter removed, swapped, changed or added)."""
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


class PostgresBackend(SearchBackend):
    # The library writes this backend's entries inside the transaction that changes a document.
    in_transaction = True

    def __init__(self, engine: Engine, thesaurus: Thesaurus | None = None):
        self.engine = engine
        self.thesaurus = thesaurus or Thesaurus()

    def close(self) -> None:
        """Nothing to let go of: connections belong to the engine's pool."""

    # Writing -----------------------------------------------------------------------------------

    def _row(self, doc: IndexedDocument) -> dict:
        body = _MARKERS_RE.sub("", plain_text(doc.text))
        concepts = self.thesaurus.concepts(" ".join((doc.title, doc.summary, doc.text)))
        return {
            "id": doc.id,
            "title": _MARKERS_RE.sub("", doc.title),
            "summary": _MARKERS_RE.sub("", plain_text(doc.summary)),
            "body": body,
            "labels": list(doc.labels),
            "service_areas": list(doc.service_areas),
            "document_type": doc.document_type,
            "region": doc.region,
            "authority": doc.authority,
            "authority_name": doc.authority_name,
            "year": str(doc.year) if doc.year else None,
            "published_at": doc.published_at,
            "newest": newest_key(doc.year, doc.published_at),
            "fingerprint": doc.fingerprint,
            "concepts": " ".join(Thesaurus.TOKEN.format(c) for c in sorted(concepts)),
        }

    def write(
        self, connection: Connection, upserts: Iterable[IndexedDocument], removals: Iterable[int]
    ) -> None:
        """Bring entries in line inside the caller's transaction."""
        removals = list(removals)
        if removals:
            connection.execute(text(f"DELETE FROM {TABLE} WHERE document_id = ANY(:ids)"), {"ids": removals})
        rows = [self._row(doc) for doc in upserts]
        if rows:
            connection.execute(UPSERT, rows)

    def apply(self, upserts: Iterable[IndexedDocument], removals: Iterable[int]) -> None:
        with self.engine.begin() as connection:
            self.write(connection, upserts, removals)

    def rebuild(self, documents: Iterable[IndexedDocument], progress=None) -> int:
        """Every entry anew in one transaction: readers see the old index until it commits."""
        count, batch = 0, []
        with self.engine.begin() as connection:
            connection.execute(text(f"DELETE FROM {TABLE}"))
            for doc in documents:
                batch.append(self._row(doc))
                count += 1
                if progress is not None:
                    progress(count)
                if len(batch) >= 200:
                    connection.execute(UPSERT, batch)
                    batch = []
            if batch:
                connection.execute(UPSERT, batch)
        with self.engine.connect() as connection:  # the planner's figures for the new entries
            connection.execute(text(f"ANALYZE {TABLE}"))
            connection.commit()
        return count

    # Reading ---------------------------------------------------------------------------------

    def size(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()

    def indexed(self) -> dict[int, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(text(f"SELECT document_id, fingerprint FROM {TABLE}")).all())

    @staticmethod
    def _where(
        labels: list[str] | None, filters: dict[str, list[str]], params: dict, ids: list[int] | None = None
    ) -> list[str] | None:
        """SQL conditions for the caller's labels and filters (None: nothing may be found)."""
        where = []
        if ids is not None:
            if not ids:
                return None
            where.append("document_id = ANY(:only_ids)")
            params["only_ids"] = [int(i) for i in ids]
        if labels is not None:
            if not labels:
                return None
            where.append("labels && CAST(:labels AS text[])")
            params["labels"] = list(labels)
        for name, values in filters.items():
            values = [str(v) for v in values if v]
            if not values:
                continue
            key = f"f_{name}"
            params[key] = values
            if name == "service_area":
                where.append(f"service_areas && CAST(:{key} AS text[])")
            else:
                where.append(f"{name} = ANY(CAST(:{key} AS text[]))")
        return where

    def to_websearch(self, cleaned: str) -> str:
        """The cleaned query in websearch_to_tsquery's words: quotes, OR and -word."""
        expanded = self.thesaurus.expand(cleaned)
        expanded = NOT_RE.sub("-", expanded)
        return " ".join(_DROP_RE.sub(" ", expanded).split())

    def search(self, query: SearchQuery) -> SearchResult:
        params: dict = {}
        where = self._where(query.labels, query.filters, params, query.ids)
        if where is None:
            return SearchResult(total=0, hits=[], facets={f: {} for f in FACETS})
        cleaned = clean_query(query.text)
        if cleaned:
            params["q"] = self.to_websearch(cleaned)
            where = ["tsv @@ websearch_to_tsquery('english', :q)", *where]
        condition = " AND ".join(where) or "TRUE"
        page = max(query.page, 1)
        params.update(limit=query.per_page, offset=(page - 1) * query.per_page)
        by_date = query.sort == "date" or not cleaned
        order = "newest DESC, document_id DESC" if by_date else "rank DESC, newest DESC, document_id DESC"
        rank = "ts_rank(tsv, websearch_to_tsquery('english', :q))" if cleaned else "0"
        # ts_headline reads the whole text it is given: it is given the part around the first
        # place a word asked for begins (or the opening), not the whole document.
        snippet = "NULL"
        if cleaned and query.snippets:
            params["near"] = self._near(cleaned)
            window = "substring(page.body from greatest(1, strpos(lower(page.body), :near) - 200) for 1200)"
            snippet = f"ts_headline('{CONFIG}', {window}, websearch_to_tsquery('english', :q), '{HEADLINE}')"
        body = "page.body" if query.snippets else "''"  # a ranking alone needs no text
        with self.engine.connect() as connection:
            page_ids, facets, total = self._scan(connection, condition, rank, order, params)
            rows = connection.execute(
                text(
                    f"SELECT {COLUMNS}, {body} AS body, {snippet} AS snippet "
                    f"FROM {TABLE} AS page WHERE document_id = ANY(:ids)"
                ),
                {**params, "ids": list(page_ids)},
            ).mappings()
            by_id = {row["document_id"]: row for row in rows}
            hits = [self._hit(by_id[i], page_ids[i], query.snippets) for i in page_ids if i in by_id]
            suggestion = None
            if cleaned and total < 3:
                suggestion = self._suggestion(connection, cleaned, total, where[1:], params)
        return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def _near(self, cleaned: str) -> str:
        """The beginning of the first word asked for (not excluded, not an operator)."""
        for word in asked_words(cleaned):
            if len(word) >= 3:
                return word.lower()[:4]
        return ""

    @staticmethod
    def _hit(row, score: float, snippets: bool = True) -> Hit:
        snippet = ""
        if row["snippet"] and _OPEN in row["snippet"]:
            snippet = html.escape(" ".join(row["snippet"].split()))
            snippet = snippet.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
        if not snippet and snippets:
            snippet = lead(row["summary"] or row["body"], SNIPPET_CHARS)
        fields = {
            "id": row["document_id"],
            "title": row["title"],
            "summary": row["summary"],
            "authority": row["authority"],
            "authority_name": row["authority_name"],
            "region": row["region"],
            "document_type": row["document_type"],
            "service_area": ",".join(row["service_areas"]),
            "year": row["year"] or "",
            "published_at": row["published_at"],
        }
        return Hit(
            id=row["document_id"],
            score=score,
            title=row["title"],
            snippet=snippet,
            fields=fields,
        )

    @staticmethod
    def _scan(connection, condition: str, rank: str, order: str, params: dict):
        """One pass over the matches: the page's ids (in order, with their rank), the facet
        counts and the total."""
        parts = [
            f"SELECT '{name}', {name}, count(*), NULL::integer, NULL::real FROM m GROUP BY {name}"
            for name in SCALAR_FACETS
        ]
        parts.append(
            "SELECT 'service_area', area, count(*), NULL, NULL "
            "FROM m, unnest(m.service_areas) AS area GROUP BY area"
        )
        parts.append("SELECT 'total', NULL, count(*), NULL, NULL FROM m")
        parts.append(
            f"(SELECT 'page', NULL, NULL, document_id, rank FROM m "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset)"
        )
        rows = connection.execute(
            text(
                f"""
                WITH m AS MATERIALIZED (
                    SELECT document_id, service_areas, document_type, region, authority, year, newest,
                           {rank} AS rank
                    FROM {TABLE} WHERE {condition}
                )
                {" UNION ALL ".join(parts)}
                """
            ),
            params,
        ).all()
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        total, page_ids = 0, {}
        for facet, value, n, document_id, score in rows:
            if facet == "page":
                page_ids[document_id] = float(score or 0)
            elif facet == "total":
                total = n
            elif value:
                facets[facet][value] = n
        return page_ids, facets, total

    def _suggestion(self, connection, cleaned: str, total: int, where: list[str], params: dict) -> str | None:
        """ "Did you mean": words one edit away that the caller's own documents hold (their
        labels and filters), offered only when the corrected query finds more."""
        limits = " AND ".join(where) or "TRUE"

        def counts(words: Iterable[str]) -> dict[str, int]:
            rows = connection.execute(
                text(
                    f"""
                    SELECT w, (SELECT count(*) FROM {TABLE}
                               WHERE tsv @@ plainto_tsquery('english', w) AND {limits})
                    FROM unnest(CAST(:words AS text[])) AS w
                    WHERE numnode(plainto_tsquery('english', w)) > 0
                    """
                ),
                {**params, "words": sorted(words)},
            ).all()
            return {w: n for w, n in rows if n}

        def word_count(word: str) -> int:
            return counts([word]).get(word, 0)

        def candidates(word: str):
            return counts(edits(word)).items()

        def count_query(corrected: str) -> int:
            return connection.execute(
                text(
                    f"SELECT count(*) FROM {TABLE} "
                    f"WHERE tsv @@ websearch_to_tsquery('english', :q2) AND {limits}"
                ),
                {**params, "q2": self.to_websearch(corrected)},
            ).scalar_one()

        return suggest(cleaned, total, word_count, candidates, count_query)

    def more_like_this(self, document_id: int, labels: list[str] | None, limit: int = 5) -> list[Hit]:
        """Documents sharing the most of this one's commonest words."""
        params: dict = {"id": document_id, "limit": limit}
        where = self._where(labels, {}, params)
        if where is None:
            return []
        condition = " AND ".join(["document_id <> :id", *where])
        with self.engine.connect() as connection:
            words = (
                connection.execute(
                    text(
                        f"""
                    SELECT word FROM ts_stat('SELECT tsv FROM {TABLE} WHERE document_id = '
                                             || CAST(:id AS integer))
                    WHERE length(word) > 2 AND word NOT LIKE 'xthesaurusconcept%'
                    ORDER BY nentry DESC, word LIMIT 15
                    """
                    ),
                    params,
                )
                .scalars()
                .all()
            )
            if not words:
                return []
            params["similar"] = " | ".join(f"'{w}'" for w in words if "'" not in w)
            rows = connection.execute(
                text(
                    f"""
                    SELECT {COLUMNS}, '' AS body, NULL AS snippet,
                           ts_rank(tsv, to_tsquery('simple', :similar)) AS rank
                    FROM {TABLE} WHERE tsv @@ to_tsquery('simple', :similar) AND {condition}
                    ORDER BY rank DESC, document_id LIMIT :limit
                    """
                ),
                params,
            ).mappings()
            return [self._hit(row, float(row["rank"])) for row in rows]
