"""Idempotency-Key handling for PUT/POST, per (app, organisation, key).

A repeat within `idempotency_window` seconds gets the first response again (status and body),
without applying the write; the same key with a different request is refused; a repeat that
arrives while the first is still running waits for it. Every answer the endpoint produced is kept,
validation errors included; faults injected *before* the endpoint ran keep nothing.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from .config import SandboxConfig
from .state import SandboxState

MAX_KEY_LENGTH = 128


@dataclass
class StoredResponse:
    status: int
    body: bytes
    content_type: str


@dataclass
class Claim:
    """Outcome of `begin`: replay a stored response, refuse a mismatch, or run the request."""

    outcome: str  # "run", "replay", "mismatch", or "busy" (the first is still running after the wait)
    scope_key: str
    fingerprint: str
    response: StoredResponse | None = None


class IdempotencyStore:
    def __init__(self, state: SandboxState, config: SandboxConfig) -> None:
        self.state = state
        self.config = config
        self._changed = threading.Condition(state.lock)
        self._in_flight: dict[str, str] = {}  # scope key -> fingerprint

    def reset(self) -> None:
        with self._changed:
            self._in_flight.clear()
            self._changed.notify_all()

    @staticmethod
    def fingerprint(method: str, path: str, query: list[tuple[str, str]], body: bytes) -> str:
        digest = hashlib.sha256(f"{method} {path}?{sorted(query)}\n".encode())
        digest.update(body)
        return digest.hexdigest()

    def begin(self, client_id: str, tenant_id: str, key: str, fingerprint: str) -> Claim:
        scope_key = f"{client_id}|{tenant_id}|{key}"
        deadline = time.monotonic() + self.config.idempotency_wait_seconds
        with self._changed:
            while scope_key in self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            records = self._records()
            record = records.get(scope_key)
            if record and time.time() - record["created_at"] > self.config.idempotency_window:
                del records[scope_key]
                record = None
            in_flight_fingerprint = self._in_flight.get(scope_key)
            if record is None and in_flight_fingerprint is None:
                self._in_flight[scope_key] = fingerprint
                return Claim("run", scope_key, fingerprint)
            known_fingerprint = record["fingerprint"] if record else in_flight_fingerprint
            if known_fingerprint != fingerprint:
                return Claim("mismatch", scope_key, fingerprint)
            if record is None:
                return Claim("busy", scope_key, fingerprint)
            stored = StoredResponse(record["status"], record["body"], record["content_type"])
            return Claim("replay", scope_key, fingerprint, stored)

    def complete(self, claim: Claim, response: StoredResponse) -> None:
        with self._changed:
            self._prune()
            self._records()[claim.scope_key] = {
                "fingerprint": claim.fingerprint, "status": response.status, "body": response.body,
                "content_type": response.content_type, "created_at": time.time(),
            }
            self._in_flight.pop(claim.scope_key, None)
            self.state.mark_changed()
            self._changed.notify_all()

    def abandon(self, claim: Claim) -> None:
        with self._changed:
            self._in_flight.pop(claim.scope_key, None)
            self._changed.notify_all()

    def _records(self) -> dict[str, Any]:
        return self.state.data["idempotency"]

    def _prune(self) -> None:
        records = self._records()
        cutoff = time.time() - self.config.idempotency_window
        for scope_key in [key for key, record in records.items() if record["created_at"] < cutoff]:
            del records[scope_key]
