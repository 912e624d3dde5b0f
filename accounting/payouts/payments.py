"""Recording payout payments in Xero: the outbox of `PayoutPayment` rows, one payment per bill.

The engine (`accounting.outbox.engine`) leases the rows and runs one drain per Xero account; a lost
answer is looked up in Xero (payments against the bill with the same amount, date and reference) and
adopted before anything is sent again. No database transaction is held across a Xero call.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounting.outbox.engine import Outbox
from accounting.outbox.models import Reason
from accounting.outbox.results import DrainReport, Hold, Nouns, Outcome, batch_failed, batch_key, key_stamp, refused
from accounting.payouts.models import PaymentState, PayoutPayment
from accounting.payouts.setup import SCOPE_MESSAGE, payments_scope_missing
from integrations.models import XeroAccount
from integrations.xero import payments as xero_payments
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError

PAYMENTS = Nouns(document="payment", done="recorded")


class PaymentOutbox(Outbox):
    name = "payments"
    model = PayoutPayment
    nouns = PAYMENTS
    batch_size = xero_payments.BATCH_SIZE

    def hold(self, xero_account: XeroAccount) -> Hold | None:
        """Xero refuses payments from a grant without the payments scope (and that refusal looks like a lost connection)."""
        if xero_account.is_ready and payments_scope_missing(xero_account):
            return Hold(Reason.SCOPE_MISSING, SCOPE_MESSAGE)
        return super().hold(xero_account)

    def send(self, client: XeroClient, rows: list[PayoutPayment], report: DrainReport) -> list[Outcome]:
        key = batch_key("payments", rows, lambda row: f"{row.bill_id}:{row.amount}")
        key_stamp(rows, key)
        for row in rows:
            row.lease_until = None
        try:
            results = xero_payments.payments_create(client, [_input(row) for row in rows], idempotency_key=key)
        except XeroError as error:
            return batch_failed(rows, error, report, nouns=PAYMENTS, sent=True)
        outcomes = []
        now = timezone.now()
        for row, result in zip(rows, results):
            if result.ok:
                row.xero_id, row.synced_at = result.xero_id, now
                report.synced += 1
                outcomes.append(Outcome(row, PaymentState.SYNCED, Reason.CREATED))
            else:
                outcomes.append(refused(row, PAYMENTS, result.messages, report))
        return outcomes

    def resolve(self, client: XeroClient, rows: list[PayoutPayment], report: DrainReport) -> list[Outcome]:
        """Adopt the payment Xero recorded before its answer was lost, else send again."""
        found = xero_payments.payments_find(client, bill_ids=[row.bill_id for row in rows])
        # A payment already adopted by another row is not ours to adopt twice.
        taken = set(PayoutPayment.objects.filter(xero_id__in=[payment.xero_id for payment in found]).values_list("xero_id", flat=True))
        candidates: dict[tuple, list] = {}
        for payment in found:
            if payment.xero_id not in taken:
                key = (payment.bill_id.lower(), payment.amount, _as_date(payment.date), payment.reference)
                candidates.setdefault(key, []).append(payment)
        outcomes = []
        now = timezone.now()
        for row in rows:
            matches = candidates.get((row.bill_id.lower(), row.amount, row.date, row.reference)) or []
            if matches:
                row.xero_id, row.synced_at = matches.pop(0).xero_id, now
                report.adopted += 1
                outcomes.append(Outcome(row, PaymentState.SYNCED, Reason.ADOPTED))
            else:
                row.next_attempt_at = now
                outcomes.append(Outcome(row, PaymentState.PENDING, Reason.NOT_IN_XERO,
                                        "The payment is not in Xero; it will be sent again."))
        return outcomes


PAYMENT_OUTBOX = PaymentOutbox()


def payments_queue(xero_account_id: int) -> None:
    """Drain this Xero account's payments once the current transaction commits."""
    from accounting.payouts.tasks import payout_payments_drain  # the on-commit enqueue: tasks import this module

    transaction.on_commit(lambda: payout_payments_drain.delay(xero_account_id))


def payments_drain(*, xero_account_id: int) -> DrainReport:
    """Record every due payment of this Xero account; one drain per Xero account at a time."""
    return PAYMENT_OUTBOX.drain(xero_account_id=xero_account_id)


def payments_sweep() -> list[int]:
    """Expired leases → unknown, reconnected accounts → pending; the ids of the Xero accounts with work due."""
    return PAYMENT_OUTBOX.sweep()


def _input(row: PayoutPayment) -> xero_payments.PaymentInput:
    return xero_payments.PaymentInput(
        bill_id=row.bill_id, account_code=row.bank_account_code, date=row.date, amount=row.amount, reference=row.reference,
        account_id=row.bank_account_id,
    )


def _as_date(value) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value
