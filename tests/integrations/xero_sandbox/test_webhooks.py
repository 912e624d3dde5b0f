"""The sandbox's webhooks are as strict as Xero's: signed bodies, intent to receive, 200 with an empty body in
time, retries, then off. A small receiver stands in for the app here (Onport's own endpoint: tests/accounting)."""

import json
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from integrations.xero.sandbox.webhooks import sign

KEY = "receiver-key"


class Receiver:
    """Answers like a well-behaved app unless told otherwise (`accept_any`, `status`, `body`, `delay`)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.accept_any, self.status, self.body, self.delay = False, 200, b"", 0.0
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __call__(self, environ, start_response):
        request = Request(environ)
        raw = request.get_data()
        right = request.headers.get("x-xero-signature") == sign(raw, KEY)
        time.sleep(self.delay)
        if not right and not self.accept_any:
            return Response(status=401)(environ, start_response)
        self.received.append(json.loads(raw))
        return Response(self.body, status=self.status)(environ, start_response)

    def events(self) -> list[dict]:
        return [event for payload in self.received for event in payload["events"]]


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def _subscription(sandbox) -> dict:
    return sandbox.webhooks()["subscriptions"][0]


def _wait(condition, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_changes_of_connected_organisations_arrive_signed_with_ids_only(xero_sandbox, receiver):
    xero_sandbox.connect(tenants=[xero_sandbox.uk_tenant_id])
    xero_sandbox.webhook_subscribe(receiver.url, KEY)
    contact_id = xero_sandbox.seeded_contact_id(xero_sandbox.uk_tenant_id, "Acme Packaging Ltd")

    xero_sandbox.set_contact_status(xero_sandbox.uk_tenant_id, contact_id, "ARCHIVED")
    xero_sandbox.set_contact_status(
        xero_sandbox.au_tenant_id,
        xero_sandbox.seeded_contact_id(xero_sandbox.au_tenant_id, "Acme Packaging Ltd"),
        "ARCHIVED",
    )  # not connected: no event

    assert _wait(lambda: receiver.events())
    [event] = receiver.events()
    assert event == {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Contacts/{contact_id}",
        "resourceId": contact_id,
        "eventDateUtc": event["eventDateUtc"],
        "eventType": "UPDATE",
        "eventCategory": "CONTACT",
        "tenantId": xero_sandbox.uk_tenant_id,
        "tenantType": "ORGANISATION",
    }
    payload = receiver.received[-1]
    assert payload["firstEventSequence"] == payload["lastEventSequence"] == 1 and len(payload["entropy"]) == 20


def test_intent_to_receive_fails_for_an_app_that_accepts_a_wrong_signature(xero_sandbox, receiver):
    receiver.accept_any = True
    xero_sandbox.configure(webhook_retry_seconds=60)

    xero_sandbox.webhook_subscribe(receiver.url, KEY, ready=False)

    assert _wait(lambda: _subscription(xero_sandbox)["problem"])
    subscription = _subscription(xero_sandbox)
    assert subscription["status"] == "INTENT_PENDING"
    assert subscription["problem"] == "answered 200 where Xero expects 401"


@pytest.mark.parametrize(
    "misbehaviour, problem",
    [
        ({"body": b'{"ok": true}'}, "answered with a body; Xero expects an empty one"),
        ({"status": 500}, "answered 500 where Xero expects 200"),
    ],
)
def test_a_delivery_that_is_not_200_empty_is_sent_again_until_xero_gives_up(
    xero_sandbox, receiver, misbehaviour, problem
):
    xero_sandbox.connect(tenants=[xero_sandbox.uk_tenant_id])
    xero_sandbox.webhook_subscribe(receiver.url, KEY)
    xero_sandbox.configure(webhook_retry_seconds=0.05, webhook_give_up_seconds=0.5)
    for name, value in misbehaviour.items():
        setattr(receiver, name, value)

    xero_sandbox.set_contact_status(
        xero_sandbox.uk_tenant_id,
        xero_sandbox.seeded_contact_id(xero_sandbox.uk_tenant_id, "Acme Packaging Ltd"),
        "ARCHIVED",
    )

    assert _wait(lambda: _subscription(xero_sandbox)["status"] == "DISABLED")
    attempts = [d for d in xero_sandbox.webhooks()["deliveries"] if d["kind"] == "events"]
    assert len(attempts) >= 3 and {d["problem"] for d in attempts} == {problem}
    assert all(d["body"] == attempts[0]["body"] for d in attempts)  # the same batch each time
    assert _subscription(xero_sandbox)["pending"] == 1


def test_a_slow_answer_is_a_failed_delivery(xero_sandbox, receiver):
    xero_sandbox.connect(tenants=[xero_sandbox.uk_tenant_id])
    xero_sandbox.webhook_subscribe(receiver.url, KEY)
    xero_sandbox.configure(webhook_timeout_seconds=0.2, webhook_retry_seconds=60)
    receiver.delay = 0.5

    xero_sandbox.set_contact_status(
        xero_sandbox.uk_tenant_id,
        xero_sandbox.seeded_contact_id(xero_sandbox.uk_tenant_id, "Acme Packaging Ltd"),
        "ARCHIVED",
    )

    assert _wait(lambda: _subscription(xero_sandbox)["problem"])
    assert _subscription(xero_sandbox)["problem"].startswith("no answer from")
    assert _subscription(xero_sandbox)["pending"] == 1
