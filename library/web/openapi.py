"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``. A test fuzzes
every operation against it (schemathesis) with several roles' tokens: no 500, every answer as
described here."""

from __future__ import annotations

from datetime import date
from typing import Any

from library import redaction
from library.core.limits import (
    FIRST_YEAR,
    FOCUS_MAX,
    HEADING_MAX,
    MAX_HEADINGS,
    MAX_KLOES,
    NOTE_MAX,
    REPLACEMENT_MAX,
    SUMMARY_MAX,
    TERM_MAX,
    TITLE_MAX,
)

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
# What no text sent to the API may hold (PostgreSQL cannot store it; no person types it).
NO_NUL = "^[^\\x00]*$"
# Text with at least one character a reader can see (white space and invisible characters are
# taken off what people type).
_INVISIBLE = (
    "\\x01-\\x20\\x7f-\\xa0\\u00ad\\u061c\\u1680\\u180e\\u2000-\\u200f"
    "\\u2028-\\u202f\\u205f-\\u206f\\u3000\\ufeff"
)
VISIBLE = f"^[^\\x00]*[^\\x00{_INVISIBLE}][^\\x00]*$"


def text(max_length: int | None = None, *, visible: bool = False, pattern: str | None = None) -> dict:
    """A string of the API: never a NUL; ``visible``: with something to read in it."""
    schema: dict[str, Any] = {"type": "string", "pattern": pattern or (VISIBLE if visible else NO_NUL)}
    if visible:
        schema["minLength"] = 1
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def one_of(values: list | None, **extra) -> dict:
    """A value from a vocabulary: its entries once known (the served description), else text."""
    if values is None:
        return {"type": "string", "minLength": 1, "pattern": NO_NUL, **extra}
    return {"type": "string", "enum": list(values), **extra}


def _vocabulary_years() -> dict:
    return {"type": "integer", "minimum": FIRST_YEAR, "maximum": date.today().year + 1}


# At least two characters that are not white space (a shorter value would redact too much).
TWO_SHOWN = "^[^\\x00]*[^\\x00\\s][^\\x00]*[^\\x00\\s][^\\x00]*$"
# A year as a filter: any year of four digits (what is not in the library finds nothing).
FILTER_YEAR = {"type": "integer", "minimum": 1000, "maximum": 9999}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict | None = None, status: str = "200") -> dict:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer.update(_json(schema))
    return {status: answer, "default": {"description": "An error", **_json(_ref("Error"))}}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "tombstone": {"type": "object"},
        },
    },
    "Authority": {
        "type": "object",
        "required": ["code", "name"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
    },
    "Document": {
        "type": "object",
        "required": [
            "id",
            "title",
            "summary",
            "document_type",
            "service_areas",
            "authority",
            "region",
            "status",
            "state",
            "url",
        ],
        "properties": {
            "id": ID,
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "document_type": {"type": "string"},
            "service_areas": {"type": "array", "items": {"type": "string"}},
            "year": {"type": ["integer", "null"]},
            "authority": _ref("Authority"),
            "region": {"type": "string"},
            "status": {"enum": ["draft", "published", "withdrawn"]},
            "state": {
                "enum": [
                    "draft",
                    "with_approver",
                    "sent_back",
                    "shared",
                    "changed_since_shared",
                    "withdrawn",
                    "deleted",
                ]
            },
            "scope": {"type": ["string", "null"], "enum": ["authority", "region", "national", None]},
            "published_at": NULLABLE_TIME,
            "withdrawn_at": NULLABLE_TIME,
            "url": {"type": "string"},
            "text": {"type": "string"},
            "version": {"type": "integer"},
            "created_at": NULLABLE_TIME,
            "unpublished_changes": {"type": "boolean"},
            "extraction": {
                "type": "object",
                "description": "Owners only: how the file was read. Pages read by text recognition (OCR), "
                "pages not read and why, pictures left out and whether their description was kept.",
                "properties": {
                    "ocr_pages": {"type": "array", "items": {"type": "integer"}},
                    "unread_pages": {"type": "array", "items": {"type": "object"}},
                    "pictures": {"type": "array", "items": {"type": "object"}},
                },
            },
            "hand_off": {"type": "object"},
            "original": {"type": "object"},
            "challenge": {
                "type": ["object", "null"],
                "required": ["id", "title"],
                "properties": {"id": ID, "title": {"type": ["string", "null"]}},
            },
        },
    },
    "DocumentPage": {
        "type": "object",
        "required": ["total", "page", "per_page", "results"],
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "results": {"type": "array", "items": _ref("Document")},
        },
    },
    "Redaction": {
        "type": "object",
        "required": ["id", "field", "start", "end", "text", "category", "rule", "source", "status"],
        "properties": {
            "id": ID,
            "field": {"enum": ["title", "summary", "text"]},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "text": {"type": "string"},
            "category": {"type": "string"},
            "rule": {"type": "string"},
            "source": {"enum": ["auto", "manual"]},
            "status": {"enum": ["suggested", "accepted", "rejected"]},
            "reason": NULLABLE_STRING,
            "replacement": NULLABLE_STRING,
        },
    },
    "ChallengeRedaction": {
        "type": "object",
        "required": ["id", "field", "start", "end", "text", "category", "rule", "status"],
        "properties": {
            "id": ID,
            "field": {"enum": ["title", "focus"]},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "text": {"type": "string"},
            "category": {"type": "string"},
            "rule": {"type": "string"},
            "status": {"enum": ["suggested", "accepted", "rejected"]},
            "replacement": NULLABLE_STRING,
        },
    },
    "Preview": {
        "type": "object",
        "required": ["text", "title", "summary", "pending", "content_hash", "final_check"],
        "properties": {
            "text": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "pending": {"type": "integer"},
            "reviewed": {"type": "integer"},
            "total": {"type": "integer"},
            "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "final_check": {"type": "object", "required": ["passed", "findings"]},
        },
    },
    "Term": {
        "type": "object",
        "required": ["id", "term", "kind", "category"],
        "properties": {
            "id": ID,
            "term": {"type": "string"},
            "kind": {"enum": ["always", "never"]},
            "category": {"type": "string"},
        },
    },
    "SearchPage": {
        "type": "object",
        "required": ["total", "page", "results", "facets"],
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "suggestion": NULLABLE_STRING,
            "found_by": {
                "enum": ["corrected", "most words", "meaning"],
                "description": "How the results were found when not every word matched as asked: "
                "the corrected query's results, documents holding most of the words, or documents "
                "close in meaning only. Absent when every result holds every word.",
            },
            "shown_for": {"type": "string", "description": "The corrected query whose results are shown."},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "id",
                        "title",
                        "snippet",
                        "authority",
                        "region",
                        "document_type",
                        "service_areas",
                    ],
                    "properties": {
                        "id": ID,
                        "title": {"type": "string"},
                        "snippet": NULLABLE_STRING,
                        "authority": _ref("Authority"),
                        "region": {"type": "string"},
                        "document_type": {"type": "string"},
                        "service_areas": {"type": "array", "items": {"type": "string"}},
                        "year": {"type": ["integer", "null"]},
                        "published_at": NULLABLE_TIME,
                        "challenge": {"type": ["object", "null"]},
                    },
                },
            },
            "facets": {"type": "object", "additionalProperties": {"type": "object"}},
        },
    },
    "Challenge": {
        "type": "object",
        "required": ["id", "title", "authority", "year", "service_areas", "focus", "documents"],
        "properties": {
            "id": ID,
            "title": {"type": "string"},
            "authority": _ref("Authority"),
            "region": {"type": "string"},
            "year": {"type": ["integer", "null"]},
            "service_areas": {"type": "array", "items": {"type": "string"}},
            "focus": {"type": "string"},
            "documents": {
                "type": "array",
                "description": "In chain order; only those the caller may read",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "document_type", "url"],
                    "properties": {
                        "id": ID,
                        "title": {"type": "string"},
                        "document_type": {"type": "string"},
                        "url": {"type": "string"},
                    },
                },
            },
        },
    },
    "Usage": {
        "type": "object",
        "required": ["views", "downloads", "authorities", "regions"],
        "properties": {
            "views": {"type": "integer"},
            "downloads": {"type": "integer"},
            "people": {"type": "integer"},
            "authorities": {"type": "integer"},
            "regions": {"type": "integer"},
            "months": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["month", "views", "downloads"],
                    "properties": {
                        "month": {"type": "string"},
                        "views": {"type": "integer"},
                        "downloads": {"type": "integer"},
                    },
                },
            },
            "regions_by_people": {"type": "array", "items": {"type": "object"}},
        },
    },
    "ChallengePage": {
        "type": "object",
        "required": ["total", "page", "per_page", "results"],
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "id",
                        "title",
                        "authority",
                        "year",
                        "service_areas",
                        "focus",
                        "documents",
                        "url",
                    ],
                    "properties": {
                        "id": ID,
                        "title": {"type": "string"},
                        "authority": _ref("Authority"),
                        "region": {"type": "string"},
                        "year": {"type": ["integer", "null"]},
                        "service_areas": {"type": "array", "items": {"type": "string"}},
                        "focus": {"type": "string"},
                        "documents": {"type": "integer", "description": "How many the caller may read"},
                        "url": {"type": "string"},
                    },
                },
            },
        },
    },
    "KloePage": {
        "type": "object",
        "required": ["total", "results"],
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "text", "document", "authority", "service_areas", "year"],
                    "properties": {
                        "id": ID,
                        "text": {"type": "string"},
                        "document": {
                            "type": "object",
                            "required": ["id", "title", "url"],
                            "properties": {"id": ID, "title": {"type": "string"}, "url": {"type": "string"}},
                        },
                        "authority": _ref("Authority"),
                        "region": {"type": "string"},
                        "service_areas": {"type": "array", "items": {"type": "string"}},
                        "document_type": {"type": "string"},
                        "year": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    },
    "Outline": {
        "type": "object",
        "required": ["examples", "sections"],
        "properties": {
            "document_type": {"type": "string"},
            "service_area": {"type": "string"},
            "examples": {
                "type": "integer",
                "description": "How many documents the caller may read it is made from",
            },
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["heading", "count", "examples"],
                    "properties": {
                        "heading": {"type": "string"},
                        "count": {"type": "integer"},
                        "examples": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["document_id", "heading", "url"],
                                "properties": {
                                    "document_id": ID,
                                    "heading": {"type": "string"},
                                    "url": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "Follow": {
        "type": "object",
        "required": ["id", "query", "filters", "description", "created_at"],
        "properties": {
            "id": ID,
            "query": {"type": "string"},
            "filters": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "description": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
}

JSON_OBJECT = {"type": "object"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, **_json(schema)}


def _object(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """A JSON object of exactly these fields (any other is refused)."""
    schema = {"type": "object", "properties": properties, "additionalProperties": False, **extra}
    if required:
        schema["required"] = required
    return schema


def description(vocabulary: dict[str, list[str]] | None = None) -> dict:
    """The API as OpenAPI 3.1. ``vocabulary``: the slugs (and codes) of the regions, authorities,
    service areas and document types now, so that filters and fields name exactly the values
    the API takes; without it they are described as text (each request is checked against
    this description, the vocabulary by the services)."""
    known = vocabulary or {}
    area = one_of(known.get("service_area"))
    doc_type = one_of(known.get("document_type"))
    region = one_of(known.get("region"))
    authority = one_of(known.get("authority"))
    year = _vocabulary_years()
    title = text(TITLE_MAX, visible=True)
    areas = {"type": "array", "items": area, "minItems": 1, "maxItems": 50}
    reason = text(2000, visible=True)
    page = {"type": "integer", "minimum": 1, "maximum": 100_000}
    per_page = {"type": "integer", "minimum": 1, "maximum": 100}
    paging = [_query("page", page), _query("per_page", per_page)]

    def repeatable(name: str, item: dict) -> dict:
        return {
            **_query(name, {"type": "array", "items": item, "maxItems": 20}),
            "style": "form",
            "explode": True,
        }

    challenge_fields = {
        "title": title,
        "year": {"type": ["integer", "null"], "minimum": year["minimum"], "maximum": year["maximum"]},
        "service_areas": areas,
        "focus": text(FOCUS_MAX),
    }
    filters_object = _object(
        {
            "service_area": {"type": "array", "items": area, "minItems": 1, "maxItems": 20},
            "document_type": {"type": "array", "items": doc_type, "minItems": 1, "maxItems": 20},
            "region": {"type": "array", "items": region, "minItems": 1, "maxItems": 20},
            "authority": {"type": "array", "items": authority, "minItems": 1, "maxItems": 20},
            "year": {"type": "array", "items": text(4, pattern="^[0-9]{4}$"), "minItems": 1, "maxItems": 20},
        }
    )
    # The caller's own words instead of a label: a decision to redact that way.
    own_words = _object(
        {"status": {"enum": ["accepted"]}, "replacement": text(REPLACEMENT_MAX, visible=True)},
        ["replacement"],
    )
    doc = {"parameters": [_path_id("document_id")]}
    paths: dict[str, Any] = {
        "/taxonomy": {
            "get": {
                "summary": "Regions, authorities, service areas and document types",
                "responses": _ok("The vocabularies", JSON_OBJECT),
            }
        },
        "/documents": {
            "get": {
                "summary": "The caller's authority's documents",
                "parameters": paging,
                "responses": _ok("A page of documents", _ref("DocumentPage")),
            },
            "post": {
                "summary": "Upload a document (contributors, approvers): a draft, its suggestions made",
                "description": (
                    "The file must be a Word document, PDF, PowerPoint, markdown or text file within "
                    "the limits (size, pages, characters, elements, suggestions): 415 or 413 otherwise."
                ),
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": _object(
                                {
                                    "file": {"type": "string", "format": "binary", "minLength": 1},
                                    "title": title,
                                    "document_type": doc_type,
                                    "service_areas": areas,
                                    "year": year,
                                    "summary": text(SUMMARY_MAX),
                                    "challenge_id": ID,
                                },
                                ["file", "title", "document_type", "service_areas"],
                            )
                        }
                    },
                },
                "responses": _ok("The new draft", _ref("Document"), "201"),
            },
        },
        "/documents/{document_id}": {
            **doc,
            "get": {
                "summary": "A document (owners; readers in scope once published)",
                "responses": _ok("The document", _ref("Document")),
            },
            "patch": {
                "summary": "Change a document's details (owners)",
                "requestBody": _body(
                    _object(
                        {
                            "title": title,
                            "summary": text(SUMMARY_MAX),
                            "document_type": doc_type,
                            "service_areas": areas,
                            "year": {
                                "type": ["integer", "null"],
                                "minimum": year["minimum"],
                                "maximum": year["maximum"],
                            },
                            "challenge_id": {
                                "type": ["integer", "null"],
                                "minimum": 1,
                                "maximum": 2**31 - 1,
                                "description": "One of the caller's authority's peer challenges, or null",
                            },
                        }
                    )
                ),
                "responses": _ok("The document", _ref("Document")),
            },
            "delete": {
                "summary": "Delete a withdrawn document for good (its authority's approvers)",
                "responses": _ok("Deleted", None, "204"),
            },
        },
        "/documents/{document_id}/text": {
            **doc,
            "get": {
                "summary": "The extracted, unredacted text (owners)",
                "responses": _ok(
                    "The text",
                    {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
                ),
            },
        },
        "/documents/{document_id}/redactions": {
            **doc,
            "get": {
                "summary": "Suggestions and redactions (owners)",
                "responses": _ok(
                    "Redactions",
                    {
                        "type": "object",
                        "required": ["redactions"],
                        "properties": {"redactions": {"type": "array", "items": _ref("Redaction")}},
                    },
                ),
            },
            "post": {
                "summary": "Redact text of the caller's choosing (owners)",
                "description": "Either the text (every occurrence, or the first) or a span by offsets.",
                "requestBody": _body(
                    {
                        "oneOf": [
                            _object(
                                {
                                    "text": text(TERM_MAX, pattern=TWO_SHOWN),
                                    "all_occurrences": {"type": "boolean"},
                                    "category": {"enum": list(redaction.CATEGORIES)},
                                    "field": {"enum": ["title", "summary", "text"]},
                                },
                                ["text"],
                            ),
                            _object(
                                {
                                    "start": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
                                    "end": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
                                    "category": {"enum": list(redaction.CATEGORIES)},
                                    "field": {"enum": ["title", "summary", "text"]},
                                },
                                ["start", "end"],
                            ),
                        ]
                    }
                ),
                "responses": _ok(
                    "The redactions made",
                    {
                        "type": "object",
                        "required": ["redactions"],
                        "properties": {"redactions": {"type": "array", "items": _ref("Redaction")}},
                    },
                    "201",
                ),
            },
        },
        "/documents/{document_id}/redactions/{redaction_id}": {
            "parameters": [_path_id("document_id"), _path_id("redaction_id")],
            "patch": {
                "summary": "Redact or keep a suggestion, or put it in the caller's own words",
                "requestBody": _body(
                    {
                        "oneOf": [
                            _object(
                                {
                                    "status": {"enum": ["accepted", "rejected"]},
                                    "never_redact": {"type": "boolean"},
                                },
                                ["status"],
                            ),
                            own_words,
                        ]
                    }
                ),
                "responses": _ok("The redaction", _ref("Redaction")),
            },
        },
        "/documents/{document_id}/challenge-redactions": {
            **doc,
            "get": {
                "summary": "Suggestions in the title and focus of the document's peer challenge (owners)",
                "description": "Those details are shared with the document: consent waits for each.",
                "responses": _ok(
                    "Suggestions",
                    {
                        "type": "object",
                        "required": ["redactions"],
                        "properties": {"redactions": {"type": "array", "items": _ref("ChallengeRedaction")}},
                    },
                ),
            },
        },
        "/documents/{document_id}/challenge-redactions/{redaction_id}": {
            "parameters": [_path_id("document_id"), _path_id("redaction_id")],
            "patch": {
                "summary": "Redact or keep a suggestion in the peer challenge's details, or use own words",
                "requestBody": _body(
                    {
                        "oneOf": [
                            _object({"status": {"enum": ["accepted", "rejected"]}}, ["status"]),
                            own_words,
                        ]
                    }
                ),
                "responses": _ok("The suggestion", _ref("ChallengeRedaction")),
            },
        },
        "/documents/{document_id}/redactions/accept-all": {
            **doc,
            "post": {
                "summary": "Redact every suggestion still to review",
                "responses": _ok(
                    "How many",
                    {
                        "type": "object",
                        "required": ["accepted"],
                        "properties": {"accepted": {"type": "integer"}},
                    },
                ),
            },
        },
        "/documents/{document_id}/preview": {
            **doc,
            "get": {
                "summary": "What readers would get, and the final check (owners)",
                "responses": _ok("The preview", _ref("Preview")),
            },
        },
        "/documents/{document_id}/consent": {
            **doc,
            "post": {
                "summary": "Share the current redacted version (the authority's approvers)",
                "requestBody": _body(
                    _object(
                        {
                            "scope": {"enum": ["authority", "region", "national"]},
                            "confirm": {"enum": [True]},
                            "content_hash": text(64, pattern="^[0-9a-f]{64}$"),
                        },
                        ["scope", "confirm", "content_hash"],
                    )
                ),
                "responses": _ok("The document", _ref("Document")),
            },
            "delete": {
                "summary": "Withdraw consent (the authority's approvers)",
                "requestBody": _body(_object({"reason": reason}, ["reason"])),
                "responses": _ok("The document", _ref("Document")),
            },
        },
        "/documents/{document_id}/ready": {
            **doc,
            "post": {
                "summary": "Mark ready for approval (owners)",
                "responses": _ok("The document", _ref("Document")),
            },
        },
        "/documents/{document_id}/send-back": {
            **doc,
            "post": {
                "summary": "Send back to the contributors with a note (approvers)",
                "requestBody": _body(_object({"note": text(NOTE_MAX, visible=True)}, ["note"])),
                "responses": _ok("The document", _ref("Document")),
            },
        },
        "/documents/{document_id}/take-down": {
            **doc,
            "post": {
                "summary": "Take a published document down (administrators)",
                "requestBody": _body(_object({"reason": reason}, ["reason"])),
                "responses": _ok("Taken down", {"type": "object", "required": ["id", "status"]}),
            },
        },
        "/documents/{document_id}/download": {
            **doc,
            "get": {
                "summary": "The published redacted text as markdown or Word",
                "parameters": [_query("format", {"enum": ["md", "docx"]}, "md (the default) or docx")],
                "responses": {
                    "200": {
                        "description": "Markdown, or a Word document",
                        "content": {
                            "text/markdown": {"schema": {"type": "string"}},
                            DOCX: {"schema": {"type": "string", "format": "binary"}},
                        },
                    },
                    "default": {"description": "An error", **_json(_ref("Error"))},
                },
            },
        },
        "/terms": {
            "get": {
                "summary": "The caller's authority's term lists",
                "responses": _ok(
                    "Terms",
                    {
                        "type": "object",
                        "required": ["terms"],
                        "properties": {"terms": {"type": "array", "items": _ref("Term")}},
                    },
                ),
            },
            "post": {
                "summary": "Add a term to a list",
                "requestBody": _body(
                    _object(
                        {
                            # At least two characters that show, one of them a letter or number.
                            "term": text(
                                TERM_MAX,
                                pattern=(
                                    "^(?=[^\\x00]*[^\\W_])[^\\x00]*[^\\x00\\s][^\\x00]*[^\\x00\\s][^\\x00]*$"
                                ),
                            ),
                            "kind": {"enum": ["always", "never"]},
                            "category": {"enum": list(redaction.CATEGORIES)},
                        },
                        ["term", "kind"],
                    )
                ),
                "responses": _ok("The term", _ref("Term"), "201"),
            },
        },
        "/terms/{term_id}": {
            "parameters": [_path_id("term_id")],
            "delete": {"summary": "Remove a term", "responses": _ok("Removed", None, "204")},
        },
        "/search": {
            "get": {
                "summary": "Search what the caller may read",
                "parameters": [
                    _query("q", text(), "longer words are cut at 300 characters"),
                    repeatable("service_area", area),
                    repeatable("document_type", doc_type),
                    repeatable("region", region),
                    repeatable("authority", authority),
                    repeatable("year", FILTER_YEAR),
                    _query(
                        "sort",
                        {"enum": ["relevance", "date"]},
                        "relevance: best match; date: newest first (by year, then date shared)",
                    ),
                    *paging,
                ],
                "responses": _ok("A page of results", _ref("SearchPage")),
            },
        },
        "/follows": {
            "get": {
                "summary": "What the caller follows",
                "responses": _ok(
                    "Follows",
                    {
                        "type": "object",
                        "required": ["follows"],
                        "properties": {
                            "digest_frequency": {"enum": ["daily", "weekly"]},
                            "follows": {"type": "array", "items": _ref("Follow")},
                        },
                    },
                ),
            },
            "post": {
                "summary": "Follow a service area, document type, region or search",
                "requestBody": _body(
                    {
                        "anyOf": [
                            _object({"service_area": area}, ["service_area"]),
                            _object({"document_type": doc_type}, ["document_type"]),
                            _object({"region": region}, ["region"]),
                            _object({"query": text(200, visible=True), "filters": filters_object}, ["query"]),
                            _object(
                                {"query": text(200), "filters": {**filters_object, "minProperties": 1}},
                                ["filters"],
                            ),
                        ]
                    }
                ),
                "responses": {
                    "200": {"description": "Already followed", **_json(_ref("Follow"))},
                    "201": {"description": "Now followed", **_json(_ref("Follow"))},
                    "default": {"description": "An error", **_json(_ref("Error"))},
                },
            },
        },
        "/documents/{document_id}/usage": {
            **doc,
            "get": {
                "summary": "How often people of other authorities read and downloaded it (owners, admins)",
                "responses": _ok("Usage", _ref("Usage")),
            },
        },
        "/challenges": {
            "get": {
                "summary": "Peer challenges the caller may see",
                "parameters": [
                    _query("q", text(), "words in the title or focus"),
                    _query("service_area", area),
                    _query("region", region),
                    _query("year", FILTER_YEAR),
                    *paging,
                ],
                "responses": _ok("A page of peer challenges", _ref("ChallengePage")),
            },
            "post": {
                "summary": "Record a peer challenge (contributors, approvers)",
                "requestBody": _body(_object(challenge_fields, ["title", "service_areas"])),
                "responses": {
                    "201": {"description": "Recorded", **_json(_ref("Challenge"))},
                    "default": {"description": "An error", **_json(_ref("Error"))},
                },
            },
        },
        "/challenges/{challenge_id}": {
            "parameters": [_path_id("challenge_id")],
            "get": {
                "summary": "A peer challenge and its documents in chain order",
                "responses": _ok("The peer challenge", _ref("Challenge")),
            },
            "patch": {
                "summary": "Change a peer challenge's details (its authority's owners)",
                "requestBody": _body(_object(challenge_fields)),
                "responses": _ok("The peer challenge", _ref("Challenge")),
            },
        },
        "/kloes": {
            "get": {
                "summary": "Key lines of enquiry in published documents the caller may read",
                "parameters": [
                    _query("q", text()),
                    _query("service_area", area),
                    _query("region", region),
                    _query("year", FILTER_YEAR),
                    *paging,
                ],
                "responses": _ok("A page of key lines of enquiry", _ref("KloePage")),
            },
        },
        "/outline": {
            "get": {
                "summary": "The common structure of the examples the caller may read",
                "parameters": [
                    {**_query("document_type", doc_type), "required": True},
                    {**_query("service_area", area), "required": True},
                ],
                "responses": _ok("Sections, most common first", _ref("Outline")),
            },
        },
        "/starter": {
            "post": {
                "summary": "A starting Word document from chosen headings and key lines of enquiry",
                "requestBody": _body(
                    _object(
                        {
                            "document_type": doc_type,
                            "service_area": area,
                            "headings": {
                                "type": "array",
                                "items": text(HEADING_MAX, visible=True),
                                "minItems": 1,
                                "maxItems": MAX_HEADINGS,
                            },
                            "kloe_ids": {"type": "array", "items": ID, "maxItems": MAX_KLOES},
                            "extracts": {
                                "type": "array",
                                "items": text(HEADING_MAX),
                                "maxItems": MAX_HEADINGS,
                                "description": "Headings under which to include an attributed extract",
                            },
                        },
                        ["document_type", "service_area", "headings"],
                    )
                ),
                "responses": {
                    "200": {
                        "description": "A Word document",
                        "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "default": {"description": "An error", **_json(_ref("Error"))},
                },
            },
        },
        "/follows/{follow_id}": {
            "parameters": [_path_id("follow_id")],
            "delete": {"summary": "Stop following", "responses": _ok("Stopped", None, "204")},
        },
    }
    for item in paths.values():
        for name, operation in item.items():
            if name != "parameters":
                operation.setdefault("operationId", f"{name}_{operation['summary'][:40]}".replace(" ", "_"))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Peer Challenge Library API",
            "version": "1",
            "description": (
                "Bearer tokens (`users token EMAIL`, or your account page). "
                'Errors: `{"error": {"code", "message", "fields"}}`.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": paths,
    }
