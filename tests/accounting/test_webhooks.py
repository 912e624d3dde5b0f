"""Xero's webhooks end to end: the sandbox signs and posts events to Onport's live server, Onport keeps each once,
reads the changed bills and contacts back by id and tells admins and finance what no longer agrees."""

import time

import pytest
from django.urls import reverse
from xero_python.accounting import Contact, Contacts

from accounting.reconcile.models import BillSeen
from accounting.sync.models import AccountingSync
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request_many
from integrations.models import XeroContact, XeroWebhookEvent
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def webhook(books, live_server, settings):
    """Xero's webhook for the app pointed at Onport, intent to receive passed; the books' bills set to be paid."""
    settings.PUBLIC_BASE_URL = live_server.url
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    return books.sandbox.webhook_subscribe(f"{live_server.url}{reverse('xero_webhook')}", settings.XERO_WEBHOOK_KEY)


def _synced_bill(books, vendor):
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(1, "10.00")]))
    sync_request_many(account=vendor.account, invoices=[invoice], actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    return invoice, AccountingSync.objects.get(invoice=invoice).xero_id


def _wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _reads_by_id(sandbox, since: int = 0) -> list[dict]:
    return [
        request
        for request in sandbox.requests(path_prefix="/api.xro/2.0/Invoices")
        if request["id"] > since and request["method"] == "GET" and "IDs" in request["query"]
    ]


def test_intent_to_receive_passes_signed_right_200_signed_wrong_401(webhook, books):
    assert webhook["status"] == "OK"
    intent = [delivery for delivery in books.sandbox.webhooks()["deliveries"] if delivery["kind"] == "intent"]
    assert [(d["signed_right"], d["status"], d["response_body"]) for d in intent] == [
        (True, 200, ""),
        (False, 401, ""),
        (False, 401, ""),
    ]
    assert all(delivery["ok"] for delivery in intent)


def test_a_bill_paid_in_xero_is_seen_within_a_second_and_finance_is_told(
    webhook, books, linked_vendor, mailoutbox, client
):
    invoice, bill_id = _synced_bill(books, linked_vendor)
    assert _reads_by_id(books.sandbox) == []  # the bill's CREATE event was Onport's own: not read back

    paid_at = time.monotonic()
    books.sandbox.pay_invoice(books.xero_account.tenant_id, bill_id)
    assert _wait_for(lambda: BillSeen.objects.filter(sync__invoice=invoice, status="PAID").exists(), 1.0)
    seen_after = time.monotonic() - paid_at

    assert seen_after < 1.0
    assert _wait_for(
        lambda: XeroWebhookEvent.objects.filter(processed_at__isnull=False, event_type="UPDATE").exists(), 1
    )
    [event] = XeroWebhookEvent.objects.filter(resource_id=bill_id.lower(), event_type="UPDATE")
    assert event.category == "INVOICE" and event.outcome.startswith("Main entity: 1 new difference")
    assert len(_reads_by_id(books.sandbox)) == 1
    assert _wait_for(lambda: len(mailoutbox) == 1, 2.0)
    assert mailoutbox[0].subject == "Xero and Onport disagree: 1 new difference (Main entity)"
    assert f"{invoice.number} (Acme Packaging): Paid in Xero on" in mailoutbox[0].body
    delivery = [d for d in books.sandbox.webhooks()["deliveries"] if d["kind"] == "events"][-1]
    assert (delivery["status"], delivery["response_body"], delivery["ok"]) == (200, "", True)
    client.force_login(books.admin)
    page = client.get(reverse("reconcile:page", args=[books.xero_account.pk])).content.decode()
    assert "Xero tells Onport when a bill" in page and "nothing received yet" not in page


def test_a_wrong_signature_is_refused_401_and_changes_nothing(webhook, books, linked_vendor):
    invoice, bill_id = _synced_bill(books, linked_vendor)
    tenant = books.xero_account.tenant_id
    event = {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{bill_id}",
        "resourceId": bill_id,
        "eventDateUtc": "2026-12-03T06:40:00.123",
        "eventType": "UPDATE",
        "eventCategory": "INVOICE",
        "tenantId": tenant,
        "tenantType": "ORGANISATION",
    }
    assert books.sandbox.webhook_action("idle")["idle"]  # the bill's own CREATE event is in
    before, events_before = books.sandbox.requests()[-1]["id"], XeroWebhookEvent.objects.count()

    forged = books.sandbox.webhook_action("forge", events=[event])

    assert (forged["status"], forged["signed_right"], forged["ok"]) == (401, False, True)
    assert XeroWebhookEvent.objects.count() == events_before
    assert not XeroWebhookEvent.objects.filter(event_type="UPDATE").exists()
    assert not BillSeen.objects.exists()
    assert _reads_by_id(books.sandbox, since=before) == []


def test_a_replayed_event_is_processed_once(webhook, books, linked_vendor, mailoutbox):
    _, bill_id = _synced_bill(books, linked_vendor)
    books.sandbox.set_invoice_status(books.xero_account.tenant_id, bill_id, "VOIDED")
    assert _wait_for(lambda: BillSeen.objects.filter(status="VOIDED").exists(), 2.0)
    [delivery] = [d for d in books.sandbox.webhooks()["deliveries"] if d["kind"] == "events" and d["events"]][-1:]

    replay = books.sandbox.webhook_action("replay", delivery=delivery["number"])

    assert (replay["status"], replay["ok"]) == (200, True)
    assert XeroWebhookEvent.objects.filter(resource_id=bill_id.lower(), event_type="UPDATE").count() == 1
    assert len(_reads_by_id(books.sandbox)) == 1
    assert _wait_for(lambda: len(mailoutbox) == 1, 2.0) and len(mailoutbox) == 1
    assert "Voided in Xero, still issued in Onport." in mailoutbox[0].body


def test_a_vendors_contact_archived_or_renamed_in_xero_flags_the_vendor(
    webhook, books, linked_vendor, mailoutbox, client
):
    link = books.link(linked_vendor)
    tenant = books.xero_account.tenant_id
    xero = books.sandbox.sdk(books.sandbox.connect())

    xero.accounting.update_contact(tenant, link.contact_id, Contacts(contacts=[Contact(name="Acme Packaging Group")]))
    assert _wait_for(lambda: type(link).objects.get(pk=link.pk).renamed_from == "Acme Packaging Ltd", 2.0)
    books.sandbox.set_contact_status(tenant, link.contact_id, "ARCHIVED")
    assert _wait_for(lambda: XeroContact.objects.filter(contact_id=link.contact_id, status="ARCHIVED").exists(), 2.0)

    link.refresh_from_db()
    assert link.contact_name == "Acme Packaging Group"
    assert _wait_for(lambda: len(mailoutbox) == 2, 2.0)
    assert "renamed in Xero from “Acme Packaging Ltd” to “Acme Packaging Group”" in mailoutbox[0].body
    assert "was archived in Xero" in mailoutbox[1].body and mailoutbox[1].subject.startswith("Xero contacts changed")
    client.force_login(books.admin)
    page = client.get(reverse("contacts:vendor_settings", args=[linked_vendor.pk, "tax"])).content.decode()
    assert "archived in Xero" in page and "Renamed in Xero" in page


def test_events_of_organisations_onport_does_not_know_cost_no_call(webhook, books, linked_vendor):
    xero = books.sandbox.sdk(books.sandbox.connect())
    before = books.sandbox.requests()[-1]["id"]
    xero.accounting.update_contact(
        books.xero_account.tenant_id,
        books.sandbox.seeded_contact_id(books.xero_account.tenant_id, "Northwind Traders"),
        Contacts(contacts=[Contact(name="Northwind Traders Ltd")]),
    )

    assert books.sandbox.webhook_action("idle", timeout=5)["idle"]
    assert _wait_for(lambda: XeroWebhookEvent.objects.filter(processed_at__isnull=False).exists(), 2.0)
    onport_calls = [r for r in books.sandbox.requests() if r["id"] > before and r["method"] == "GET"]
    assert onport_calls == []  # not a vendor's contact: nothing read back


def test_processed_events_are_forgotten_after_a_month_pending_ones_never(db):
    import datetime

    from django.utils import timezone

    from accounting.reconcile.webhooks import webhook_events_prune

    now = timezone.now()
    base = {"tenant_id": "t", "category": "INVOICE", "event_type": "UPDATE", "event_date": now}
    XeroWebhookEvent.objects.create(resource_id="old", processed_at=now - datetime.timedelta(days=31), **base)
    XeroWebhookEvent.objects.create(resource_id="recent", processed_at=now - datetime.timedelta(days=1), **base)
    XeroWebhookEvent.objects.create(resource_id="pending", **base)

    assert webhook_events_prune() == 1
    assert set(XeroWebhookEvent.objects.values_list("resource_id", flat=True)) == {"recent", "pending"}


def _signed(body: bytes, key: str) -> dict:
    import base64
    import hashlib
    import hmac

    return {"HTTP_X_XERO_SIGNATURE": base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()}


def test_the_endpoint_takes_only_signed_posts_and_never_trusts_without_a_key(client, settings, db):
    url = reverse("xero_webhook")
    body = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"ABC"}'

    assert client.get(url).status_code == 405
    assert (
        client.post(url, body, content_type="application/json", **_signed(body, settings.XERO_WEBHOOK_KEY)).status_code
        == 200
    )
    assert client.post(url, body, content_type="application/json", **_signed(body, "another key")).status_code == 401
    assert client.post(url, body, content_type="application/json").status_code == 401
    settings.XERO_WEBHOOK_KEY = ""
    assert client.post(url, body, content_type="application/json", **_signed(body, "")).status_code == 401


def test_a_signed_payload_onport_cannot_read_is_acknowledged_and_kept_out(client, settings, db):
    url = reverse("xero_webhook")
    body = b'{"events":[{"eventCategory":"INVOICE","eventType":"UPDATE","resourceId":"not-a-uuid"}]}'

    response = client.post(url, body, content_type="application/json", **_signed(body, settings.XERO_WEBHOOK_KEY))

    assert (response.status_code, response.content) == (200, b"")
    assert not XeroWebhookEvent.objects.exists()


def test_an_organisation_that_refuses_onport_does_not_hold_up_the_queue(books, linked_vendor):
    import datetime

    from django.utils import timezone

    from accounting.reconcile.webhooks import webhook_events_process

    _, bill_id = _synced_bill(books, linked_vendor)
    XeroWebhookEvent.objects.create(
        tenant_id=books.xero_account.tenant_id.lower(),
        category="INVOICE",
        event_type="UPDATE",
        resource_id=bill_id.lower(),
        event_date=timezone.now() + datetime.timedelta(minutes=1),
    )
    books.sandbox.disconnect_tenant(books.xero_account.tenant_id)  # the organisation removed the app in Xero

    outcome = webhook_events_process()

    [event] = XeroWebhookEvent.objects.all()
    assert outcome.events == 1 and event.processed_at is not None
    assert event.outcome.startswith("Main entity: ") and not BillSeen.objects.exists()


def test_an_adjustment_bill_paid_in_xero_says_nothing_false_of_the_invoices_own_bill(
    books, linked_vendor, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from accounting.reconcile.models import DriftNotice
    from accounting.reconcile.webhooks import webhook_events_process
    from accounting.sync.models import SyncKind
    from invoicing import services as invoicing

    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    invoice, _ = _synced_bill(books, linked_vendor)
    invoicing.adjustment_add(invoice=invoice, kind="debit", amount=Decimal("7.50"), reason="Extra packaging")
    AccountingSync.objects.filter(state="pending").update(next_attempt_at=timezone.now())
    drain(xero_account_id=books.xero_account.pk)
    debit_id = AccountingSync.objects.get(invoice=invoice, kind=SyncKind.DEBIT_BILL).xero_id
    books.sandbox.pay_invoice(books.xero_account.tenant_id, debit_id)
    XeroWebhookEvent.objects.create(
        tenant_id=books.xero_account.tenant_id.lower(),
        category="INVOICE",
        event_type="UPDATE",
        resource_id=debit_id.lower(),
        event_date=timezone.now() + datetime.timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        processed = webhook_events_process()

    assert processed.events == 1 and processed.bills_read == 1  # the adjustment bill was read back
    assert not DriftNotice.objects.exists() and mailoutbox == []  # and nothing is said of the invoice's own bill
