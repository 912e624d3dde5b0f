"""Sending a Xero account's outbox: claim up to 50 rows, check them, send one request, record each result.

Exactly once: the rows are marked `sending` with a lease before anything is sent; a lost answer turns
them `unknown`, and an unknown row is looked up in Xero (by contact, number and our Url) and adopted
before anything is sent again. No database transaction is held across a Xero call.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from accounting import outbox
from accounting.sync.credit_notes import (
    adjustment_inputs,
    resolve_credit_notes,
    send_credit_notes,
)
from accounting.sync.inputs import (
    CodingContext,
    adjustment_url,
    bill_input,
    debit_bill_number,
    invoice_url,
)
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.services import retry_delay, syncs_record
from integrations.models import XeroAccount
from integrations.xero import bills as xero_bills
from integrations.xero.client import XeroClient
from integrations.xero.errors import (
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroUnavailable,
    XeroValidationError,
)
from integrations.xero.mapping import BillInput, CreditNoteInput, deep_link, fingerprint

LEASE = datetime.timedelta(seconds=settings.SYNC_LEASE_SECONDS)  # a worker that dies mid-batch holds rows this long
UNKNOWN_SETTLE = datetime.timedelta(seconds=5)  # let a slow write land in Xero before looking for it
NOT_MODIFIABLE = "not of valid status for modification"


@dataclass
class DrainReport:
    batches: int = 0
    synced: int = 0
    failed: int = 0
    attention: int = 0
    unknown: int = 0
    adopted: int = 0
    retry_at: datetime.datetime | None = None
    notes: list[str] = field(default_factory=list)


def drain(*, xero_account_id: int) -> DrainReport:
    """Send everything that is due for this Xero account; one drain per Xero account at a time."""
    report = DrainReport()
    return outbox.run_drain(
        name="bills", xero_account_id=xero_account_id, report=report,
        resolve=lambda client: _resolve_unknown(client, report), claim=_claim,
        send=lambda client, rows: _send(client, rows, report), pause=lambda xero_account, _: _pause(xero_account),
    )


def _syncs(xero_account: XeroAccount):
    return AccountingSync.objects.filter(xero_account=xero_account)


def _claim(xero_account: XeroAccount) -> list[AccountingSync]:
    ids = outbox.lease(_syncs(xero_account), pending=SyncState.PENDING, sending=SyncState.SENDING, seconds=LEASE,
                       size=xero_bills.BATCH_SIZE)
    rows = AccountingSync.objects.filter(id__in=ids).select_related("invoice__vendor", "xero_account", "adjustment__invoice")
    return list(rows.prefetch_related("invoice__lines").order_by("id"))


def _idempotency_key(rows: list[AccountingSync], fingerprints: dict[int, str]) -> str:
    material = "|".join(f"{row.id}:{fingerprints[row.id]}:{row.attempts}" for row in rows)
    return "onport-bills-" + hashlib.sha256(material.encode()).hexdigest()[:48]


def _send(client: XeroClient, rows: list[AccountingSync], report: DrainReport) -> None:
    context = CodingContext.load(xero_account=client.xero_account, vendor_ids={row.invoice.vendor_id for row in rows})
    outcomes, bills = [], {}
    for row in rows:
        if row.adjustment_id:
            continue
        built = bill_input(row.invoice, context)
        if isinstance(built, str):
            outcomes.append((row, SyncState.NEEDS_ATTENTION, built))
            report.attention += 1
        else:
            bills[row.id] = built
    adjustments, waiting = adjustment_inputs([row for row in rows if row.adjustment_id], context)
    outcomes += waiting
    notes = {row_id: note for row_id, note in adjustments.items() if isinstance(note, CreditNoteInput)}
    bills |= {row_id: bill for row_id, bill in adjustments.items() if row_id not in notes}  # debit bills
    fingerprints = {row_id: fingerprint(bill) for row_id, bill in bills.items()}
    to_create, to_update = [], []
    if notes:
        outcomes += send_credit_notes(client, [row for row in rows if row.id in notes], notes, report)
    for row in rows:
        if row.id not in bills:
            continue
        row.payload_fingerprint = fingerprints[row.id]
        if not row.xero_id:
            to_create.append(row)
        elif row.synced_fingerprint == fingerprints[row.id]:
            outcomes.append((row, SyncState.SYNCED, "Already up to date in Xero; nothing was sent."))
        else:
            to_update.append(row)
    if to_create:
        outcomes += _create(client, to_create, bills, fingerprints, report)
    if to_update:
        outcomes += _update(client, to_update, bills, fingerprints, report)
    if outcomes:
        syncs_record(outcomes, fields=[
            "xero_id", "xero_url", "xero_status", "payload_fingerprint", "synced_fingerprint", "synced_at",
            "idempotency_key", "next_attempt_at", "lease_until",
        ])


def _create(client, rows, bills: dict[int, BillInput], fingerprints, report) -> list[tuple]:
    key = _idempotency_key(rows, fingerprints)
    # Persist the key and fingerprints first: a worker killed mid-call leaves rows we can resolve.
    AccountingSync.objects.filter(id__in=[row.id for row in rows]).update(idempotency_key=key)
    for row in rows:
        row.idempotency_key = key
    try:
        results = xero_bills.bills_create(client, [bills[row.id] for row in rows], idempotency_key=key)
    except XeroError as error:
        return _batch_failed(rows, error, report, sent=True)
    return [_outcome(client, row, result, fingerprints[row.id], report) for row, result in zip(rows, results)]


def _update(client, rows, bills, fingerprints, report) -> list[tuple]:
    key = _idempotency_key(rows, fingerprints)
    try:
        results = xero_bills.bills_update(client, {row.xero_id: bills[row.id] for row in rows}, idempotency_key=key)
    except XeroError as error:
        return _batch_failed(rows, error, report, sent=False)
    outcomes = []
    for row in rows:
        result = results[row.xero_id]
        if any(NOT_MODIFIABLE in message for message in result.messages):
            message = (
                "The bill in Xero is paid or voided, so Onport did not change it and did not create a second one. "
                "Correct it in Xero (or with a credit note)."
            )
            row.lease_until = None
            outcomes.append((row, SyncState.NEEDS_ATTENTION, message))
            report.attention += 1
        else:
            outcomes.append(_outcome(client, row, result, fingerprints[row.id], report, updated=True))
    return outcomes


def _outcome(client, row, result, fingerprint_now, report, updated=False) -> tuple:
    row.lease_until = None
    if not result.ok:
        report.failed += 1
        return row, SyncState.FAILED, "Xero refused the bill: " + " ".join(result.messages)
    row.xero_id, row.xero_status = result.xero_id, result.status
    row.xero_url = deep_link(short_code=client.xero_account.short_code, bill_id=result.xero_id)
    row.synced_fingerprint, row.synced_at = fingerprint_now, timezone.now()
    report.synced += 1
    message = "Bill updated in Xero." if updated else "Bill created in Xero."
    expected = row.adjustment.amount if row.adjustment_id else row.invoice.total
    if result.total is not None and result.total != expected:
        message += f" Note: Xero's total is {result.total}, Onport's is {expected}."
    return row, SyncState.SYNCED, message


def _batch_failed(rows, error: XeroError, report: DrainReport, *, sent: bool) -> list[tuple]:
    """The whole request failed: what we tell each row depends on whether Xero may have acted on it."""
    now = timezone.now()
    for row in rows:
        row.lease_until = None
    if isinstance(error, XeroRateLimited):
        for row in rows:
            row.next_attempt_at = now + datetime.timedelta(seconds=error.retry_after)
        report.retry_at = rows[0].next_attempt_at
        return [(row, SyncState.PENDING, "Xero's rate limit was reached; it will be sent again shortly.") for row in rows]
    if isinstance(error, XeroAuthError):
        return [(row, SyncState.PAUSED, error.message) for row in rows]
    if isinstance(error, XeroValidationError):
        report.failed += len(rows)
        return [(row, SyncState.FAILED, "Xero refused the bill: " + error.message) for row in rows]
    if sent and isinstance(error, XeroUnavailable):
        report.unknown += len(rows)
        for row in rows:
            row.next_attempt_at = now + UNKNOWN_SETTLE
        return [(row, SyncState.UNKNOWN, "Xero did not answer; checking whether the bill was created before sending again.")
                for row in rows]
    for row in rows:
        row.next_attempt_at = now + retry_delay(row.attempts)
    return [(row, SyncState.PENDING, f"{error.message} It will be sent again.") for row in rows]


def _resolve_unknown(client: XeroClient, report: DrainReport) -> bool:
    """Rows whose outcome is unknown (or whose worker died): adopt their bill if Xero has it, else send again."""
    xero_account = client.xero_account
    now = timezone.now()
    AccountingSync.objects.filter(xero_account=xero_account, state=SyncState.SENDING, lease_until__lt=now).update(
        state=SyncState.UNKNOWN, next_attempt_at=now, updated_at=now
    )
    rows = list(outbox.due(_syncs(xero_account), SyncState.UNKNOWN).select_related("invoice__vendor", "adjustment__invoice").order_by("id")[:50])
    if not rows:
        return False
    credit_rows = [row for row in rows if row.kind == SyncKind.CREDIT_NOTE]
    outcomes = resolve_credit_notes(client, credit_rows) if credit_rows else []
    rows = [row for row in rows if row.kind != SyncKind.CREDIT_NOTE]
    context = CodingContext.load(xero_account=xero_account, vendor_ids={row.invoice.vendor_id for row in rows})
    contact_ids = [context.links[row.invoice.vendor_id].contact_id for row in rows if row.invoice.vendor_id in context.links]
    numbers = [debit_bill_number(row.adjustment) if row.adjustment_id else row.invoice.number for row in rows]
    found = xero_bills.bills_find(client, contact_ids=contact_ids, numbers=numbers) if contact_ids else []
    ours = {bill.url: bill for bill in found}
    for row in rows:
        bill = ours.get(adjustment_url(row.adjustment) if row.adjustment_id else invoice_url(row.invoice))
        row.lease_until = None
        if bill is not None:
            row.xero_id, row.xero_status, row.synced_at = bill.xero_id, bill.status, now
            row.xero_url = deep_link(short_code=xero_account.short_code, bill_id=bill.xero_id)
            row.synced_fingerprint = row.payload_fingerprint
            outcomes.append((row, SyncState.SYNCED, "Found the bill Xero had created before its answer was lost; adopted it."))
            report.adopted += 1
        else:
            row.next_attempt_at = now
            outcomes.append((row, SyncState.PENDING, "The bill is not in Xero; it will be sent again."))
    syncs_record(outcomes, fields=["xero_id", "xero_url", "xero_status", "synced_fingerprint", "synced_at", "lease_until", "next_attempt_at"])
    return True


def _pause(xero_account: XeroAccount) -> None:
    """Reconnect needed: hold this Xero account's rows (nothing is dropped; the sweep resumes them)."""
    # Only rows not yet sent: a `sending` row may be in Xero already, so it waits to be resolved as unknown.
    rows = list(AccountingSync.objects.filter(xero_account=xero_account, state=SyncState.PENDING))
    message = f"Paused: the Xero account “{xero_account.name}” needs reconnecting (Integrations > Xero)."
    if rows:
        syncs_record([(row, SyncState.PAUSED, message) for row in rows], fields=[])
