"""Setup > Accounting's "Record payments in Xero when an invoice is marked paid", through the sandbox."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.payouts import services as payouts
from accounting.sync.models import AccountingSync, BillPayment, SyncState
from accounting.sync.outbox import drain
from accounting.sync.payments import bill_payments_drain
from accounting.sync.services import sync_request
from integrations.services import xero_client
from integrations.xero.bank_accounts import bank_accounts
from invoicing import services as invoicing
from tests.accounting.test_payouts import VENDOR_IBANS, payee, payouts_setup, synced_invoices, xero_payments
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def payments_scope(settings):
    settings.XERO_LEGACY_SCOPES = True  # the grant must include payments (see tests/accounting/test_payouts.py)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def vendor(books, account):
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    return vendor


@pytest.fixture
def recording(books):
    """Payments on, from Xero's bank account 090; bills created as drafts (the default)."""
    bank = next(account for account in bank_accounts(xero_client(books.xero_account)) if account.code == "090")
    books.settings.record_payments = True
    books.settings.payment_account_id, books.settings.payment_account_code = bank.account_id, bank.code
    books.settings.payment_account_name = bank.name
    books.settings.bill_status = "DRAFT"
    books.settings.save()
    return books


def _synced(books, vendor):
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(3, "10.00")]))
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)
    return invoice, AccountingSync.objects.get(invoice=invoice)


def _bill(books, bill_id):
    return next(bill for bill in books.bills() if bill["InvoiceID"] == bill_id)


def test_marking_paid_approves_the_draft_bill_and_records_its_payment(recording, vendor, commits):
    invoice, sync = _synced(recording, vendor)
    assert _bill(recording, sync.xero_id)["Status"] == "DRAFT"

    with commits():
        invoicing.invoice_mark_paid(invoice=invoice)

    payment = BillPayment.objects.get(invoice=invoice)
    assert payment.state == SyncState.SYNCED and payment.amount == invoice.total and payment.bill_id == sync.xero_id
    assert _bill(recording, sync.xero_id)["Status"] == "PAID"
    [in_xero] = xero_payments(recording)
    assert Decimal(str(in_xero["Amount"])) == invoice.total and in_xero["Invoice"]["InvoiceID"] == sync.xero_id


def test_syncing_an_invoice_already_paid_creates_the_bill_and_its_payment(recording, vendor, commits):
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "10.00")]))
    invoicing.invoice_mark_paid(invoice=invoice)  # before any bill existed (no commit hooks: nothing queued)

    with commits():
        sync_request(invoice=invoice)

    sync = AccountingSync.objects.get(invoice=invoice)
    assert BillPayment.objects.get(invoice=invoice).state == SyncState.SYNCED
    assert _bill(recording, sync.xero_id)["Status"] == "PAID" and len(xero_payments(recording)) == 1


def test_a_lost_answer_is_looked_up_and_the_payment_is_not_recorded_twice(recording, vendor, commits):
    recording.settings.bill_status = "AUTHORISED"
    recording.settings.save()
    invoice, sync = _synced(recording, vendor)
    recording.sandbox.faults(script=["503_after"], methods=["PUT"], path_prefix="/api.xro/2.0/Payments")

    with commits():
        invoicing.invoice_mark_paid(invoice=invoice)
    payment = BillPayment.objects.get(invoice=invoice)
    assert payment.state == SyncState.UNKNOWN
    BillPayment.objects.filter(pk=payment.pk).update(next_attempt_at=None)
    report = bill_payments_drain(xero_account_id=recording.xero_account.pk)

    payment.refresh_from_db()
    assert report.adopted == 1 and payment.state == SyncState.SYNCED and payment.xero_id
    assert len(xero_payments(recording)) == 1


def test_off_by_default_nothing_is_recorded(books, vendor, commits):
    invoice, _ = _synced(books, vendor)

    with commits():
        invoicing.invoice_mark_paid(invoice=invoice)

    assert not BillPayment.objects.exists() and xero_payments(books) == []


def test_setup_accounting_saves_the_choice_and_needs_a_bank_account(books, account, admin_client_):
    url = reverse("accounting:setup_accounting")
    form = admin_client_.get(url).context["form"]
    base = {name: value for name, value in form.initial.items() if value not in (None, False)}
    base.update({f"tax_{rate:.2f}".replace(".", "_"): tax_type for rate, tax_type in form.mappings.items()})
    base["record_payments"] = "on"

    refused = admin_client_.post(url, {**base, "payment_account": ""})
    assert (
        refused.status_code == 400
        and "Choose the Xero bank account that payments are recorded from." in refused.content.decode()
    )

    bank = next(value for value, label in form.fields["payment_account"].choices if label.startswith("090"))
    assert admin_client_.post(url, {**base, "payment_account": bank}).status_code == 302
    books.settings.refresh_from_db()
    assert books.settings.record_payments and books.settings.payment_account_code == "090"


def test_an_invoice_paid_by_a_payout_run_gets_only_the_runs_payment(recording, account, commits):
    payouts_setup(recording)
    account.plan = "advance"
    account.save()
    payee_vendor = payee(recording, account, name="Lumen", iban=VENDOR_IBANS[0])
    [invoice] = synced_invoices(recording, payee_vendor, days_ago=20)

    with commits():
        payouts.payout_run_mark_sent(run=payouts.payout_run_approve(run=payouts.payout_run_create(account=account)))

    assert not BillPayment.objects.filter(invoice=invoice).exists()
    assert len(xero_payments(recording)) == 1
