"""Xero's URL length limit: a request whose URL is longer than about 2,000 characters gets a bare 404
(Xero-NetStandard#471, Xero-OpenAPI#534: 53 ids in `IDs=` answered 404), before any routing or auth."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

MAX_URL_LENGTH = 2000


def request_url_length(environ: dict[str, Any]) -> int:
    """Characters of the path and query as sent on the wire (percent-encoded)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return len(raw)
    query = environ.get("QUERY_STRING") or ""
    return len(environ.get("PATH_INFO") or "") + (len(query) + 1 if query else 0)


def url_too_long() -> Response:
    return Response("The resource you're looking for cannot be found", status=404,
                    content_type="text/plain; charset=utf-8")
