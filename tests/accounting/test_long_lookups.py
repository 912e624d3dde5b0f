"""Looking documents up after a lost answer, when the lookup is too long for one URL: Xero answers 404 to a
URL over about 2,000 characters, so the boundary splits the lookup and nothing is sent twice."""

import pytest
from django.utils import timezone

from accounting.payouts import services as payouts
from accounting.payouts.models import PaymentState, PayoutPayment
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request_many
from integrations.models import VendorXeroLink
from tests.accounting.test_payouts import (
    VENDOR_IBANS,
    _drain_payments,
    _payment_puts,
    payee,
    payouts_setup,
    synced_invoices,
    xero_payments,
)
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def payments_scope(settings):
    settings.XERO_LEGACY_SCOPES = True


def _lookups(books, path: str) -> list[dict]:
    return [r for r in books.sandbox.requests(path_prefix=path) if r["method"] == "GET"]


@pytest.mark.parametrize("fault", ["503_after", "drop_after"])
def test_60_payments_whose_answer_was_lost_are_adopted_not_paid_twice(books, account, fault):
    payouts_setup(books, delay_days=0)
    invoices = synced_invoices(books, payee(books, account, name="Lumen", iban=VENDOR_IBANS[0]), 60)
    payouts.payout_run_mark_sent(run=payouts.payout_run_approve(run=payouts.payout_run_create(account=account)))
    books.sandbox.faults(script=[fault], methods=["PUT"], path_prefix="/api.xro/2.0/Payments")

    first = _drain_payments(books)
    assert first.unknown == 50 and len(xero_payments(books)) == 60
    PayoutPayment.objects.update(next_attempt_at=timezone.now())  # the settle time has passed
    second = _drain_payments(books)

    assert second.adopted == 50, PayoutPayment.objects.values_list("state", "last_error").distinct()[:3]
    assert len(xero_payments(books)) == len(invoices) == 60 and len(_payment_puts(books)) == 2
    assert set(PayoutPayment.objects.values_list("state", flat=True)) == {PaymentState.SYNCED}
    lookups = _lookups(books, "/api.xro/2.0/Payments")
    assert len(lookups) > 1 and {lookup["status"] for lookup in lookups} == {200}


def _vendors_with_their_own_contacts(books, account, count: int) -> list:
    books.sandbox.bulk_contacts(books.xero_account.tenant_id, count, prefix="Long Lookup Supplier")
    org = books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id]
    contacts = sorted(
        (c for c in org["contacts"].values() if c["Name"].startswith("Long Lookup Supplier")),
        key=lambda contact: contact["Name"],
    )
    vendors = []
    for contact in contacts:
        vendor = VendorFactory(account=account, name=contact["Name"])
        VendorXeroLink.objects.create(
            vendor=vendor,
            xero_account=books.xero_account,
            account=account,
            contact_id=contact["ContactID"],
            contact_name=contact["Name"],
        )
        vendors.append(vendor)
    return vendors


@pytest.mark.parametrize("fault", ["503_after", "drop_after"])
def test_bills_for_45_vendors_whose_answer_was_lost_are_adopted_not_duplicated(books, account, fault):
    vendors = _vendors_with_their_own_contacts(books, account, 45)
    invoices = [invoice_create(order=order_create(vendor=vendor)) for vendor in vendors]
    sync_request_many(account=account, invoices=invoices)
    books.sandbox.faults(script=[fault], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")

    first = drain(xero_account_id=books.xero_account.pk)
    assert first.unknown == 45 and len(books.bills()) == 45
    AccountingSync.objects.update(next_attempt_at=timezone.now())
    second = drain(xero_account_id=books.xero_account.pk)

    assert second.adopted == 45, AccountingSync.objects.values_list("state", "last_error").distinct()[:3]
    assert len(books.bills()) == 45
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.SYNCED}
    lookups = _lookups(books, "/api.xro/2.0/Invoices")
    assert len(lookups) > 1 and {lookup["status"] for lookup in lookups} == {200}


def test_a_lookup_xero_will_not_answer_needs_a_person_and_does_not_stop_the_outbox(books, account):
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor)
    lost = [invoice_create(order=order_create(vendor=vendor)) for _ in range(2)]
    sync_request_many(account=account, invoices=lost)
    books.sandbox.faults(script=["503_after"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")
    drain(xero_account_id=books.xero_account.pk)
    AccountingSync.objects.update(next_attempt_at=timezone.now())
    # given a new invoice waiting behind the lost ones, and Xero answering 404 to the lookup
    waiting = invoice_create(order=order_create(vendor=vendor))
    sync_request_many(account=account, invoices=[waiting])
    books.sandbox.faults(script=["404"], methods=["GET"], path_prefix="/api.xro/2.0/Invoices")

    report = drain(xero_account_id=books.xero_account.pk)

    assert report.retry_at is None and report.attention == 2
    assert AccountingSync.objects.get(invoice=waiting).state == SyncState.SYNCED
    for sync in AccountingSync.objects.filter(invoice__in=lost):
        assert sync.state == SyncState.NEEDS_ATTENTION
        assert "could not check in Xero whether the bill was created" in sync.last_error
        assert "answered “not found” to the search itself" in sync.last_error
    assert len(books.bills()) == 3
