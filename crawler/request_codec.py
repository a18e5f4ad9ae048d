"""Requests on the shared Redis frontier as data: JSON with an explicit schema.

scrapy-redis pickles queued requests by default, and unpickling runs whatever code the
bytes name: anyone who can write one entry into the frontier's Redis (a mistyped
firewall rule, a shared Redis) runs code in every worker, which holds the archive's
write credentials. Here a request is a JSON object with the fields Scrapy's
``Request.to_dict`` gives and nothing else; bytes travel as base64 under a tag, as do
the two values of our own the spider puts in ``meta`` (an article page waiting for its
continuation pages). What does not parse against this schema is refused with
:class:`RefusedEntry` — never imported, never called — and the scheduler counts and
drops it. A callback must name one of the spider's ``parse…`` methods and an errback one
of its ``…_failed`` methods; a request class other than Scrapy's own is refused.

This module is the scheduler's ``SCHEDULER_SERIALIZER`` (scrapy-redis asks it for
``dumps`` and ``loads``).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import fields
from typing import Any

from newsarchive.items import ArticlePage, CapturedPage

SCHEMA = 1
_CALLBACK = re.compile(r"parse(_[a-z]+)*")
_ERRBACK = re.compile(r"[a-z]+(_[a-z]+)*_failed")
_TYPES: dict[str, tuple[type, ...]] = {
    "url": (str,),
    "callback": (str, type(None)),
    "errback": (str, type(None)),
    "headers": (dict,),
    "body": (bytes,),
    "cookies": (dict, list),
    "meta": (dict,),
    "encoding": (str,),
    "flags": (list,),
    "cb_kwargs": (dict,),
    "dont_filter": (bool,),
    "method": (str,),
    "priority": (int,),
}


class RefusedEntry(ValueError):
    """A frontier entry that is not a request of this schema."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, ArticlePage | CapturedPage):
        tag = "$article" if isinstance(value, ArticlePage) else "$page"
        return {tag: {f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, dict):
        if not all(isinstance(k, str | bytes) for k in value):
            raise TypeError(f"a dict with keys other than strings: {value!r}")
        return {
            (k.decode("latin-1") if isinstance(k, bytes) else k): _encode(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} cannot go on the frontier: {value!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$bytes":
            if not isinstance(inner, str):
                raise RefusedEntry("$bytes is not base64 text")
            try:
                return base64.b64decode(inner, validate=True)
            except ValueError as exc:
                raise RefusedEntry(f"$bytes: {exc}") from None
        if tag in ("$article", "$page"):
            return _dataclass(ArticlePage if tag == "$article" else CapturedPage, inner)
        if tag.startswith("$"):
            raise RefusedEntry(f"unknown tag {tag!r}")
    return {k: _decode(v) for k, v in value.items()}


def _dataclass(cls: type, inner: object) -> Any:
    if not isinstance(inner, dict) or set(inner) != {f.name for f in fields(cls)}:
        raise RefusedEntry(f"not a valid {cls.__name__}: {inner!r:.200}")
    try:
        made = cls(**{k: _decode(v) for k, v in inner.items()})
    except TypeError as exc:
        raise RefusedEntry(f"not a valid {cls.__name__}: {exc}") from None
    if isinstance(made, CapturedPage) and not isinstance(made.body, bytes):
        raise RefusedEntry("a captured page without a body")
    if isinstance(made, ArticlePage) and not all(isinstance(p, CapturedPage) for p in made.pages):
        raise RefusedEntry("an article page whose pages are not captured pages")
    return made


def dumps(request: dict[str, Any]) -> bytes:
    """A request dict (``Request.to_dict``) as JSON; TypeError for a request that
    cannot be data (a subclass, a meta value of another type)."""
    if "_class" in request:
        raise TypeError(f"only scrapy.Request goes on the frontier, not {request['_class']}")
    document = {"schema": SCHEMA, **{k: _encode(v) for k, v in request.items()}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    """The request dict back, checked; :class:`RefusedEntry` for anything else."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise RefusedEntry(f"not JSON ({exc}); a pickle from an older worker?") from None
    if not isinstance(document, dict) or document.pop("schema", None) != SCHEMA:
        raise RefusedEntry(f"not a request of schema {SCHEMA}")
    if set(document) != set(_TYPES):
        raise RefusedEntry(f"fields {sorted(set(document) ^ set(_TYPES))} are not the schema's")
    request = {k: _decode(v) for k, v in document.items()}
    for name, types in _TYPES.items():
        if not isinstance(request[name], types) or isinstance(request[name], bool) != (
            bool in types
        ):
            raise RefusedEntry(f"{name}: {type(request[name]).__name__} is not allowed")
    if request["callback"] is not None and not _CALLBACK.fullmatch(request["callback"]):
        raise RefusedEntry(f"callback {request['callback']!r} is not a parse method")
    if request["errback"] is not None and not _ERRBACK.fullmatch(request["errback"]):
        raise RefusedEntry(f"errback {request['errback']!r} is not a failure handler")
    if not request["url"].startswith(("http://", "https://")):
        raise RefusedEntry(f"url {request['url']!r:.200} is not a web URL")
    request["headers"] = {
        k.encode("latin-1"): [v if isinstance(v, bytes) else str(v).encode("latin-1") for v in vs]
        for k, vs in request["headers"].items()
        if isinstance(vs, list)
    }
    return request
