"""Run-time settings of the sandbox: the registered apps, token lifetimes and limits.

Every number can be changed while the server runs (`POST /_sandbox/config`); `reset` goes back to
the values the server was started with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CLIENT_ID = "onport-sandbox"
DEFAULT_CLIENT_SECRET = "onport-sandbox-secret"
DEFAULT_APP_NAME = "Onport"


@dataclass
class ClientApp:
    """An app registered with the sandbox, as in Xero's developer portal."""

    client_id: str
    client_secret: str
    name: str = DEFAULT_APP_NAME
    # Empty: any http(s)://127.0.0.1[:port]/… or http(s)://localhost[:port]/… URI is allowed.
    redirect_uris: list[str] = field(default_factory=list)


@dataclass
class SandboxConfig:
    clients: list[ClientApp] = field(
        default_factory=lambda: [ClientApp(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)]
    )
    token_ttl: int = 1800  # access token lifetime, seconds (Xero: 30 min)
    refresh_grace_seconds: int = 1800  # a used refresh token may be replayed this long
    refresh_token_ttl: int = 60 * 86400  # an unused refresh token dies after 60 days
    code_ttl: int = 300  # authorisation code lifetime
    rate_per_minute: int = 60  # per app and organisation, sliding window
    rate_window_seconds: float = 60.0  # the "minute" (tests shrink it)
    concurrent_limit: int = 5
    day_limit: int = 5000
    day_window_seconds: float = 86400.0  # fixed window starting with the first call
    app_rate_per_minute: int = 10000  # per app across all organisations
    idempotency_window: float = 360.0  # Xero keeps keys for 6 minutes
    idempotency_wait_seconds: float = 30.0  # how long a concurrent repeat waits for the first
    max_attachment_bytes: int = 10 * 1024 * 1024
    webhook_timeout_seconds: float = 5.0  # Xero wants the answer within 5 s
    webhook_retry_seconds: float = 5.0  # first pause after a failed delivery; doubles up to an hour
    webhook_give_up_seconds: float = 86400.0  # Xero retries for 24 h, then turns the webhook off
    quiet: bool = True  # no per-request log lines

    TUNABLE = (
        "token_ttl", "refresh_grace_seconds", "refresh_token_ttl", "code_ttl", "rate_per_minute",
        "rate_window_seconds", "concurrent_limit", "day_limit", "day_window_seconds",
        "app_rate_per_minute", "idempotency_window", "idempotency_wait_seconds",
        "max_attachment_bytes", "webhook_timeout_seconds", "webhook_retry_seconds", "webhook_give_up_seconds",
        "quiet",
    )

    def client(self, client_id: str | None) -> ClientApp | None:
        return next((app for app in self.clients if app.client_id == client_id), None)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply `{name: value}`; unknown names raise ValueError (typos must not pass silently)."""
        types = {item.name: item.type for item in dataclasses.fields(self)}
        for name, value in changes.items():
            if name == "clients":
                self.clients = [ClientApp(**client) for client in value]
                continue
            if name not in self.TUNABLE:
                raise ValueError(f"unknown sandbox setting {name!r}")
            kind = {"int": int, "float": float, "bool": bool}[str(types[name])]
            if kind is bool and isinstance(value, str):
                value = value.lower() in {"1", "true", "yes"}
            setattr(self, name, kind(value))

    def copy(self) -> SandboxConfig:
        clone = dataclasses.replace(self)
        clone.clients = [dataclasses.replace(app, redirect_uris=list(app.redirect_uris)) for app in self.clients]
        return clone

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        for app in values["clients"]:
            app["client_secret"] = "***"
        return values
