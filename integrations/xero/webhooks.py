"""Xero's webhooks: the signature check and the events of a payload (ids only: the documents are read later).

`x-xero-signature` is base64(HMAC-SHA256(raw body, webhook key)); a wrong one gets 401 (intent to receive sends
such payloads on purpose). An accepted payload is answered 200 with an empty body within 5 s (XERO.md §11).
"""

import base64
import datetime
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Xero-Signature"
MAX_BODY_BYTES = 2 * 1024 * 1024
CATEGORIES = ("INVOICE", "CONTACT", "CREDITNOTE")
EVENT_TYPES = ("CREATE", "UPDATE")


class BadPayload(Exception):
    """Signed right, but not a payload Onport can read (kept out of the inbox, logged)."""


@dataclass(frozen=True)
class WebhookEvent:
    tenant_id: str  # lower case
    category: str
    event_type: str
    resource_id: str  # lower case
    event_date: datetime.datetime  # UTC


def signature_valid(body: bytes, signature: str, key: str) -> bool:
    """Constant-time check of Xero's signature; no key configured means nothing is trusted."""
    if not key or not signature:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def events_of(body: bytes) -> list[WebhookEvent]:
    """The payload's events; intent to receive sends none (`[]` or null)."""
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise BadPayload(f"not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise BadPayload("not a JSON object")
    return [_event(item) for item in payload.get("events") or []]


def _event(item) -> WebhookEvent:
    if not isinstance(item, dict):
        raise BadPayload("an event is not an object")
    category, event_type = str(item.get("eventCategory", "")).upper(), str(item.get("eventType", "")).upper()
    if category not in CATEGORIES or event_type not in EVENT_TYPES:
        raise BadPayload(f"unknown event {category!r}/{event_type!r}")
    try:
        tenant_id, resource_id = (str(uuid.UUID(str(item.get(name)))) for name in ("tenantId", "resourceId"))
        event_date = datetime.datetime.fromisoformat(str(item.get("eventDateUtc", "")).removesuffix("Z"))
    except ValueError as error:
        raise BadPayload(f"an event without a valid id or date: {error}") from None
    if event_date.tzinfo is None:
        event_date = event_date.replace(tzinfo=datetime.timezone.utc)
    return WebhookEvent(
        tenant_id=tenant_id,
        category=category,
        event_type=event_type,
        resource_id=resource_id,
        event_date=event_date.astimezone(datetime.timezone.utc),
    )
