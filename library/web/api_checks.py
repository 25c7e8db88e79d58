"""Every API request checked against the API's own OpenAPI description before a view runs: a JSON
body or a query value of the wrong type, out of range or not one of the values described is a
400 that names the field. So the description says exactly what the API accepts, and a view never
meets a value of a type it did not expect.

Only what the description states is checked here (types, ranges, lengths, fixed sets of values);
the rules of the service (who may do what, what exists) stay with the services.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from library.core.errors import ValidationError
from library.web.openapi import description

_PATH_PARAM_RE = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


@cache
def _operations() -> dict[tuple[str, str], dict]:
    return _index(None)


def _index(vocabulary: dict | None) -> dict[tuple[str, str], dict]:
    found = {}
    for path, item in description(vocabulary)["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = shared + operation.get("parameters", [])
            found[(path, method.upper())] = {**operation, "parameters": parameters}
    return found


def operation_for(rule: str, method: str, vocabulary: dict | None = None) -> dict | None:
    """The described operation a Flask rule and method serve (``/documents/{document_id}``);
    with ``vocabulary``, its fields that name a region, authority, area or type as enums."""
    path = _PATH_PARAM_RE.sub(r"{\1}", rule.removeprefix("/api/v1"))
    operations = _operations() if vocabulary is None else _index(vocabulary)
    return operations.get((path, "GET" if method == "HEAD" else method))


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _fits(value: Any, kind: str) -> bool:
    actual = _type_of(value)
    if kind == "integer" and actual == "number":
        return value.is_integer()  # JSON Schema: 2025.0 is an integer
    return actual == kind or (kind == "number" and actual == "integer")


def problems(value: Any, schema: dict, field: str) -> list[tuple[str, str]]:
    """What is wrong with ``value`` against ``schema`` (a subset of JSON Schema: type, enum,
    lengths, ranges, pattern, items and their numbers, properties, required, additionalProperties,
    oneOf, anyOf), as (field,
    message) pairs."""
    if "anyOf" in schema:
        if any(not problems(value, option, field) for option in schema["anyOf"]):
            return []
        best = min(schema["anyOf"], key=lambda option: len(problems(value, option, field)))
        return problems(value, best, field)
    if "oneOf" in schema:
        matching = [option for option in schema["oneOf"] if not problems(value, option, field)]
        if len(matching) == 1:
            return []
        if not matching:
            # The option closest to what was sent says what is wrong with it.
            best = min(schema["oneOf"], key=lambda option: len(problems(value, option, field)))
            return problems(value, best, field)
        return [(field or "body", f"{field or 'The body'} matches more than one form this takes.")]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_fits(value, kind) for kind in kinds):
            words = " or ".join(_WORDS.get(k, k) for k in kinds)
            return [(field, f"{field} must be {words}.")]
    if "enum" in schema and value not in schema["enum"]:
        if len(schema["enum"]) > 8:  # a vocabulary: its values are on /api/v1/taxonomy
            return [(field, f"{field}: {str(value)[:80]!r} is not one we know (see /api/v1/taxonomy).")]
        shown = ", ".join(
            str(v).lower() if isinstance(v, bool) else str(v) for v in schema["enum"] if v is not None
        )
        return [(field, f"{field} must be one of: {shown}.")]
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return [(field, f"{field} is too short (at least {schema['minLength']} characters).")]
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return [(field, f"{field} must be {schema['maxLength']:,} characters or fewer.")]
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return [(field, f"{field} is not in the expected form.")]
    if _type_of(value) in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return [(field, f"{field} must be {schema['minimum']} or more.")]
        if "maximum" in schema and value > schema["maximum"]:
            return [(field, f"{field} must be {schema['maximum']} or less.")]
    found: list[tuple[str, str]] = []
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return [
                (
                    field,
                    f"{field} must hold at least {schema['minItems']} of them.",
                )
            ]
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return [(field, f"{field} may hold at most {schema['maxItems']} items.")]
        for item in value:  # (an item's problem is its list's: the field a form shows it beside)
            found += problems(item, schema.get("items", {}), field)
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            return [(field or "body", f"{field or 'The body'} must not be empty.")]
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append((_join(field, name), f"{_join(field, name)} is required."))
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                found += problems(item, properties[name], _join(field, name))
            elif extra is False:
                found.append((_join(field, name), f"{_join(field, name)} is not a field this takes."))
            elif isinstance(extra, dict):
                found += problems(item, extra, _join(field, name))
    return found


def body_schema(operation: dict) -> dict:
    content = (operation.get("requestBody") or {}).get("content", {})
    return content.get("application/json", {}).get("schema", {})


def as_described(value: Any, schema: dict) -> Any:
    """``value`` with each whole number sent as a float (2025.0, which JSON Schema counts as an
    integer) made an int where the description says integer."""
    if isinstance(value, float) and value.is_integer() and _says_integer(schema):
        return int(value)
    if isinstance(value, list):
        return [as_described(item, schema.get("items", {})) for item in value]
    if isinstance(value, dict):
        properties = dict(schema.get("properties", {}))
        for option in schema.get("oneOf", []) + schema.get("anyOf", []):
            properties.update(option.get("properties", {}))
        return {k: as_described(v, properties.get(k, {})) for k, v in value.items()}
    return value


def _says_integer(schema: dict) -> bool:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    return "integer" in kinds


def _join(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def _query_value(raw: str, schema: dict) -> Any:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if "integer" in kinds:
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def form_value(form, files, schema: dict) -> dict:
    """A multipart form as the description's object: lists for array fields, whole numbers for
    integer fields, files as present."""
    value: dict[str, Any] = {}
    properties = schema.get("properties", {})
    for name in set(form.keys()) | set(files.keys()):
        field = properties.get(name, {})
        if field.get("format") == "binary":
            value[name] = "(file)"
        elif field.get("type") == "array":
            value[name] = [_query_value(v, field.get("items", {})) for v in form.getlist(name)]
        elif name in files:
            value[name] = {"file": True}  # a file where text is expected
        elif form.get(name, "") != "":  # an empty field of a form is a field not filled in
            value[name] = _query_value(form.get(name, ""), field)
    return value


def check(operation: dict, args, body: Any, has_body: bool, form=None, files=None, full=None) -> None:
    """Refuse (400, naming the fields) a request whose query, JSON body or multipart form the
    description does not allow. ``args``: the query (a MultiDict); ``body``: the parsed JSON, if
    any; ``form`` and ``files``: a multipart request's fields. ``full``: what gives the operation
    with its vocabularies, asked only when something is wrong already, so that the answer names
    every wrong field at once (the vocabularies are the services' to check otherwise)."""
    found = _problems(operation, args, body, has_body, form, files)
    if found and full is not None:
        found = _problems(full(), args, body, has_body, form, files) or found
    if found:
        errors: dict[str, str] = {}
        for field, message in found:
            errors.setdefault(field or "body", message)
        raise ValidationError(found[0][1], errors=errors)


def _problems(operation: dict, args, body: Any, has_body: bool, form, files) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        name, schema = parameter["name"], parameter.get("schema", {})
        values = args.getlist(name)
        if not values:
            if parameter.get("required"):
                found.append((name, f"{name} is required."))
            continue
        if schema.get("type") == "array":
            found += problems([_query_value(v, schema.get("items", {})) for v in values], schema, name)
        else:
            for raw in values:
                found += problems(_query_value(raw, schema), schema, name)
    content = (operation.get("requestBody") or {}).get("content", {})
    if "multipart/form-data" in content and form is not None:
        schema = content["multipart/form-data"]["schema"]
        found += problems(form_value(form, files or {}, schema), schema, "")
    elif "application/json" in content:
        required = operation["requestBody"].get("required", False)
        if not has_body:
            if required:
                found.append(("", "Send a JSON object in the request body."))
        else:
            found += problems(body, content["application/json"]["schema"], "")
    return found
