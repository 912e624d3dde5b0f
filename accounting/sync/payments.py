"""Invoices marked paid in Onport, recorded as payments on their bills in Xero (Setup > Accounting's
"Record payments in Xero when an invoice is marked paid"): the outbox of `BillPayment` rows.

A payment waits until its invoice's bill is in Xero and approved; it pays what Xero says is still due on
the bill (net of credit notes allocated and payments made there), so nothing is paid twice.
"""

import datetime
from functools import partial
from typing import ClassVar

from django.db import transaction
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.outbox.payments import PaymentsOutbox
from accounting.outbox.queue import drain_queue_now
from accounting.outbox.results import DrainReport, Outcome
from accounting.payouts.models import PayoutPayment
from accounting.setup.models import AccountingSettings
from accounting.sync.models import AccountingSync, BillPayment, SyncKind, SyncState
from integrations.xero.bill_status import bills_standing
from integrations.xero.client import XeroClient
from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.db import bulk_update_rows

WAIT_FOR_BILL = datetime.timedelta(seconds=60)
BILL_ON_ITS_WAY = (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN)


class BillPaymentOutbox(PaymentsOutbox):
    name = "bill-payments"
    model = BillPayment
    record_fields: ClassVar[list[str]] = [
        "xero_id",
        "synced_at",
        "idempotency_key",
        "next_attempt_at",
        "lease_until",
        "bill_id",
        "amount",
    ]

    def adopted_elsewhere(self, payment_ids: list[str]) -> set[str]:
        """A Xero payment a payout run adopted is not this outbox's to adopt either."""
        return super().adopted_elsewhere(payment_ids) | set(
            PayoutPayment.objects.filter(xero_id__in=payment_ids).values_list("xero_id", flat=True)
        )

    def load(self, ids: list[int]) -> list[BillPayment]:
        return list(BillPayment.objects.filter(id__in=ids).select_related("invoice").order_by("id"))

    def send(self, client: XeroClient, rows: list[BillPayment], report: DrainReport) -> list[Outcome]:
        bills = {
            sync.invoice_id: sync
            for sync in AccountingSync.objects.filter(
                invoice__in=[row.invoice_id for row in rows], kind=SyncKind.BILL, adjustment=None
            )
        }
        outcomes, ready = [], []
        for row in rows:
            bill = bills.get(row.invoice_id)
            if bill is None or not bill.xero_id or bill.state in BILL_ON_ITS_WAY:
                outcomes.append(_wait(row, "Waits for the invoice's bill to be in Xero."))
            else:
                row.bill_id = bill.xero_id
                ready.append(row)
        standing = bills_standing(client, [row.bill_id for row in ready]) if ready else {}
        payable = []
        for row in ready:
            in_xero = standing.get(row.bill_id.lower())
            row.lease_until = None
            if in_xero is None:
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.NEEDS_ATTENTION,
                        Reason.NOT_IN_XERO,
                        "Xero did not return the invoice's bill (deleted there?): sync accounting again.",
                    )
                )
            elif in_xero.status == "PAID" or (in_xero.status == "AUTHORISED" and in_xero.amount_due <= 0):
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.SYNCED,
                        Reason.UP_TO_DATE,
                        "Nothing is due on the bill in Xero any more; no payment was sent.",
                    )
                )
            elif in_xero.status in ("VOIDED", "DELETED"):
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.CANCELLED,
                        Reason.VOIDED,
                        f"The bill is {in_xero.status.lower()} in Xero; no payment was recorded.",
                    )
                )
            elif in_xero.status != "AUTHORISED":
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.NEEDS_ATTENTION,
                        Reason.REFUSED,
                        (
                            "The bill is a draft in Xero, and Xero records payments only against approved bills: approve it "
                            "in Xero, then press Retry failed in the Sync log."
                        ),
                    )
                )
            else:
                row.amount = in_xero.amount_due
                payable.append(row)
        if payable:
            bulk_update_rows(payable, ["bill_id", "amount"])  # what a lost answer is looked up by
            outcomes += self.create(client, payable, report)
        return outcomes


BILL_PAYMENTS = BillPaymentOutbox()


def bill_payments_request(*, invoices: list[PurchaseInvoice], setup: AccountingSettings) -> int:
    """Payments for these paid invoices, unless they have one (or a payout run records theirs)."""
    xero_account_id = setup.xero_account_id
    if not (setup.record_payments and setup.payment_account_id and xero_account_id):
        return 0
    paid = list(
        PurchaseInvoice.objects.filter(pk__in=[invoice.pk for invoice in invoices], status=InvoiceStatus.PAID)
        .exclude(payout_payments__isnull=False)
        .only("pk", "account_id", "number", "paid_at")
    )
    if not paid:
        return 0
    created = BillPayment.objects.bulk_create(
        [
            BillPayment(
                account_id=invoice.account_id,
                xero_account_id=xero_account_id,
                invoice=invoice,
                bank_account_id=setup.payment_account_id,
                bank_account_code=setup.payment_account_code,
                date=timezone.localdate(invoice.paid_at) if invoice.paid_at else timezone.localdate(),
                reference=f"{invoice.number} paid in Onport"[:255],
                next_attempt_at=timezone.now(),
            )
            for invoice in paid
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: _drain_later(xero_account_id))
    return len(created)


def bill_payments_retry(*, account, states: list[str]) -> int:
    """Send refused (or stuck) payments again, e.g. once the bill is approved in Xero; returns how many."""
    rows = list(BillPayment.objects.filter(account=account, state__in=states))
    if not rows:
        return 0
    now = timezone.now()
    for row in rows:
        row.next_attempt_at = now
    BILL_PAYMENTS.record([Outcome(row, SyncState.PENDING, Reason.RETRY_REQUESTED, "") for row in rows])
    for xero_account_id in {row.xero_account_id for row in rows}:
        transaction.on_commit(partial(_drain_later, xero_account_id))
    return len(rows)


def bill_payments_drain(*, xero_account_id: int, spawn=None, urgent_only: bool = False) -> DrainReport:
    return BILL_PAYMENTS.drain(xero_account_id=xero_account_id, spawn=spawn, urgent_only=urgent_only)


def _drain_later(xero_account_id: int) -> None:
    from accounting.sync.tasks import bill_payments_drain_task  # the on-commit enqueue: tasks import this module

    drain_queue_now(bill_payments_drain_task, xero_account_id)


def _wait(row: BillPayment, message: str) -> Outcome:
    row.lease_until, row.next_attempt_at = None, timezone.now() + WAIT_FOR_BILL
    return Outcome(row, SyncState.PENDING, Reason.WAITING_FOR_BILL, message)
