"""The station API's reference, read from its OpenAPI schema.

Swagger UI (/api/v1/docs) is the interactive console, but its own labels are
English. The reference page shows the same schema in the request's language: the
summaries and descriptions are translated where the endpoints declare them, and
the words around them (where a parameter goes, what a status means) here. Being
read from the schema, it follows the API when an endpoint is added or changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# What each status the API answers means for the caller.
STATUS_MEANINGS = {
    200: _("Done; the answer is in the body."),
    204: _("Done; nothing to return."),
    206: _("Part of the file (the Range asked for): resume the download."),
    304: _("Not changed since the copy you have (ETag): keep it."),
    400: _("The request is malformed (for example, the body is not valid JSON)."),
    401: _("No valid station token or signed-in session."),
    403: _("Not allowed for this token or account."),
    404: _("Not found, or not within this station's scope."),
    410: _("Replaced by a newer version: the body says which."),
    413: _("Too large: send less at a time."),
    416: _("The Range header cannot be satisfied."),
    422: _("A value is not valid: the body's “code” and “message” say which."),
    429: _("Too many attempts: wait and try again."),
}

LOCATIONS = {
    "query": _("query string"),
    "path": _("path"),
    "header": _("header"),
    "cookie": _("cookie"),
    "body": _("body"),
}


@dataclass(frozen=True)
class FieldDoc:
    """A parameter or a field of a body."""

    name: str
    type: str
    required: bool
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class Response:
    status: int
    meaning: str
    fields: list[FieldDoc] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    description: str
    needs_token: bool
    parameters: list[FieldDoc]
    body_types: list[str]
    body_fields: list[FieldDoc]
    responses: list[Response]

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".lower().translate(
            str.maketrans({"/": "-", "{": "", "}": "", ".": "-", "_": "-"})
        )


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    description: str
    endpoints: list[Endpoint]


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        # Only local references ("#/components/schemas/Name") occur in ninja's schema.
        target: Any = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _type_of(schema: dict, node: dict) -> str:
    node = _resolve(schema, node)
    if "anyOf" in node:
        kinds = [_type_of(schema, option) for option in node["anyOf"]]
        return " | ".join(k for k in kinds if k != "null") or "null"
    if node.get("type") == "array":
        return f"[{_type_of(schema, node.get('items', {}))}]"
    if "enum" in node:
        return " | ".join(str(value) for value in node["enum"])
    if "format" in node:
        return f"{node.get('type', '')} ({node['format']})"
    return str(node.get("type") or node.get("title") or "object")


def _fields(schema: dict, node: dict, location: str = "") -> list[FieldDoc]:
    node = _resolve(schema, node)
    if node.get("type") == "array":
        node = _resolve(schema, node.get("items", {}))
    required = set(node.get("required", ()))
    return [
        FieldDoc(
            name=name,
            type=_type_of(schema, prop),
            required=name in required,
            location=location,
            description=str(_resolve(schema, prop).get("description", "")),
        )
        for name, prop in node.get("properties", {}).items()
    ]


def _endpoint(schema: dict, method: str, path: str, op: dict) -> Endpoint:
    parameters = [
        FieldDoc(
            name=p["name"],
            type=_type_of(schema, p.get("schema", {})),
            required=bool(p.get("required")),
            location=str(LOCATIONS.get(p["in"], p["in"])),
            description=str(p.get("description", "")),
        )
        for p in op.get("parameters", ())
    ]
    content = op.get("requestBody", {}).get("content", {})
    body_fields = [
        f
        for body in content.values()
        for f in _fields(schema, body.get("schema", {}), str(LOCATIONS["body"]))
    ]
    responses = []
    for status, answer in sorted(op.get("responses", {}).items()):
        status = int(status)
        meaning = STATUS_MEANINGS.get(status, answer.get("description", ""))
        answer_content = answer.get("content", {})
        responses.append(
            Response(
                status=status,
                meaning=str(meaning),
                fields=[
                    f
                    for body in answer_content.values()
                    for f in _fields(schema, body.get("schema", {}))
                ],
                content_types=list(answer_content),
            )
        )
    return Endpoint(
        method=method.upper(),
        path=path,
        summary=str(op.get("summary", "")),
        description=str(op.get("description", "")),
        needs_token=bool(op.get("security")),
        parameters=parameters,
        body_types=list(content),
        body_fields=body_fields,
        responses=responses,
    )


def api_reference(schema: dict) -> Reference:
    """Every operation of an OpenAPI schema, in the schema's order."""
    info = schema.get("info", {})
    return Reference(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=str(info.get("description", "")),
        endpoints=[
            _endpoint(schema, method, path, op)
            for path, operations in schema.get("paths", {}).items()
            for method, op in operations.items()
        ],
    )
