"""The drain's own checks before a bill is sent (the preflight, `accounting.sync.inputs.bill_draft`): a row that
fails one ends "needs attention" with the fix in words, and Xero is not called for it at all.

(Vendor not linked: test_sync_engine.test_missing_mapping_needs_attention_with_the_fix_in_words; a currency
the SDK cannot send, beside a bill that goes: test_sync_engine.test_a_currency_the_sdk_cannot_send_stops_that_bill_not_the_batch.)
"""

import pytest

from accounting.outbox.models import Reason
from accounting.setup.models import LineAmountType
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import XeroContact, XeroContactStatus
from invoicing.models import InvoiceStatus, PurchaseInvoice
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db


def _drain_stops(books, invoice, message: str, *, requested: bool = False) -> None:
    """Drain, then: the row needs attention with `message`, and not one request reached Xero's API."""
    if not requested:
        sync_request(invoice=invoice, actor=books.admin)
    seen = max((r["id"] for r in books.sandbox.requests()), default=0)

    report = drain(xero_account_id=books.xero_account.pk)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert (sync.state, sync.reason, sync.last_error) == (SyncState.NEEDS_ATTENTION, Reason.PREFLIGHT, message)
    assert report.attention == 1 and report.synced == 0
    assert books.sandbox.requests(since=seen) == []  # no call at all: no token refresh, no lookup, no PUT
    assert books.bills() == []


def test_an_archived_xero_contact_stops_the_bill(books, linked_vendor):
    link = books.link(linked_vendor)
    XeroContact.objects.create(
        account=linked_vendor.account,
        xero_account=books.xero_account,
        contact_id=link.contact_id,
        name=link.contact_name,
        status=XeroContactStatus.ARCHIVED,
    )
    invoice = invoice_create(order=order_create(vendor=linked_vendor))

    _drain_stops(
        books,
        invoice,
        (
            "The Xero contact 'Acme Packaging Ltd' of vendor 'Acme Packaging' is archived in Xero — un-archive it in Xero "
            "or link another contact on the Tax tab."
        ),
    )


@pytest.mark.parametrize("missing", ["product_account_code", "shipping_account_code"])
def test_missing_account_codes_stop_the_bill(books, linked_vendor, missing):
    setattr(books.settings, missing, "")
    books.settings.save()
    invoice = invoice_create(order=order_create(vendor=linked_vendor))

    _drain_stops(books, invoice, "Choose the account codes for product and shipping lines in Setup > Accounting.")


def test_an_unmapped_tax_rate_stops_the_bill(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor, tax_rate="5.00"))  # Setup maps 20 % and 0 %

    _drain_stops(books, invoice, "Choose the Xero tax type for the 5 % tax rate in Setup > Accounting.")


def test_tax_on_an_invoice_when_bills_go_without_tax_stops_the_bill(books, linked_vendor):
    books.settings.line_amount_type = LineAmountType.NO_TAX
    books.settings.save()
    invoice = invoice_create(order=order_create(vendor=linked_vendor))

    _drain_stops(
        books,
        invoice,
        (
            f"Invoice {invoice.number} has {invoice.tax_total} tax but Setup > Accounting sends bills with no tax — "
            "choose tax exclusive amounts there."
        ),
    )


def test_a_currency_onport_cannot_send_stops_the_bill(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    PurchaseInvoice.objects.filter(pk=invoice.pk).update(currency="XCG")  # newer than xero-python's list
    invoice.refresh_from_db()

    _drain_stops(
        books,
        invoice,
        (f"Invoice {invoice.number} is in XCG, a currency Onport cannot send to Xero yet. Contact Onport support."),
    )


def test_an_invoice_no_longer_issued_when_its_turn_comes_is_not_sent(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice, actor=books.admin)
    PurchaseInvoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.DRAFT)  # e.g. changed by hand since

    _drain_stops(books, invoice, f"Invoice {invoice.number} is draft: only issued invoices are synced.", requested=True)
