"""Payouts exactly once under real concurrency (threads on PostgreSQL): one run per invoice, one payment per bill."""

import pytest
from django.db import connection
from django.utils import timezone

from accounting.payouts import errors as payout_errors
from accounting.payouts import services as payouts
from accounting.payouts.models import PaymentState, PayoutItem, PayoutPayment
from accounting.payouts.payments import PAYMENT_OUTBOX, payments_drain
from tests.fixtures.threads import at_once
from tests.accounting.test_payouts import (
    VENDOR_IBANS,
    payee,
    payouts_setup,
    synced_invoices,
    xero_payments,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and SKIP LOCKED are tested on PostgreSQL"),
]


@pytest.fixture(autouse=True)
def payments_scope(settings):
    settings.XERO_LEGACY_SCOPES = True


def _at_once(count: int, action) -> tuple[list, list]:
    return at_once(count, lambda _: action(), catch=(payout_errors.PayoutRefused,))


def test_runs_started_and_marked_sent_at_the_same_moment_pay_each_invoice_once(books, account):
    payouts_setup(books, delay_days=0)
    invoices = synced_invoices(books, payee(books, account, name="Lumen", iban=VENDOR_IBANS[0]), 3)

    runs, refused = _at_once(4, lambda: payouts.payout_run_create(account=account))
    assert len(runs) == 1 and len(refused) == 3
    assert PayoutItem.objects.count() == len(invoices)
    run = payouts.payout_run_approve(run=runs[0])

    sent, refused = _at_once(4, lambda: payouts.payout_run_mark_sent(run=run))
    assert len(sent) == 1 and len(refused) == 3
    assert PayoutPayment.objects.count() == 3  # the drain ran eagerly on commit
    assert set(PayoutPayment.objects.values_list("state", flat=True)) == {PaymentState.SYNCED}
    assert len(xero_payments(books)) == 3


def test_two_workers_claiming_at_once_never_hold_the_same_payment(books, account):
    payouts_setup(books, delay_days=0)
    vendors = [payee(books, account, name=f"Vendor {n}", iban=VENDOR_IBANS[n % 3]) for n in range(2)]
    for vendor in vendors:
        synced_invoices(books, vendor, 40, lines=((1, "1.00"),))
    run = payouts.payout_run_approve(run=payouts.payout_run_create(account=account))
    # given 80 payments waiting (as marking the run sent queues them, without the eager drain)
    PayoutPayment.objects.bulk_create(
        PayoutPayment(
            account=account,
            xero_account=books.xero_account,
            line=item.line,
            invoice=item.invoice,
            bill_id=item.bill_id,
            bank_account_code="090",
            amount=item.amount,
            date=run.payment_date,
            reference=f"{run.reference} {item.invoice.number}",
            next_attempt_at=timezone.now(),
        )
        for item in PayoutItem.objects.select_related("line", "invoice")
    )

    claims, _ = _at_once(2, lambda: [row.pk for row in PAYMENT_OUTBOX.claim(books.xero_account)])

    assert sorted(len(claim) for claim in claims) == [30, 50]
    assert not set(claims[0]) & set(claims[1])
    PayoutPayment.objects.update(state=PaymentState.PENDING, lease_until=None)
    payments_drain(xero_account_id=books.xero_account.pk)
    assert len(xero_payments(books)) == 80 and PayoutPayment.objects.filter(state=PaymentState.SYNCED).count() == 80
