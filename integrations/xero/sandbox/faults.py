"""Fault injection: latency, 503s and dropped connections, random or scripted.

Kinds (each request gets at most one):
- `503_before`  – 503 before anything is applied (nothing written).
- `503_after`   – the request is applied (state changed, idempotency record stored), then 503.
- `drop_before` – the socket is closed without a response before anything is applied.
- `drop_after`  – applied, then the socket is closed without a response.
- `404`         – a bare 404 before anything is applied, as Xero answers a URL that is too long.
- `unknown_enum`– applied, then answered with values the SDK does not know (surprises.py).
- `429`         – a rate-limit refusal (`Retry-After: 1`, `X-Rate-Limit-Problem: minute`).
- `ok`          – (scripts only) let one matching request through untouched.
Random probabilities may also name `drop`, which picks `drop_before` or `drop_after` at random.
Scripted faults are consumed in order by the next matching requests and win over random ones.
Both are limited to `methods` and `path_prefix` (default: every method under /api.xro/2.0).
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

FAULT_KINDS = ("503_before", "503_after", "drop_before", "drop_after", "429", "404", "unknown_enum")
BEFORE_KINDS = {"503_before", "drop_before", "429", "404"}
AFTER_KINDS = {"503_after", "drop_after", "unknown_enum"}
DEFAULT_PATH_PREFIX = "/api.xro/2.0"


@dataclass(frozen=True)
class FaultFilter:
    methods: frozenset[str] | None = None
    path_prefix: str = DEFAULT_PATH_PREFIX

    def matches(self, method: str, path: str) -> bool:
        return (self.methods is None or method in self.methods) and path.lower().startswith(self.path_prefix.lower())

    def to_dict(self) -> dict[str, Any]:
        return {"methods": sorted(self.methods) if self.methods else None, "path_prefix": self.path_prefix}


class FaultInjector:
    def __init__(self, latency_ms: int = 0, probabilities: dict[str, float] | None = None,
                 seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._initial = {"latency_ms": latency_ms, "probabilities": dict(probabilities or {}), "seed": seed}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.latency_ms = int(self._initial["latency_ms"])
            self.probabilities: dict[str, float] = {}
            self.random_filter = FaultFilter()
            self.script: deque[tuple[str, FaultFilter]] = deque()
            self.seed = self._initial["seed"]
            self._random = random.Random(self.seed)
            self._set_probabilities(self._initial["probabilities"])
            self.injected: list[dict[str, str]] = []

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Body of POST /_sandbox/faults; see the module docstring. Returns the new settings."""
        with self._lock:
            if body.get("clear"):
                self.probabilities, self.script, self.latency_ms = {}, deque(), 0
                self.random_filter = FaultFilter()
            target = FaultFilter(
                methods=frozenset(method.upper() for method in body["methods"]) if body.get("methods") else None,
                path_prefix=body.get("path_prefix") or DEFAULT_PATH_PREFIX,
            )
            if "latency_ms" in body:
                self.latency_ms = int(body["latency_ms"])
            if "seed" in body:
                self.seed = body["seed"]
                self._random = random.Random(self.seed)
            probabilities = dict(body.get("probabilities") or {})
            probabilities.update({kind: body[kind] for kind in (*FAULT_KINDS, "drop") if kind in body})
            if probabilities or "probabilities" in body:
                self._set_probabilities(probabilities)
                self.random_filter = target
            if "script" in body:
                if not body.get("append"):
                    self.script.clear()
                for kind in body["script"]:
                    if kind not in (*FAULT_KINDS, "ok"):
                        raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(FAULT_KINDS)} or ok")
                    self.script.append((kind, target))
            return self._snapshot()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self._snapshot()

    def latency_seconds(self) -> float:
        return max(self.latency_ms, 0) / 1000

    def next_fault(self, method: str, path: str) -> str | None:
        """The fault for this request (None = behave normally); scripted entries first."""
        with self._lock:
            for index, (kind, fault_filter) in enumerate(self.script):
                if fault_filter.matches(method, path):
                    del self.script[index]
                    return self._record(kind, method, path)
            if not self.probabilities or not self.random_filter.matches(method, path):
                return None
            draw, cumulative = self._random.random(), 0.0
            for kind, probability in self.probabilities.items():
                cumulative += probability
                if draw < cumulative:
                    if kind == "drop":
                        kind = self._random.choice(["drop_before", "drop_after"])
                    return self._record(kind, method, path)
            return None

    def _record(self, kind: str, method: str, path: str) -> str | None:
        if kind == "ok":
            return None
        self.injected.append({"kind": kind, "method": method, "path": path})
        return kind

    def _set_probabilities(self, probabilities: dict[str, float]) -> None:
        for kind, probability in probabilities.items():
            if kind not in (*FAULT_KINDS, "drop"):
                raise ValueError(f"unknown fault {kind!r}")
            if not 0 <= float(probability) <= 1:
                raise ValueError(f"probability of {kind} must be between 0 and 1")
        if sum(float(p) for p in probabilities.values()) > 1:
            raise ValueError("fault probabilities add up to more than 1")
        self.probabilities = {kind: float(p) for kind, p in probabilities.items() if float(p) > 0}

    def _snapshot(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms, "probabilities": dict(self.probabilities), "seed": self.seed,
            "random_filter": self.random_filter.to_dict(),
            "script": [{"kind": kind, **fault_filter.to_dict()} for kind, fault_filter in self.script],
            "injected": list(self.injected),
        }
