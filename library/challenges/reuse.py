"""Starting from examples: the bank of key lines of enquiry, the outline of the examples of a
document type and service area, a starter Word document, comparing documents, Word downloads.

Everything here reads only the current published versions the caller may read
(``access.readable_versions``), so a withdrawn or re-scoped document leaves every output at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, selectinload

from library.challenges import starter as starting
from library.core import access, settings, structure, vocabularies, word
from library.core.errors import NotFound, ValidationError
from library.core.limits import HEADING_MAX, MAX_HEADINGS, MAX_KLOES
from library.core.models import (
    Authority,
    Document,
    DocumentType,
    DocumentVersion,
    Kloe,
    ServiceArea,
    User,
    VersionPassage,
    version_service_areas,
)
from search_index import embedding

EXTRACT_WORDS = 400
MAX_LISTED = 30  # examples named in a starter; the rest are counted


def _like(word_: str) -> str:
    return "%" + word_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The bank of key lines of enquiry ------------------------------------------------------------------


KloeParams = vocabularies.ListParams


def _readable_kloes(actor: User | None, *where):
    stmt = access.readable_versions(actor, Kloe, DocumentVersion, Document, where=where)
    if stmt is None:
        return None
    return stmt.join(Kloe, Kloe.version_id == DocumentVersion.id).options(*access.without_texts())


def kloe_json(kloe: Kloe, version: DocumentVersion, document: Document) -> dict:
    return {
        "id": kloe.id,
        "text": kloe.text,
        "document": {
            "id": document.id,
            "title": version.title,
            "url": structure.document_url(document.id, kloe.section),
        },
        "authority": {"code": document.authority.code, "name": document.authority.name},
        "region": document.authority.region.slug,
        "service_areas": [a.slug for a in version.service_areas],
        "document_type": version.document_type.slug,
        "year": version.year,
    }


def kloe_bank(session: Session, actor: User | None, params: KloeParams) -> tuple[int, list[dict]]:
    """Key lines of enquiry of the published documents the actor may read, newest first."""
    vocabularies.check_filters(
        session, service_area=params.service_area, region=params.region, year=params.year
    )
    where = []
    if params.service_area:
        where.append(vocabularies.version_in_area(params.service_area))
    if params.region:
        where.append(vocabularies.authority_in_region(params.region))
    if params.year:
        where.append(DocumentVersion.year == int(params.year))
    for term in params.q.split()[:12]:
        where.append(func.lower(Kloe.text).like(_like(term.casefold()), escape="\\"))
    stmt = _readable_kloes(actor, *where)
    if stmt is None:
        return 0, []
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Kloe.id).subquery())) or 0
    rows = session.execute(
        stmt.options(
            selectinload(DocumentVersion.service_areas),
            selectinload(DocumentVersion.document_type),
        )
        .order_by(DocumentVersion.consented_at.desc(), Kloe.document_id, Kloe.position)
        .limit(params.per_page)
        .offset((max(params.page, 1) - 1) * params.per_page)
    ).all()
    return total, [kloe_json(k, v, d) for k, v, d in rows]


def kloes_by_id(
    session: Session, actor: User | None, ids: list[int]
) -> list[tuple[Kloe, DocumentVersion, Document]]:
    """These key lines of enquiry, in this order; 404 if the actor may not read any one of them."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    stmt = _readable_kloes(actor, Kloe.id.in_(wanted))
    rows = {} if stmt is None else {k.id: (k, v, d) for k, v, d in session.execute(stmt).all()}
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise NotFound(f"No such key line of enquiry: {', '.join(map(str, missing))}.")
    return [rows[i] for i in wanted]


# The outline of the examples -----------------------------------------------------------------------


@dataclass
class ExampleDoc:
    document_id: int
    version_id: int
    title: str
    authority: str
    year: int | None
    sections: list[structure.Section]


@dataclass
class Outline:
    document_type: DocumentType
    service_area: ServiceArea
    examples: list[ExampleDoc]
    groups: list[structure.HeadingGroup]

    def as_json(self) -> dict:
        return {
            "document_type": self.document_type.slug,
            "service_area": self.service_area.slug,
            "examples": len(self.examples),
            "sections": [
                {
                    "heading": g.heading,
                    "count": g.count,
                    "examples": [
                        {
                            "document_id": document_id,
                            "heading": section.heading,
                            "url": structure.document_url(document_id, section.n),
                        }
                        for document_id, (section, _where) in g.places.items()
                    ],
                }
                for g in self.groups
            ],
        }


def vocabulary(session: Session, document_type: str | None, service_area: str | None):
    """The document type and service area named by these slugs (400 if either is missing or unknown)."""
    errors = {}
    doc_type = area = None
    if not isinstance(document_type, str) or not document_type.strip():
        errors["document_type"] = "Choose a document type."
    else:
        doc_type = session.scalar(select(DocumentType).where(DocumentType.slug == document_type.strip()))
        if doc_type is None:
            errors["document_type"] = f"Unknown document type: {document_type}."
    if not isinstance(service_area, str) or not service_area.strip():
        errors["service_area"] = "Choose a service area."
    else:
        area = session.scalar(select(ServiceArea).where(ServiceArea.slug == service_area.strip()))
        if area is None:
            errors["service_area"] = f"Unknown service area: {service_area}."
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    return doc_type, area


def examples(
    session: Session, actor: User | None, doc_type: DocumentType, area: ServiceArea
) -> list[ExampleDoc]:
    """The current published versions of this type and service area the actor may read."""
    in_area = select(version_service_areas.c.version_id).where(
        version_service_areas.c.service_area_id == area.id
    )
    stmt = access.readable_versions(
        actor,
        DocumentVersion.id,
        DocumentVersion.document_id,
        DocumentVersion.title,
        DocumentVersion.year,
        DocumentVersion.sections,
        Authority.name,
        where=(DocumentVersion.document_type_id == doc_type.id, DocumentVersion.id.in_(in_area)),
    )
    if stmt is None:
        return []
    rows = session.execute(
        stmt.join(Authority, Authority.id == Document.authority_id).order_by(
            DocumentVersion.year.desc().nulls_last(), DocumentVersion.consented_at.desc()
        )
    ).all()
    return [
        ExampleDoc(
            document_id,
            version_id,
            title,
            authority,
            year,
            structure.top_level([structure.Section.from_dict(s) for s in sections or []]),
        )
        for version_id, document_id, title, year, sections, authority in rows
    ]


def meanings(session: Session, versions: dict[int, int]) -> dict[tuple[int, int], object]:
    """What each section of these versions ({version id: document id}) says, as kept at consent:
    its unit vector by (document id, the section's start)."""
    if not versions:
        return {}
    rows = session.execute(
        select(VersionPassage.version_id, VersionPassage.start, VersionPassage.vector).where(
            VersionPassage.version_id.in_(list(versions)),
            VersionPassage.position > 0,
            func.length(VersionPassage.vector) == embedding.VECTOR_BYTES,  # this model's
        )
    )
    return {(versions[v], start): embedding.from_bytes(vector) for v, start, vector in rows}


def group_sections(session: Session, found: list[structure.Example], versions: dict[int, int]):
    """Sections of these documents grouped by what they are about: by meaning where it is kept
    (the thesaurus as a hint), by their headings' words otherwise."""
    thesaurus = vocabularies.load_thesaurus()
    kept = meanings(session, versions)
    if not kept:
        return structure.group_headings(found, thesaurus)
    return structure.group_by_meaning(found, kept, thesaurus)


def outline(
    session: Session, actor: User | None, document_type: str | None, service_area: str | None
) -> Outline:
    doc_type, area = vocabulary(session, document_type, service_area)
    found = examples(session, actor, doc_type, area)
    groups = group_sections(
        session,
        [structure.Example(e.document_id, e.sections) for e in found],
        {e.version_id: e.document_id for e in found},
    )
    return Outline(doc_type, area, found, groups)


# The starter document ------------------------------------------------------------------------------


@dataclass
class StarterRequest:
    document_type: str | None = None
    service_area: str | None = None
    headings: list = field(default_factory=list)
    kloe_ids: list = field(default_factory=list)
    # Headings under which an extract of one example's section is included, with attribution.
    extracts: list = field(default_factory=list)


@dataclass
class Starter:
    filename: str
    data: bytes


def _clean_headings(values, name: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError(f"{name} is a list of headings (text).", field=name)
    cleaned = list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))
    if len(cleaned) > MAX_HEADINGS:
        raise ValidationError(f"Choose at most {MAX_HEADINGS} headings.", field=name)
    if any(len(h) > HEADING_MAX for h in cleaned):
        raise ValidationError(f"Each heading must be {HEADING_MAX} characters or fewer.", field=name)
    return cleaned


def _clean_ids(values) -> list[int]:
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) or isinstance(v, str) and v.isdigit() for v in values
    ):
        raise ValidationError("kloe_ids is a list of ids of key lines of enquiry.", field="kloe_ids")
    ids = [int(v) for v in values]
    if len(ids) > MAX_KLOES:
        raise ValidationError(f"Choose at most {MAX_KLOES} key lines of enquiry.", field="kloe_ids")
    return ids


def _extract(text: str, limit: int = EXTRACT_WORDS) -> str:
    words = text.split(" ")
    if len(text.split()) <= limit:
        return text
    cut, count = [], 0
    for piece in words:
        cut.append(piece)
        count += len(piece.split())
        if count >= limit:
            break
    return " ".join(cut).rstrip() + " …"


def _of_examples(count: int, read: int) -> str:
    if read < count:
        return f"the {read} most recent of the {count} examples with this section"
    return f"the {count} example{'s' if count != 1 else ''} with this section"


def _placed_sections(headings: list[str], groups, thesaurus) -> tuple[list, list[tuple[str, str]]]:
    """The chosen headings in their usual order, each with its group of the outline and its kind
    of section. A heading is not a section of its own (returned as merged, with the heading it
    joins) when it is in the same group as one chosen before it, or when it is in no group and
    of the same kind as one chosen before it ("Our strengths" beside "What we do well")."""
    placed, merged, by_group, by_kind = [], [], {}, {}
    for i, heading in enumerate(headings):
        group = structure.find_group(groups, heading, thesaurus)
        variants = [v for v, _n in group.variants.most_common(3)] if group else []
        kind = starting.kind_of(heading, variants)
        same = by_group.get(id(group)) if group is not None else by_kind.get(kind and kind.name)
        if same is not None:
            merged.append((heading, same))
            continue
        if group is not None:
            by_group[id(group)] = heading
        if kind is not None:
            by_kind.setdefault(kind.name, heading)
        position = group.position if group else i / max(len(headings), 1)
        placed.append((position, i, heading, group, kind))
    placed.sort(key=lambda p: (p[0], p[1]))
    return placed, merged


def starter(
    session: Session, actor: User | None, request: StarterRequest, base_url: str | None = None
) -> Starter:
    """A Word document to start from: the chosen headings in their usual order (two that are
    about the same thing only once); under each, questions for that kind of section in this type
    of document, the points most examples make there (with how many make each) and, where asked,
    an extract chosen for substance (attributed and linked); the chosen key lines of enquiry by
    theme; the examples it drew on, linked. Only documents the actor may read are drawn on."""
    headings = _clean_headings(request.headings, "headings")
    extracts = set(_clean_headings(request.extracts or [], "extracts"))
    kloe_ids = _clean_ids(request.kloe_ids or [])
    found = outline(session, actor, request.document_type, request.service_area)
    if not headings:
        raise ValidationError("Choose at least one heading for the starting document.", field="headings")
    chosen_kloes = kloes_by_id(session, actor, kloe_ids)
    thesaurus = vocabularies.load_thesaurus()
    by_id = {e.document_id: e for e in found.examples}
    recency = {e.document_id: i for i, e in enumerate(found.examples)}  # newest first
    placed, merged = _placed_sections(headings, found.groups, thesaurus)

    # The published text of the examples each chosen section reads, loaded once.
    reading: dict[int, list[int]] = {}
    for _position, _i, _heading, group, _kind in placed:
        if group is not None:
            reading[id(group)] = sorted(group.places, key=recency.__getitem__)[: starting.MAX_POINT_EXAMPLES]
    wanted = {by_id[d].version_id for ids in reading.values() for d in ids}
    texts = (
        dict(
            session.execute(
                select(DocumentVersion.id, DocumentVersion.text).where(DocumentVersion.id.in_(wanted))
            ).all()
        )
        if wanted
        else {}
    )

    base = (settings.of(session).base_url if base_url is None else base_url).rstrip("/")
    type_slug, type_name, area_name = (
        found.document_type.slug,
        found.document_type.name,
        found.service_area.name,
    )
    title = f"{type_name}: {area_name}"
    doc = word.new_document(title)
    word.heading(doc, title, 0)
    word.paragraph(
        doc,
        f"A starting point made from {len(found.examples)} example{'s' if len(found.examples) != 1 else ''} "
        "shared in the Peer Challenge Library. Under each heading: questions to answer, then what the "
        "examples say there. Replace them with your own evidence and judgement.",
    )
    for heading, kept in merged:
        word.paragraph(doc, f"“{heading}” is under “{kept}”: the examples use them for the same thing.")
    fallback = [starting.closing(type_slug)]
    drew_on: dict[int, int] = {}  # document id -> how many of the chosen sections it has
    for _position, _i, heading, group, kind in placed:
        word.heading(doc, heading, 1)
        for question in starting.prompts(kind, heading, type_slug, fallback):
            word.paragraph(doc, question, "List Bullet")
        if group is None:
            continue
        for document_id in group.places:
            drew_on[document_id] = drew_on.get(document_id, 0) + 1
        read = reading[id(group)]
        sections = {d: structure.section_text(texts[by_id[d].version_id], group.places[d][0]) for d in read}
        points, made = starting.common_points(sections)
        if points:
            intro = word.paragraph(doc)
            word.run(intro, "What the examples say here").bold = True
            word.run(intro, f": the points most often made in {_of_examples(group.count, len(read))}.")
            for point in points:
                item = word.paragraph(doc, point.text, "List Bullet")
                word.run(item, f" ({point.count} of {len(read)})").italic = True
        if heading in extracts:
            document_id = starting.choose_extract(sections, made)
            if document_id is None:
                word.paragraph(
                    doc,
                    "No extract: none of the examples' sections here is long enough to read on its "
                    "own without being mostly redaction labels or repeated text. The examples are "
                    "listed at the end.",
                )
                continue
            example = by_id[document_id]
            section = group.places[document_id][0]
            note = word.paragraph(doc)
            year = example.year or "year not given"
            word.run(note, f"Extract from {example.authority}'s “{example.title}” ({year}): ").italic = True
            word.link(
                note, "read it in the library", f"{base}{structure.document_url(document_id, section.n)}"
            )
            word.add_markdown(doc, _extract(sections[document_id]), heading_offset=1, base_url=base)
            drew_on[document_id] = drew_on.get(document_id, 0) + len(placed)  # listed first
    if chosen_kloes:
        word.heading(doc, "Key lines of enquiry", 1)
        for theme, indexes in starting.by_theme([kloe.text for kloe, _v, _d in chosen_kloes]):
            word.heading(doc, theme, 2)
            for i in indexes:
                kloe, version, document = chosen_kloes[i]
                item = word.paragraph(doc, kloe.text + " ", "List Number")
                word.link(
                    item,
                    f"{document.authority.name}, {version.year or 'year not given'}",
                    f"{base}{structure.document_url(document.id, kloe.section)}",
                )
    word.heading(doc, "Examples we drew on", 1)
    # The examples holding most of the chosen sections, then those the key lines come from.
    ranked = sorted(drew_on, key=lambda d: (-drew_on[d], -(by_id[d].year or 0), d))
    listed = [by_id[d] for d in ranked[:MAX_LISTED]]
    for _kloe, version, document in chosen_kloes:
        if all(e.document_id != document.id for e in listed):
            listed.append(
                ExampleDoc(
                    document.id,
                    version.id,
                    version.title,
                    document.authority.name,
                    version.year,
                    [],
                )
            )
    if not listed:
        word.paragraph(doc, "None: the headings chosen are your own.")
    for example in listed:
        item = word.paragraph(doc, style="List Bullet")
        word.link(item, example.title, f"{base}{structure.document_url(example.document_id)}")
        word.run(item, f", {example.authority}, {example.year or 'year not given'}")
    more = len(drew_on) - min(len(ranked), MAX_LISTED)
    if more > 0:
        item = word.paragraph(
            doc, f"And {more} more example{'s' if more != 1 else ''} with some of these sections: "
        )
        word.link(
            item,
            "see them all in the library",
            f"{base}/start?document_type={found.document_type.slug}&service_area={found.service_area.slug}",
        )
    filename = f"starter-{found.document_type.slug}-{found.service_area.slug}.docx"
    return Starter(filename, word.to_bytes(doc))


# Comparing documents -------------------------------------------------------------------------------

MAX_COMPARE = 3


@dataclass
class Compared:
    document_id: int
    title: str
    authority: str
    year: int | None
    text: str
    sections: list[structure.Section]


@dataclass
class Comparison:
    document_type: DocumentType
    documents: list[Compared]
    # Each row: a heading and, per document, its section's text (or None where it has none).
    rows: list[tuple[str, list[tuple[int, str] | None]]]


def compare(session: Session, actor: User | None, ids: list[int]) -> Comparison:
    """Two or three published documents of the same type the actor may read, aligned by section."""
    ids = list(dict.fromkeys(ids))
    if not 2 <= len(ids) <= MAX_COMPARE:
        raise ValidationError("Choose two or three documents to compare.", field="ids")
    stmt = access.readable_versions(actor, where=(Document.id.in_(ids),))
    rows = (
        {}
        if stmt is None
        else {
            d.id: (d, v)
            for v, d in session.execute(
                stmt.options(
                    selectinload(DocumentVersion.document_type),
                    defer(Document.extracted_text),
                    selectinload(Document.authority),
                )
            ).all()
        }
    )
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(f"No such document: {', '.join(map(str, missing))}.")
    types = {rows[i][1].document_type_id for i in ids}
    if len(types) != 1:
        raise ValidationError("Compare documents of the same type.", field="ids")
    compared = []
    for i in ids:
        document, version = rows[i]
        found = structure.top_level([structure.Section.from_dict(s) for s in version.sections or []])
        compared.append(
            Compared(i, version.title, document.authority.name, version.year, version.text, found)
        )
    groups = group_sections(
        session,
        [structure.Example(c.document_id, c.sections) for c in compared],
        {rows[c.document_id][1].id: c.document_id for c in compared},
    )
    groups.sort(key=lambda g: (g.position, -g.count))
    table = []
    for group in groups:
        cells = []
        for c in compared:
            place = group.places.get(c.document_id)
            cells.append(None if place is None else (place[0].n, structure.section_text(c.text, place[0])))
        table.append((group.heading, cells))
    return Comparison(rows[ids[0]][1].document_type, compared, table)
