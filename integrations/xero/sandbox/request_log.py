"""A record of every request the sandbox answered (admin calls excluded), for tests and the demo.

Secrets never enter the log: the Authorization header is reduced to its scheme, and token-endpoint
form fields and token responses that carry credentials are masked.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from .formats import utc_now

RECORDED_HEADERS = (
    "xero-tenant-id", "Idempotency-Key", "If-Modified-Since", "Content-Type", "Accept", "User-Agent",
)
SECRET_FORM_FIELDS = {"client_secret", "refresh_token", "code", "code_verifier", "token", "password"}
SECRET_RESPONSE_FIELDS = {"access_token", "refresh_token", "id_token"}
MAX_RECORDED_RESPONSE_BYTES = 256 * 1024


class RequestLog:
    def __init__(self, max_entries: int = 20000) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.max_entries = max_entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["id"] = next(self._ids)
            self._entries.append(entry)
            del self._entries[: max(len(self._entries) - self.max_entries, 0)]

    def entries(self, since_id: int = 0, path_prefix: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                entry for entry in self._entries
                if entry["id"] > since_id and (not path_prefix or entry["path"].lower().startswith(path_prefix.lower()))
            ]


def describe_request(request: Any, json_body: Any) -> dict[str, Any]:
    headers = {name: request.headers[name] for name in RECORDED_HEADERS if name in request.headers}
    authorization = request.headers.get("Authorization")
    if authorization:
        headers["Authorization"] = authorization.split(" ", 1)[0] + " …"
    form = None
    if request.mimetype == "application/x-www-form-urlencoded":
        form = {key: ("***" if key in SECRET_FORM_FIELDS else value) for key, value in request.form.items()}
    return {
        "time": utc_now().isoformat(),
        "method": request.method,
        "path": request.path,
        "query": {key: values if len(values) > 1 else values[0] for key, values in request.args.lists()},
        "headers": headers,
        "json": json_body,
        "form": form,
        "body_bytes": request.content_length or 0,
    }
