"""Errors to Sentry, only when SENTRY_DSN is set (settings call `sentry_init`): Django and Celery, no personal data.

Sentry's own scrubber already drops the usual secrets from requests, breadcrumbs and stack-frame variables;
its list is widened with the names Xero's OAuth uses, and `before_send` removes the request's cookies and
credential headers whatever the scrubber would keep.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
from sentry_sdk.types import Event, Hint

SECRET_NAMES = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code_verifier",
    "bearer",
    "field_encryption_keys",
    "secret_key",
    "xero_client_secret",
    "xero_webhook_key",
    "metrics_token",
]
DROPPED_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-xero-signature"}


def before_send(event: Event, hint: Hint) -> Event:
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {name: value for name, value in headers.items() if name.lower() not in DROPPED_HEADERS}
    return event


def sentry_init(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *SECRET_NAMES], recursive=True),
        before_send=before_send,
        traces_sample_rate=traces_sample_rate,
    )
