"""A Xero answer with a value xero-python does not know (a currency newer than the SDK) fails that one
batch, not the drain: the write may have happened, so its rows are looked up and adopted, never sent twice."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request, sync_request_many
from invoicing import services as invoicing
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _drain_due(books):
    AccountingSync.objects.exclude(state=SyncState.SYNCED).update(next_attempt_at=timezone.now())
    return drain(xero_account_id=books.xero_account.pk)


def test_an_unreadable_bill_answer_fails_its_batch_not_the_drain_and_is_adopted(books, account):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    invoices = [invoice_create(order=order_create(vendor=vendor)) for _ in range(2)]
    sync_request_many(account=account, invoices=invoices)
    books.sandbox.faults(script=["unknown_enum"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")

    first = drain(xero_account_id=books.xero_account.pk)
    rows = AccountingSync.objects.filter(invoice__in=invoices)
    assert first.unknown == 2 and set(rows.values_list("state", flat=True)) == {SyncState.UNKNOWN}
    assert "could not be read" in rows.first().last_error
    second = _drain_due(books)

    assert second.adopted == 2 and len(books.bills()) == 2
    assert set(rows.values_list("state", flat=True)) == {SyncState.SYNCED}


def test_an_unreadable_credit_note_answer_leaves_nothing_sending_and_is_adopted(books, account):
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    vendor = VendorFactory(account=account)
    books.link(vendor)
    invoice = invoice_create(order=order_create(vendor=vendor))
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("4.00"), reason="Short")
    sync_request(invoice=invoice)
    books.sandbox.faults(script=["unknown_enum"], methods=["PUT"], path_prefix="/api.xro/2.0/CreditNotes")

    _drain_due(books)
    note = AccountingSync.objects.get(kind=SyncKind.CREDIT_NOTE)
    assert note.state == SyncState.UNKNOWN
    _drain_due(books)

    note.refresh_from_db()
    org = books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id]
    assert note.state == SyncState.SYNCED and len(org["credit_notes"]) == 1
