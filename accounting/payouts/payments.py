"""Recording payout payments in Xero: the outbox of `PayoutPayment` rows, one payment per bill.

The engine (`accounting.outbox.engine`) leases the rows and runs one drain per Xero account; a lost
answer is looked up in Xero (payments against the bill with the same amount, date and reference) and
adopted before anything is sent again. No database transaction is held across a Xero call.
"""

from django.db import transaction

from accounting.outbox.payments import PaymentsOutbox
from accounting.outbox.queue import drain_queue_now
from accounting.outbox.results import DrainReport, Outcome
from accounting.payouts.models import PayoutPayment
from accounting.sync.models import BillPayment
from integrations.xero.client import XeroClient


class PaymentOutbox(PaymentsOutbox):
    name = "payments"
    model = PayoutPayment

    def send(self, client: XeroClient, rows: list[PayoutPayment], report: DrainReport) -> list[Outcome]:
        return self.create(client, rows, report)

    def adopted_elsewhere(self, payment_ids: list[str]) -> set[str]:
        return super().adopted_elsewhere(payment_ids) | set(
            BillPayment.objects.filter(xero_id__in=payment_ids).values_list("xero_id", flat=True)
        )


PAYMENT_OUTBOX = PaymentOutbox()


def payments_queue(xero_account_id: int) -> None:
    """Drain this Xero account's payments once the current transaction commits."""
    from accounting.payouts.tasks import payout_payments_drain  # the on-commit enqueue: tasks import this module

    transaction.on_commit(lambda: drain_queue_now(payout_payments_drain, xero_account_id))


def payments_drain(*, xero_account_id: int, spawn=None, urgent_only: bool = False) -> DrainReport:
    """Record the due payments of this Xero account (a turn of them); up to five drains at once."""
    return PAYMENT_OUTBOX.drain(xero_account_id=xero_account_id, spawn=spawn, urgent_only=urgent_only)


def payments_sweep() -> list[int]:
    """Expired leases → unknown, reconnected accounts → pending; the ids of the Xero accounts with work due."""
    return PAYMENT_OUTBOX.sweep()
