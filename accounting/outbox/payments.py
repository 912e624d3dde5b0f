"""What every outbox of payments against bills shares (payout runs, invoices marked paid): one PUT per batch,
and finding a payment after a lost answer by its bill, amount, date and reference.

A row of such an outbox has `bill_id`, `bank_account_id`, `bank_account_code`, `amount`, `date` and
`reference` besides the OutboxRow fields.
"""

import datetime

from django.utils import timezone

from accounting.outbox.engine import Outbox
from accounting.outbox.models import Reason, State
from accounting.outbox.results import DrainReport, Hold, Nouns, Outcome, batch_failed, batch_key, key_stamp, refused
from integrations.models import XeroAccount
from integrations.xero import payments as xero_payments
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError

PAYMENTS = Nouns(document="payment", done="recorded")

PAYMENT_SCOPES = frozenset({"accounting.payments", "accounting.transactions"})
SCOPE_MESSAGE = (
    "Onport's connection to Xero was allowed before it recorded payments: reconnect the Xero account "
    "(Integrations > Xero) and allow payments, then run payouts."
)


def payments_scope_missing(xero_account: XeroAccount) -> bool:
    """Xero refuses payments from a grant without the payments scope (and that refusal looks like a lost connection)."""
    return not PAYMENT_SCOPES & set(xero_account.scopes or [])


class PaymentsOutbox(Outbox):
    nouns = PAYMENTS
    batch_size = xero_payments.BATCH_SIZE

    def hold(self, xero_account: XeroAccount) -> Hold | None:
        if xero_account.is_ready and payments_scope_missing(xero_account):
            return Hold(Reason.SCOPE_MISSING, SCOPE_MESSAGE)
        return super().hold(xero_account)

    def create(self, client: XeroClient, rows: list, report: DrainReport) -> list[Outcome]:
        """Record the rows' payments in one call, with an Idempotency-Key stored on them first."""
        key = batch_key(self.name, rows, lambda row: f"{row.bill_id}:{row.amount}")
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
                outcomes.append(Outcome(row, State.SYNCED, Reason.CREATED, "Payment recorded in Xero."))
            else:
                outcomes.append(refused(row, PAYMENTS, result.messages, report))
        return outcomes

    def resolve(self, client: XeroClient, rows: list, report: DrainReport) -> list[Outcome]:
        """Adopt the payment Xero recorded before its answer was lost, else send again."""
        found = xero_payments.payments_find(client, bill_ids=[row.bill_id for row in rows if row.bill_id])
        # A payment already adopted by another row (of any payments outbox) is not ours to adopt twice.
        taken = self.adopted_elsewhere([payment.xero_id for payment in found])
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
                outcomes.append(
                    Outcome(
                        row,
                        State.SYNCED,
                        Reason.ADOPTED,
                        "Found the payment Xero had recorded before its answer was lost; adopted it.",
                    )
                )
            else:
                row.next_attempt_at = now
                outcomes.append(
                    Outcome(
                        row, State.PENDING, Reason.NOT_IN_XERO, "The payment is not in Xero; it will be sent again."
                    )
                )
        return outcomes

    def adopted_elsewhere(self, payment_ids: list[str]) -> set[str]:
        return set(self.model.objects.filter(xero_id__in=payment_ids).values_list("xero_id", flat=True))


def _input(row) -> xero_payments.PaymentInput:
    return xero_payments.PaymentInput(
        bill_id=row.bill_id,
        account_code=row.bank_account_code,
        date=row.date,
        amount=row.amount,
        reference=row.reference,
        account_id=row.bank_account_id,
    )


def _as_date(value) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value
