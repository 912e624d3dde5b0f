"""The sandbox's memory: every organisation, grant and token, behind one lock.

Values are plain dicts (Xero field names, Python values) so the whole store can be written to a
JSON file after every change; a restarted server loads it and carries on (tokens included).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import seed
from .formats import to_debug

logger = logging.getLogger(__name__)
STATE_FORMAT_VERSION = 1


class SandboxState:
    def __init__(self, state_file: str | Path | None = None, jwt_secret: str | None = None) -> None:
        self.lock = threading.RLock()
        self.state_file = Path(state_file) if state_file else None
        self._fixed_jwt_secret = jwt_secret
        self._version = 0
        self._saved_version = 0
        self._file_lock = threading.Lock()
        self.data: dict[str, Any] = {}
        if self.state_file and self.state_file.exists():
            self.data = _decode(json.loads(self.state_file.read_text()))
            logger.info("Xero sandbox state loaded from %s", self.state_file)
        else:
            self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.data = {
                "format": STATE_FORMAT_VERSION,
                "jwt_secret": self._fixed_jwt_secret or secrets.token_urlsafe(32),
                "orgs": seed.build_organisations(),
                "connections": {},
                "grants": {},
                "codes": {},
                "consent_requests": {},
                "refresh_tokens": {},
                "access_tokens": {},
                "idempotency": {},
            }
            self.mark_changed()

    def mark_changed(self) -> None:
        with self.lock:
            self._version += 1

    def save_if_changed(self) -> None:
        """Write the file when something changed; concurrent savers never write an older copy."""
        if not self.state_file:
            return
        with self.lock:
            if self._version == self._saved_version:
                return
            version = self._version
            text = json.dumps(_encode(self.data), separators=(",", ":"))
        with self._file_lock:
            if version <= self._saved_version:
                return
            temporary = self.state_file.with_name(self.state_file.name + ".tmp")
            temporary.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(text)
            os.replace(temporary, self.state_file)
            self._saved_version = version

    # -- lookups -----------------------------------------------------------------------------
    @property
    def jwt_secret(self) -> str:
        return self.data["jwt_secret"]

    def org(self, tenant_id: str) -> dict[str, Any] | None:
        return self.data["orgs"].get(tenant_id)

    def orgs(self) -> dict[str, dict[str, Any]]:
        return self.data["orgs"]

    def debug_view(self, tenant_id: str | None = None) -> dict[str, Any]:
        with self.lock:
            view = {key: value for key, value in self.data.items() if key != "jwt_secret"}
            if tenant_id:
                view = {**view, "orgs": {tenant_id: view["orgs"].get(tenant_id)}}
            return to_debug(view)


# -- persistence: JSON with tagged Decimal / date / datetime / bytes -------------------------
def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$decimal":
            return Decimal(raw)
        if tag == "$datetime":
            return datetime.fromisoformat(raw)
        if tag == "$date":
            return date.fromisoformat(raw)
        if tag == "$bytes":
            return base64.b64decode(raw)
    return {key: _decode(item) for key, item in value.items()}
