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

from ..services.errors import ValidationError

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
    from ..openapi import description

    found = {}
    for path, item in description()["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = shared + operation.get("parameters", [])
            found[(path, method.upper())] = {**operation, "parameters": parameters}
    return found


def operation_for(rule: str, method: str) -> dict | None:
    """The described operation a Flask rule and method serve (``/documents/{document_id}``)."""
    path = _PATH_PARAM_RE.sub(r"{\1}", rule.removeprefix("/api/v1"))
    return _operations().get((path, "GET" if method == "HEAD" else method))


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
    return actual == kind or (kind == "number" and actual == "integer")


def problems(value: Any, schema: dict, field: str) -> list[tuple[str, str]]:
    """What is wrong with ``value`` against ``schema`` (a subset of JSON Schema: type, enum,
    lengths, ranges, pattern, items, properties, required, additionalProperties), as (field,
    message) pairs."""
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_fits(value, kind) for kind in kinds):
            words = " or ".join(_WORDS.get(k, k) for k in kinds)
            return [(field, f"{field} must be {words}.")]
    if "enum" in schema and value not in schema["enum"]:
        shown = ", ".join(str(v) for v in schema["enum"] if v is not None)
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
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return [(field, f"{field} may hold at most {schema['maxItems']} items.")]
        for i, item in enumerate(value):
            found += problems(item, schema.get("items", {}), f"{field}[{i}]")
    if isinstance(value, dict):
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


def check(operation: dict, args, body: Any, has_body: bool) -> None:
    """Refuse (400, naming the fields) a request whose query or JSON body the description does not
    allow. ``args``: the query (a MultiDict); ``body``: the parsed JSON, if any."""
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
    if "application/json" in content:
        required = operation["requestBody"].get("required", False)
        if not has_body:
            if required:
                found.append(("", "Send a JSON object in the request body."))
        else:
            found += problems(body, content["application/json"]["schema"], "")
    if found:
        errors = {field or "body": message for field, message in found}
        raise ValidationError(found[0][1], errors=errors)
