"""Webhooks as Xero sends them: per app one URL and signing key, events of the organisations connected to it.

Xero signs the raw body of every POST (`x-xero-signature` = base64 HMAC-SHA256 with the webhook key), wants
200 with an empty body within 5 s, and tries a new URL first with "intent to receive": payloads without events,
one signed right (must answer 200) and two signed wrong (must answer 401). Payloads carry only ids. A failed
delivery is sent again after growing pauses; after `webhook_give_up_seconds` of failures the webhook is off.

Events come from what changed: after every request the hub compares each document's `UpdatedDateUTC` with what
it saw before (new → CREATE, changed → UPDATE), whoever made the change (the app itself, a person, /_sandbox).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any

from .config import SandboxConfig
from .state import SandboxState

COLLECTIONS = {"invoices": ("INVOICE", "Invoices", "InvoiceID"), "contacts": ("CONTACT", "Contacts", "ContactID"),
               "credit_notes": ("CREDITNOTE", "CreditNotes", "CreditNoteID")}
CATEGORIES = tuple(category for category, _, _ in COLLECTIONS.values())
BATCH_SIZE = 100
KEPT_DELIVERIES = 500


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Subscription:
    client_id: str
    url: str
    key: str
    categories: tuple[str, ...] = CATEGORIES
    status: str = "INTENT_PENDING"  # → OK, or INTENT_FAILED / DISABLED after give_up
    problem: str = ""
    sequence: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    failing_since: float | None = None
    next_attempt: float = 0.0
    pause: float = 0.0
    batch: tuple[bytes, int] | None = None  # the payload being delivered (sent again as it was) and its events

    def public(self) -> dict[str, Any]:
        values = asdict(self)
        values.update(key="***", pending=len(self.pending), batch=self.batch[1] if self.batch else 0)
        return values


@dataclass
class Delivery:
    number: int
    client_id: str
    kind: str  # events | intent | forged | replay
    body: str
    signed_right: bool
    status: int | None
    response_body: str
    elapsed_ms: float
    ok: bool
    problem: str
    events: int


class WebhookHub:
    def __init__(self, state: SandboxState, config: SandboxConfig) -> None:
        self.state, self.config = state, config
        self._lock = threading.Condition()
        self.subscriptions: dict[str, Subscription] = {}
        self.deliveries: list[Delivery] = []
        self._delivered = 0
        self._seen: dict[str, dict[str, dict[str, Any]]] = {}
        self._seen_version = -1
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- set-up ---------------------------------------------------------------------------------
    def subscribe(self, *, client_id: str, url: str, key: str, categories: list[str] | None = None) -> Subscription:
        unknown = set(categories or ()) - set(CATEGORIES)
        if unknown or not url.startswith(("http://", "https://")) or not key:
            raise ValueError(f"a webhook needs an http(s) URL, a key and categories among {', '.join(CATEGORIES)}")
        self.observe()  # what exists now raises no events
        with self._lock:
            subscription = Subscription(client_id, url, key, tuple(categories or CATEGORIES))
            self.subscriptions[client_id] = subscription
            self._start()
            self._lock.notify_all()
        return subscription

    def unsubscribe(self, client_id: str) -> bool:
        with self._lock:
            return self.subscriptions.pop(client_id, None) is not None

    def reset(self) -> None:
        with self._lock:
            self.subscriptions.clear()
            self.deliveries.clear()
            self._seen, self._seen_version = {}, -1

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify_all()

    # -- events ---------------------------------------------------------------------------------
    def observe(self) -> int:
        """Queue an event for every document changed since the last look; returns how many were queued."""
        if not self.subscriptions and self._seen_version >= 0:
            return 0
        with self.state.lock:
            version = self.state._version
            if version == self._seen_version:
                return 0
            events = [event for tenant_id, org in self.state.orgs().items() for event in self._changes(tenant_id, org)]
            connected = {(c["_client_id"], c["tenantId"]) for c in self.state.data["connections"].values()}
            self._seen_version = version
        if not events:
            return 0
        with self._lock:
            for subscription in self.subscriptions.values():
                for event in events:
                    if event["eventCategory"] in subscription.categories and \
                            (subscription.client_id, event["tenantId"]) in connected:
                        subscription.sequence += 1
                        subscription.pending.append({**event, "_sequence": subscription.sequence})
            self._lock.notify_all()
        return len(events)

    def _changes(self, tenant_id: str, org: dict[str, Any]) -> list[dict[str, Any]]:
        first_look = tenant_id not in self._seen
        seen = self._seen.setdefault(tenant_id, {})
        events = []
        for collection, (category, path, _) in COLLECTIONS.items():
            before = seen.setdefault(category, {})
            for resource_id, document in org.get(collection, {}).items():
                stamp = document.get("UpdatedDateUTC")
                if resource_id in before and before[resource_id] == stamp:
                    continue
                kind = "UPDATE" if resource_id in before else "CREATE"
                before[resource_id] = stamp
                if first_look:
                    continue
                event = {
                    "resourceUrl": f"https://api.xero.com/api.xro/2.0/{path}/{resource_id}", "resourceId": resource_id,
                    "eventDateUtc": (stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] if stamp else ""),
                    "eventType": kind, "eventCategory": category, "tenantId": tenant_id, "tenantType": "ORGANISATION",
                }
                if category == "CREDITNOTE":
                    event["data"] = {"Type": document.get("Type"), "Status": document.get("Status")}
                events.append(event)
        return events

    # -- delivery -------------------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="xero-sandbox-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                due = self._due()
                while not due and not self._stopping:
                    self._lock.wait(timeout=self._wait())
                    due = self._due()
                if self._stopping:
                    return
            for subscription in due:
                if subscription.status == "INTENT_PENDING":
                    self.intent(subscription.client_id)
                else:
                    self._send_pending(subscription)

    def _due(self) -> list[Subscription]:
        now = time.monotonic()
        return [s for s in self.subscriptions.values() if s.next_attempt <= now
                and (s.status == "INTENT_PENDING" or (s.status == "OK" and s.pending))]

    def _wait(self) -> float | None:
        waiting = [s.next_attempt - time.monotonic() for s in self.subscriptions.values()
                   if s.status == "INTENT_PENDING" or (s.status == "OK" and s.pending)]
        return max(min(waiting), 0.01) if waiting else None

    def _send_pending(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription.batch is None:
                batch = subscription.pending[:BATCH_SIZE]
                events = [{key: value for key, value in event.items() if key != "_sequence"} for event in batch]
                subscription.batch = (payload(events, first=batch[0]["_sequence"], last=batch[-1]["_sequence"]),
                                      len(batch))
            body, count = subscription.batch
        delivery = self.post(subscription, body, kind="events", key=subscription.key, events=count)
        with self._lock:
            if delivery.ok:
                del subscription.pending[:count]
                subscription.batch = None
            self._after(subscription, delivery)

    def intent(self, client_id: str) -> Subscription:
        """Intent to receive: one payload signed right (200 expected), two signed wrong (401 expected)."""
        subscription = self.subscriptions[client_id]
        checks = [(subscription.key, 200), (secrets.token_urlsafe(16), 401), ("", 401)]
        problems = []
        for key, expected in checks:
            delivery = self.post(subscription, payload([], first=0, last=0), kind="intent", key=key, expected=expected)
            if not delivery.ok:
                problems.append(delivery.problem)
        with self._lock:
            if not problems:
                subscription.status = "OK"
            self._after(subscription, None if not problems else problems[0])
        return subscription

    def _after(self, subscription: Subscription, outcome: Delivery | str | None) -> None:
        problem = outcome.problem if isinstance(outcome, Delivery) else outcome
        if not problem:
            subscription.problem, subscription.failing_since, subscription.pause = "", None, 0.0
            subscription.next_attempt = 0.0
            return
        now = time.monotonic()
        subscription.problem = problem
        subscription.failing_since = subscription.failing_since or now
        subscription.pause = min(max(subscription.pause * 2, self.config.webhook_retry_seconds), 3600.0)
        subscription.next_attempt = now + subscription.pause
        if now - subscription.failing_since >= self.config.webhook_give_up_seconds:
            subscription.status = "INTENT_FAILED" if subscription.status == "INTENT_PENDING" else "DISABLED"

    def post(self, subscription: Subscription, body: bytes, *, kind: str, key: str, expected: int = 200,
             events: int = 0) -> Delivery:
        """One POST to the app's URL; `ok` when it answered `expected` (200: with an empty body) in time."""
        signature = sign(body, key) if key else base64.b64encode(secrets.token_bytes(32)).decode()
        request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "x-xero-signature": signature})
        started = time.monotonic()
        status, answer, problem = None, b"", ""
        try:
            with urllib.request.urlopen(request, timeout=self.config.webhook_timeout_seconds) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        except (OSError, ValueError) as error:
            problem = f"no answer from {subscription.url}: {error}"
        elapsed = time.monotonic() - started
        if not problem and status != expected:
            problem = f"answered {status} where Xero expects {expected}"
        elif not problem and expected == 200 and answer:
            problem = "answered with a body; Xero expects an empty one"
        elif not problem and elapsed > self.config.webhook_timeout_seconds:
            problem = f"answered after {elapsed:.1f} s; Xero waits {self.config.webhook_timeout_seconds:g} s"
        with self._lock:
            self._delivered += 1
            delivery = Delivery(self._delivered, subscription.client_id, kind, body.decode(), key == subscription.key,
                                status, answer[:500].decode("utf-8", "replace"), round(elapsed * 1000, 1),
                                not problem, problem, events)
            self.deliveries = [*self.deliveries[-KEPT_DELIVERIES + 1:], delivery]
        return delivery

    def delivery(self, number: int) -> Delivery | None:
        return next((delivery for delivery in self.deliveries if delivery.number == number), None)

    def idle(self, timeout: float) -> bool:
        """Wait until nothing is queued for a webhook that accepts events; False on timeout."""
        deadline = time.monotonic() + timeout
        self.observe()
        while time.monotonic() < deadline:
            with self._lock:
                if not any(s.pending and s.status == "OK" for s in self.subscriptions.values()):
                    return True
            time.sleep(0.02)
        return False

    def snapshot(self, since: int = 0) -> dict[str, Any]:
        with self._lock:
            return {"subscriptions": [s.public() for s in self.subscriptions.values()],
                    "deliveries": [asdict(d) for d in self.deliveries if d.number > since]}


def payload(events: list[dict[str, Any]], *, first: int, last: int) -> bytes:
    entropy = "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))
    return json.dumps({"events": events, "firstEventSequence": first, "lastEventSequence": last,
                       "entropy": entropy}, separators=(",", ":")).encode()
