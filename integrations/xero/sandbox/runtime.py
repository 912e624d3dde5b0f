"""The parts of one running sandbox, handed to every endpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from .config import SandboxConfig
from .faults import FaultInjector
from .idempotency import IdempotencyStore
from .limits import RateLimiter
from .request_log import RequestLog
from .state import SandboxState
from .webhooks import WebhookHub

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Sandbox:
    state: SandboxState
    config: SandboxConfig
    initial_config: SandboxConfig
    limiter: RateLimiter
    idempotency: IdempotencyStore
    faults: FaultInjector
    requests: RequestLog
    webhooks: WebhookHub

    def reset(self) -> None:
        """Back to the seed: data, grants, request log, faults, limits and start-up settings."""
        fresh = self.initial_config.copy()
        for name in ("clients", *SandboxConfig.TUNABLE):
            setattr(self.config, name, getattr(fresh, name))
        self.state.reset()
        self.limiter.reset()
        self.idempotency.reset()
        self.faults.reset()
        self.requests.clear()
        self.webhooks.reset()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers, content_type=JSON_TYPE)


def html_response(html: str, status: int = 200) -> Response:
    return Response(html, status=status, content_type="text/html; charset=utf-8")
