"""After the bill exists: amends and voids in Onport reach Xero through the outbox, or are shown plainly."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.outbox.models import Reason
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from accounting.sync.sweep import sweep
from invoicing import services as invoicing
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what services queue on commit (events, drains), as after a real commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _synced_invoice(books, vendor, *, status: str = "DRAFT"):
    books.settings.bill_status = status
    books.settings.save()
    order = order_create(vendor=vendor, lines=[(3, "10.00"), (2, "4.50")])
    invoice = invoice_create(order=order)
    sync_request(invoice=invoice, actor=books.admin)
    drain(xero_account_id=books.xero_account.pk)
    return order, invoice, AccountingSync.objects.get(invoice=invoice)


def _amend(order, invoice, *, first_line_quantity: int = 1):
    lines = list(order.lines.all())
    return invoicing.invoice_change_lines(
        invoice=invoice,
        quantities={lines[0].id: first_line_quantity, lines[1].id: 2},
        shipping=Decimal("0"),
        reason="Vendor short-shipped",
    )


def _bill(books, bill_id: str) -> dict:
    return next(bill for bill in books.bills() if bill["InvoiceID"] == bill_id)


def test_an_amend_without_automatic_sync_is_shown_as_changed_until_synced_again(
    books, linked_vendor, finance_client, commits
):
    order, invoice, sync = _synced_invoice(books, linked_vendor)
    total_before = Decimal(str(_bill(books, sync.xero_id)["Total"]))

    with commits():
        invoice = _amend(order, invoice)

    sync.refresh_from_db()
    assert sync.state == SyncState.CHANGED and sync.reason == Reason.AMENDED
    assert Decimal(str(_bill(books, sync.xero_id)["Total"])) == total_before  # nothing sent behind the user's back
    page = finance_client.get(invoice.get_absolute_url()).content.decode()
    assert "Changed since synced" in page and "press sync accounting" in page
    listing = finance_client.get(reverse("invoicing:invoice_list")).content.decode()
    assert "Changed since synced" in listing

    # when finance presses sync accounting, then the bill in Xero gets the new total
    with commits():
        assert finance_client.post(reverse("sync:invoice_sync", args=[invoice.pk])).status_code == 302
    sync.refresh_from_db()
    assert sync.state == SyncState.SYNCED
    assert Decimal(str(_bill(books, sync.xero_id)["Total"])) == invoice.total != total_before
    assert len(books.bills()) == 1


def test_an_amend_with_automatic_sync_on_updates_the_bill_at_once(books, linked_vendor, commits):
    books.settings.auto_sync_dropship = books.settings.auto_sync_replenishment = True
    books.settings.save()
    order, invoice, sync = _synced_invoice(books, linked_vendor)

    with commits():
        invoice = _amend(order, invoice)

    sync.refresh_from_db()
    assert sync.state == SyncState.SYNCED
    assert Decimal(str(_bill(books, sync.xero_id)["Total"])) == invoice.total
    assert len(books.bills()) == 1


def test_an_amend_while_the_bill_was_on_its_way_is_caught_by_the_sweep(books, linked_vendor):
    order, invoice, sync = _synced_invoice(books, linked_vendor)
    AccountingSync.objects.filter(pk=sync.pk).update(state=SyncState.SENDING)  # the amend arrives mid-request
    invoice = _amend(order, invoice)
    AccountingSync.objects.filter(pk=sync.pk).update(state=SyncState.SYNCED)  # ... which then records the old bill

    sweep()

    sync.refresh_from_db()
    assert sync.state == SyncState.CHANGED
    sweep()  # a second sweep changes nothing more
    assert AccountingSync.objects.get(pk=sync.pk).state == SyncState.CHANGED


@pytest.mark.parametrize("bill_status,removed_as", [("DRAFT", "DELETED"), ("AUTHORISED", "VOIDED")])
def test_voiding_a_synced_invoice_voids_or_deletes_its_bill(books, linked_vendor, bill_status, removed_as, commits):
    _, invoice, sync = _synced_invoice(books, linked_vendor, status=bill_status)

    with commits():
        invoicing.invoice_void(invoice=invoice, reason="Ordered twice")

    sync.refresh_from_db()
    assert sync.state == SyncState.SYNCED and sync.reason == Reason.VOIDED and sync.xero_status == removed_as
    assert _bill(books, sync.xero_id)["Status"] == removed_as
    assert len(books.bills()) == 1


def test_a_bill_with_a_payment_in_xero_is_not_voided_and_says_what_to_do(books, linked_vendor, commits):
    _, invoice, sync = _synced_invoice(books, linked_vendor, status="AUTHORISED")
    books.sandbox.pay_invoice(books.xero_account.tenant_id, sync.xero_id, amount="5.00")

    with commits():
        invoicing.invoice_void(invoice=invoice, reason="Ordered twice")

    sync.refresh_from_db()
    assert sync.state == SyncState.NEEDS_ATTENTION and sync.reason == Reason.HAS_PAYMENTS
    assert "Remove the payment" in sync.last_error
    assert _bill(books, sync.xero_id)["Status"] == "AUTHORISED"


def test_an_invoice_voided_before_its_bill_was_sent_sends_nothing(books, linked_vendor, commits):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)  # queued; its drain has not run yet

    with commits():
        invoicing.invoice_void(invoice=invoice, reason="Ordered twice")
    drain(xero_account_id=books.xero_account.pk)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert sync.state == SyncState.CANCELLED and books.bills() == []


def test_a_paid_invoice_whose_bill_awaits_payment_in_xero_says_so(books, linked_vendor, finance_client):
    _, invoice, _ = _synced_invoice(books, linked_vendor, status="AUTHORISED")

    invoicing.invoice_mark_paid(invoice=invoice)

    page = finance_client.get(invoice.get_absolute_url()).content.decode()
    assert "Paid in Onport; the bill in Xero still awaits payment" in page


def test_voiding_an_invoice_with_an_allocated_credit_note_voids_both(books, linked_vendor, commits):
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.save()
    _, invoice, sync = _synced_invoice(books, linked_vendor, status="AUTHORISED")
    with commits():
        invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("5.00"), reason="Damaged")
    note_row = AccountingSync.objects.get(invoice=invoice, kind="credit_note")
    org = lambda: books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id]  # noqa: E731
    assert org()["credit_notes"][note_row.xero_id.lower()]["Allocations"]  # allocated to the bill

    with commits():
        invoicing.invoice_void(invoice=invoice, reason="Ordered twice")

    note_row.refresh_from_db()
    sync.refresh_from_db()
    note = org()["credit_notes"][note_row.xero_id.lower()]
    assert note["Status"] == "VOIDED" and note["Allocations"] == []
    assert note_row.state == SyncState.SYNCED and note_row.reason == Reason.VOIDED
    assert _bill(books, sync.xero_id)["Status"] == "VOIDED" and sync.state == SyncState.SYNCED
