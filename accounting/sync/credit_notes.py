"""The drain's part for adjustments: debit bills travel with the bills; credit notes are created in one
batch and then allocated to their bill while Xero allows it (else left unallocated, and the history says so).
"""

import datetime
import hashlib

from django.utils import timezone

from accounting.sync.inputs import (
    WAITING_FOR_BILL,
    CodingContext,
    adjustment_input,
    adjustment_reference,
)
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from integrations.xero import credit_notes as xero_credit_notes
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError, XeroUnavailable
from integrations.xero.mapping import (
    CreditNoteInput,
    credit_note_fingerprint,
    credit_note_link,
)
from invoicing.money import round_money

WAIT_FOR_BILL = datetime.timedelta(seconds=60)


def adjustment_inputs(rows: list[AccountingSync], context: CodingContext) -> tuple[dict, list[tuple]]:
    """Inputs for the adjustment rows (by row id), and the outcomes of rows that cannot go yet."""
    bills = {
        sync.invoice_id: sync
        for sync in AccountingSync.objects.filter(invoice__in={row.invoice_id for row in rows}, kind=SyncKind.BILL, adjustment=None)
    }
    inputs, outcomes = {}, []
    for row in rows:
        built = adjustment_input(row, context, bills.get(row.invoice_id))
        if built == WAITING_FOR_BILL:
            row.next_attempt_at, row.lease_until = timezone.now() + WAIT_FOR_BILL, None
            outcomes.append((row, SyncState.PENDING, built))
        elif isinstance(built, str):
            row.lease_until = None
            outcomes.append((row, SyncState.NEEDS_ATTENTION, built))
        else:
            inputs[row.id] = built
    return inputs, outcomes


def send_credit_notes(client: XeroClient, rows: list[AccountingSync], notes: dict[int, CreditNoteInput], report) -> list[tuple]:
    """Create the credit notes in one call, then allocate each to its bill when the bill can take it."""
    from accounting.sync.drain import _batch_failed  # the drain imports us

    for row in rows:
        row.payload_fingerprint = credit_note_fingerprint(notes[row.id])
    material = "|".join(f"{row.id}:{row.payload_fingerprint}:{row.attempts}" for row in rows)
    key = "onport-credits-" + hashlib.sha256(material.encode()).hexdigest()[:48]
    AccountingSync.objects.filter(id__in=[row.id for row in rows]).update(idempotency_key=key)
    try:
        results = xero_credit_notes.credit_notes_create(client, [notes[row.id] for row in rows], idempotency_key=key)
    except XeroError as error:
        return _batch_failed(rows, error, report, sent=True)
    outcomes = []
    for row, result in zip(rows, results):
        row.lease_until = None
        if not result.ok:
            report.failed += 1
            outcomes.append((row, SyncState.FAILED, "Xero refused the credit note: " + " ".join(result.messages)))
            continue
        outcomes.append(_adopted(client, row, result.xero_id, result.status, "Credit note created in Xero."))
        report.synced += 1
    return outcomes


def _adopted(client: XeroClient, row: AccountingSync, credit_note_id: str, status: str, created: str) -> tuple:
    row.xero_id, row.xero_status, row.synced_at = credit_note_id, status, timezone.now()
    row.synced_fingerprint = row.payload_fingerprint
    row.xero_url = credit_note_link(short_code=client.xero_account.short_code, credit_note_id=credit_note_id)
    return row, SyncState.SYNCED, f"{created} {_allocate(client, row)}"


def _allocate(client: XeroClient, row: AccountingSync) -> str:
    """Allocate to the bill while it is authorised with that much outstanding; else say why not."""
    bill = AccountingSync.objects.filter(invoice_id=row.invoice_id, kind=SyncKind.BILL, adjustment=None).first()
    amount = row.adjustment.amount
    try:
        balance = xero_credit_notes.bill_balance(client, bill.xero_id)
        if balance.status != "AUTHORISED" or row.xero_status != "AUTHORISED":
            return (f"Left unallocated: the bill is {balance.status.lower()} in Xero (the credit note "
                    f"{row.xero_status.lower()}); allocate it there once both are approved.")
        if balance.amount_due < amount:
            return (f"Left unallocated: the bill has only {round_money(balance.amount_due)} outstanding, less than "
                    f"this {amount} credit; allocate what fits in Xero.")
        refused = xero_credit_notes.credit_note_allocate(
            client, credit_note_id=row.xero_id, bill_id=bill.xero_id, amount=amount, date=row.adjustment.created_at.date(),
            idempotency_key=f"onport-allocate-{row.id}",
        )
    except XeroUnavailable:
        return "Not allocated yet: Xero did not answer. Allocate it in Xero, or sync accounting again."
    except XeroError as error:
        return f"Left unallocated: {error.message}"
    return f"Left unallocated: {' '.join(refused)}" if refused else f"Allocated {amount} to the bill."


def resolve_credit_notes(client: XeroClient, rows: list[AccountingSync]) -> list[tuple]:
    """Unknown credit notes: adopt the one Xero has under our reference, else send again."""
    found = xero_credit_notes.credit_notes_find(client, references=[adjustment_reference(row.adjustment) for row in rows])
    outcomes = []
    for row in rows:
        row.lease_until = None
        match = found.get(adjustment_reference(row.adjustment))
        if match:
            outcomes.append(_adopted(client, row, *match,
                                     "Found the credit note Xero had created before its answer was lost; adopted it."))
        else:
            row.next_attempt_at = timezone.now()
            outcomes.append((row, SyncState.PENDING, "The credit note is not in Xero; it will be sent again."))
    return outcomes
