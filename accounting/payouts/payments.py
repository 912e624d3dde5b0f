"""Recording payout payments in Xero: the outbox drain for `PayoutPayment`, shaped like `accounting.sync.drain`.

Exactly once: rows are marked `sending` with a lease before anything is sent; a lost answer turns them
`unknown`, and an unknown row is looked up in Xero (payments against its bill with the same amount, date
and reference) and adopted before anything is sent again. No database transaction is held across a Xero call.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounting import outbox
from accounting.payouts.models import PaymentState, PayoutPayment
from accounting.payouts.setup import SCOPE_MESSAGE, payments_scope_missing
from accounting.sync.services import retry_delay
from integrations.models import XeroAccount
from integrations.xero import payments as xero_payments
from integrations.xero.client import XeroClient
from integrations.xero.errors import (
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroUnavailable,
    XeroValidationError,
)
from onport.db import bulk_update_rows

LEASE = datetime.timedelta(seconds=settings.SYNC_LEASE_SECONDS)
UNKNOWN_SETTLE = datetime.timedelta(seconds=5)  # let a slow write land in Xero before looking for it
RECORD_FIELDS = ["xero_id", "synced_at", "idempotency_key", "next_attempt_at", "lease_until"]


@dataclass
class PaymentsReport:
    batches: int = 0
    recorded: int = 0
    failed: int = 0
    unknown: int = 0
    adopted: int = 0
    retry_at: datetime.datetime | None = None
    notes: list[str] = field(default_factory=list)


def payments_queue(xero_account_id: int) -> None:
    """Drain this Xero account's payments once the current transaction commits."""
    from accounting.payouts.tasks import payout_payments_drain  # tasks import the drain

    transaction.on_commit(lambda: payout_payments_drain.delay(xero_account_id))


def payments_drain(*, xero_account_id: int) -> PaymentsReport:
    """Record every due payment of this Xero account; one drain per Xero account at a time."""
    report = PaymentsReport()
    return outbox.run_drain(
        name="payments", xero_account_id=xero_account_id, report=report,
        resolve=lambda client: _resolve_unknown(client, report), claim=_claim,
        send=lambda client, rows: _send(client, rows, report),
        pause=lambda xero_account, message: _pause(xero_account, message=message),
        refusal=lambda xero_account: SCOPE_MESSAGE if payments_scope_missing(xero_account) else "",
    )


def _record(outcomes: list[tuple[PayoutPayment, str, str]], *, fields: list[str]) -> None:
    """Save many rows' new states in one statement: (row, state, message) each."""
    now = timezone.now()
    rows = []
    for row, state, message in outcomes:
        row.state, row.updated_at = state, now
        row.last_error = "" if state == PaymentState.SYNCED else message
        rows.append(row)
    bulk_update_rows(rows, ["state", "last_error", "updated_at", *fields])


def _payments(xero_account: XeroAccount):
    return PayoutPayment.objects.filter(xero_account=xero_account)


def _claim(xero_account: XeroAccount) -> list[PayoutPayment]:
    ids = outbox.lease(_payments(xero_account), pending=PaymentState.PENDING, sending=PaymentState.SENDING,
                       seconds=LEASE, size=xero_payments.BATCH_SIZE)
    return list(PayoutPayment.objects.filter(id__in=ids).order_by("id"))


def _idempotency_key(rows: list[PayoutPayment]) -> str:
    material = "|".join(f"{row.id}:{row.bill_id}:{row.amount}:{row.attempts}" for row in rows)
    return "onport-payments-" + hashlib.sha256(material.encode()).hexdigest()[:48]


def _input(row: PayoutPayment) -> xero_payments.PaymentInput:
    return xero_payments.PaymentInput(
        bill_id=row.bill_id, account_code=row.bank_account_code, date=row.date, amount=row.amount, reference=row.reference
    )


def _send(client: XeroClient, rows: list[PayoutPayment], report: PaymentsReport) -> None:
    key = _idempotency_key(rows)
    # Persist the key first: a worker killed mid-call leaves rows the sweep turns unknown and resolves.
    PayoutPayment.objects.filter(id__in=[row.id for row in rows]).update(idempotency_key=key)
    for row in rows:
        row.idempotency_key, row.lease_until = key, None
    try:
        results = xero_payments.payments_create(client, [_input(row) for row in rows], idempotency_key=key)
    except XeroError as error:
        outcomes = _batch_failed(rows, error, report)
    else:
        outcomes = []
        now = timezone.now()
        for row, result in zip(rows, results):
            if result.ok:
                row.xero_id, row.synced_at = result.xero_id, now
                report.recorded += 1
                outcomes.append((row, PaymentState.SYNCED, ""))
            else:
                report.failed += 1
                outcomes.append((row, PaymentState.FAILED, "Xero refused the payment: " + " ".join(result.messages)))
    _record(outcomes, fields=RECORD_FIELDS)


def _batch_failed(rows: list[PayoutPayment], error: XeroError, report: PaymentsReport) -> list[tuple]:
    """The whole request failed: what each row becomes depends on whether Xero may have acted on it."""
    now = timezone.now()
    if isinstance(error, XeroRateLimited):
        for row in rows:
            row.next_attempt_at = now + datetime.timedelta(seconds=error.retry_after)
        report.retry_at = rows[0].next_attempt_at
        return [(row, PaymentState.PENDING, "Xero's rate limit was reached; it will be sent again shortly.") for row in rows]
    if isinstance(error, XeroAuthError):
        return [(row, PaymentState.PAUSED, error.message) for row in rows]
    if isinstance(error, XeroValidationError):
        report.failed += len(rows)
        return [(row, PaymentState.FAILED, "Xero refused the payment: " + error.message) for row in rows]
    if isinstance(error, XeroUnavailable):
        report.unknown += len(rows)
        for row in rows:
            row.next_attempt_at = now + UNKNOWN_SETTLE
        return [(row, PaymentState.UNKNOWN, "Xero did not answer; checking whether the payment was recorded before sending again.")
                for row in rows]
    for row in rows:
        row.next_attempt_at = now + retry_delay(row.attempts)
    return [(row, PaymentState.PENDING, f"{error.message} It will be sent again.") for row in rows]


def _as_date(value) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value


def _resolve_unknown(client: XeroClient, report: PaymentsReport) -> bool:
    """Rows whose outcome is unknown (or whose worker died): adopt their payment if Xero has it, else send again."""
    xero_account = client.xero_account
    now = timezone.now()
    PayoutPayment.objects.filter(xero_account=xero_account, state=PaymentState.SENDING, lease_until__lt=now).update(
        state=PaymentState.UNKNOWN, next_attempt_at=now, updated_at=now
    )
    rows = list(outbox.due(_payments(xero_account), PaymentState.UNKNOWN).order_by("id")[:50])
    if not rows:
        return False
    found = xero_payments.payments_find(client, bill_ids=[row.bill_id for row in rows])
    # A payment already adopted by another row is not ours to adopt twice.
    taken = set(PayoutPayment.objects.filter(xero_id__in=[payment.xero_id for payment in found]).values_list("xero_id", flat=True))
    candidates = {}
    for payment in found:
        if payment.xero_id not in taken:
            key = (payment.bill_id.lower(), payment.amount, _as_date(payment.date), payment.reference)
            candidates.setdefault(key, []).append(payment)
    outcomes = []
    for row in rows:
        row.lease_until = None
        matches = candidates.get((row.bill_id.lower(), row.amount, row.date, row.reference)) or []
        if matches:
            payment = matches.pop(0)
            row.xero_id, row.synced_at = payment.xero_id, now
            outcomes.append((row, PaymentState.SYNCED, ""))
            report.adopted += 1
        else:
            row.next_attempt_at = now
            outcomes.append((row, PaymentState.PENDING, "The payment is not in Xero; it will be sent again."))
    _record(outcomes, fields=["xero_id", "synced_at", "lease_until", "next_attempt_at"])
    return True


def _pause(xero_account: XeroAccount, *, message: str = "") -> None:
    """Reconnect needed: hold the rows not yet sent (a `sending` row may be in Xero already: it is resolved later)."""
    message = message or f"Paused: the Xero account “{xero_account.name}” needs reconnecting (Integrations > Xero)."
    PayoutPayment.objects.filter(xero_account=xero_account, state=PaymentState.PENDING).update(
        state=PaymentState.PAUSED, last_error=message, updated_at=timezone.now()
    )


def payments_sweep() -> list[int]:
    """Expired leases → unknown, reconnected accounts → pending; the ids of the Xero accounts with work due."""
    now = timezone.now()
    PayoutPayment.objects.filter(state=PaymentState.SENDING, lease_until__lt=now).update(
        state=PaymentState.UNKNOWN, next_attempt_at=now, updated_at=now
    )
    paused = XeroAccount.objects.filter(payout_payments__state=PaymentState.PAUSED).distinct()
    for xero_account in paused:
        if xero_account.is_ready and not payments_scope_missing(xero_account):
            PayoutPayment.objects.filter(xero_account=xero_account, state=PaymentState.PAUSED).update(
                state=PaymentState.PENDING, last_error="", next_attempt_at=now, updated_at=now
            )
    due = PayoutPayment.objects.filter(state__in=[PaymentState.PENDING, PaymentState.UNKNOWN]).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return sorted(set(due.values_list("xero_account_id", flat=True)))
