"""The ArticleRecord type and docs/article.schema.json are one contract: the same
fields, the same required ones, the same JSON type for each."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path

from newsarchive.record import ArticleRecord

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "article.schema.json").read_text())
JSON_TYPES = {
    str: {"string"},
    int: {"integer"},
    bool: {"boolean"},
    list: {"array"},
    dict: {"object"},
    type(None): {"null"},
}


def json_types(annotation) -> set[str]:
    """The JSON types a Python annotation admits (TypedDicts are objects)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return set().union(*(json_types(a) for a in typing.get_args(annotation)))
    if typing.is_typeddict(annotation):
        return {"object"}
    if typing.get_origin(annotation) is typing.Literal:
        return set().union(*(JSON_TYPES[type(a)] for a in typing.get_args(annotation)))
    origin = typing.get_origin(annotation) or annotation
    return JSON_TYPES[origin]


def schema_types(prop: dict) -> set[str]:
    if "$ref" in prop:
        prop = SCHEMA["$defs"][prop["$ref"].rsplit("/", 1)[1]]
    if "const" in prop:
        return {"integer"} if isinstance(prop["const"], int) else {"string"}
    kind = prop["type"]
    return set(kind) if isinstance(kind, list) else {kind}


def test_the_type_names_the_fields_the_schema_names():
    assert set(ArticleRecord.__annotations__) == set(SCHEMA["properties"])


def test_the_type_requires_what_the_schema_requires():
    assert ArticleRecord.__required_keys__ == frozenset(SCHEMA["required"])


def test_each_field_has_the_schema_s_json_type():
    hints = typing.get_type_hints(ArticleRecord)
    differ = {
        name: (json_types(hints[name]), schema_types(prop))
        for name, prop in SCHEMA["properties"].items()
        if json_types(hints[name]) != schema_types(prop)
    }
    assert differ == {}
