"""The outbox's part for adjustments: debit bills travel with the bills; credit notes are created in one
batch and then allocated to their bill while Xero allows it (else left unallocated, and the history says so).
"""

import datetime

from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.outbox.results import DrainReport, Nouns, Outcome, Problem, batch_failed, batch_key, key_stamp, refused
from accounting.sync.inputs import CodingContext, adjustment_input, adjustment_of, adjustment_reference
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from integrations.models import VendorXeroLink
from integrations.xero import credit_notes as xero_credit_notes
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError, XeroUnavailable
from integrations.xero.mapping import (
    BillInput,
    CreditNoteInput,
    credit_note_fingerprint,
    credit_note_link,
)
from invoicing.money import round_money

WAIT_FOR_BILL = datetime.timedelta(seconds=60)
CREDIT_NOTES = Nouns(document="credit note", done="created")


def adjustment_inputs(
    rows: list[AccountingSync], context: CodingContext
) -> tuple[dict[int, BillInput | CreditNoteInput], list[Outcome]]:
    """Inputs for the adjustment rows (by row id), and the outcomes of rows that cannot go yet."""
    bills = {
        sync.invoice_id: sync
        for sync in AccountingSync.objects.filter(
            invoice__in={row.invoice_id for row in rows}, kind=SyncKind.BILL, adjustment=None
        )
    }
    inputs, outcomes = {}, []
    for row in rows:
        built = adjustment_input(row, context, bills.get(row.invoice_id))
        if isinstance(built, Problem):
            row.lease_until = None
            if built.reason == Reason.WAITING_FOR_BILL:
                row.next_attempt_at = timezone.now() + WAIT_FOR_BILL
                outcomes.append(Outcome(row, SyncState.PENDING, built.reason, built.message))
            else:
                outcomes.append(Outcome(row, SyncState.NEEDS_ATTENTION, built.reason, built.message))
        else:
            inputs[row.id] = built
    return inputs, outcomes


def send(
    client: XeroClient, rows: list[AccountingSync], notes: dict[int, CreditNoteInput], report: DrainReport
) -> list[Outcome]:
    """Create the credit notes in one call, then allocate each to its bill when the bill can take it."""
    for row in rows:
        row.payload_fingerprint = credit_note_fingerprint(notes[row.id])
    key = batch_key("credits", rows, lambda row: row.payload_fingerprint)
    key_stamp(rows, key)
    try:
        results = xero_credit_notes.credit_notes_create(client, [notes[row.id] for row in rows], idempotency_key=key)
    except XeroError as error:
        return batch_failed(rows, error, report, nouns=CREDIT_NOTES, sent=True)
    outcomes = []
    for row, result in zip(rows, results):
        row.lease_until = None
        if not result.ok:
            outcomes.append(refused(row, CREDIT_NOTES, result.messages, report))
            continue
        outcomes.append(
            _adopted(client, row, result.xero_id, result.status, Reason.CREATED, "Credit note created in Xero.")
        )
        report.synced += 1
    return outcomes


def _adopted(
    client: XeroClient, row: AccountingSync, credit_note_id: str, status: str, reason: str, done: str
) -> Outcome:
    row.xero_id, row.xero_status, row.synced_at = credit_note_id, status, timezone.now()
    row.synced_fingerprint = row.payload_fingerprint
    row.xero_url = credit_note_link(short_code=client.xero_account.short_code, credit_note_id=credit_note_id)
    return Outcome(row, SyncState.SYNCED, reason, f"{done} {_allocate(client, row)}")


def _allocate(client: XeroClient, row: AccountingSync) -> str:
    """Allocate to the bill while it is authorised with that much outstanding; else say why not."""
    bill = AccountingSync.objects.filter(invoice_id=row.invoice_id, kind=SyncKind.BILL, adjustment=None).first()
    assert bill is not None, "a credit note is sent only once its invoice's bill is in Xero"
    adjustment = adjustment_of(row)
    amount = adjustment.amount
    try:
        balance = xero_credit_notes.bill_balance(client, bill.xero_id)
        if balance.status != "AUTHORISED" or row.xero_status != "AUTHORISED":
            return (
                f"Left unallocated: the bill is {balance.status.lower()} in Xero (the credit note "
                f"{row.xero_status.lower()}); allocate it there once both are approved."
            )
        if balance.amount_due < amount:
            return (
                f"Left unallocated: the bill has only {round_money(balance.amount_due)} outstanding, less than "
                f"this {amount} credit; allocate what fits in Xero."
            )
        refusal = xero_credit_notes.credit_note_allocate(
            client,
            credit_note_id=row.xero_id,
            bill_id=bill.xero_id,
            amount=amount,
            date=adjustment.created_at.date(),
            idempotency_key=f"onport-allocate-{row.id}",
        )
    except XeroUnavailable:
        return "Not allocated yet: Xero did not answer. Allocate it in Xero, or sync accounting again."
    except XeroError as error:
        return f"Left unallocated: {error.message}"
    return f"Left unallocated: {' '.join(refusal)}" if refusal else f"Allocated {amount} to the bill."


def resolve(client: XeroClient, rows: list[AccountingSync], report: DrainReport) -> list[Outcome]:
    """Unknown credit notes: adopt the one Xero has under our key (number or line text), else send again."""
    links = VendorXeroLink.objects.filter(
        xero_account=client.xero_account, vendor_id__in={row.invoice.vendor_id for row in rows}
    )
    found = (
        xero_credit_notes.credit_notes_find(
            client,
            contact_ids=[link.contact_id for link in links],
            keys=[adjustment_reference(adjustment_of(row)) for row in rows],
            since=min(adjustment_of(row).created_at.date() for row in rows) - datetime.timedelta(days=1),
        )
        if links
        else {}
    )
    outcomes = []
    for row in rows:
        match = found.get(adjustment_reference(adjustment_of(row)))
        if match:
            report.adopted += 1
            outcomes.append(
                _adopted(
                    client,
                    row,
                    match.xero_id,
                    match.status,
                    Reason.ADOPTED,
                    "Found the credit note Xero had created before its answer was lost; adopted it.",
                )
            )
        else:
            row.next_attempt_at = timezone.now()
            outcomes.append(
                Outcome(
                    row, SyncState.PENDING, Reason.NOT_IN_XERO, "The credit note is not in Xero; it will be sent again."
                )
            )
    return outcomes


def remove(client: XeroClient, rows: list[AccountingSync], report: DrainReport) -> list[Outcome]:
    """Credit notes of invoices voided in Onport: their allocations removed and the notes voided in Xero."""
    outcomes = []
    for row in rows:
        if row.xero_status in ("VOIDED", "DELETED"):
            outcomes.append(
                Outcome(row, SyncState.SYNCED, Reason.UP_TO_DATE, f"Already {row.xero_status.lower()} in Xero.")
            )
            continue
        try:
            removed = xero_credit_notes.credit_note_remove(
                client, row.xero_id, idempotency_key=f"onport-void-credit-{row.id}"
            )
        except XeroError as error:
            outcomes += batch_failed([row], error, report, nouns=CREDIT_NOTES, sent=False)
            continue
        if removed.ok:
            row.xero_status, row.synced_at = removed.status, timezone.now()
            report.synced += 1
            outcomes.append(
                Outcome(
                    row,
                    SyncState.SYNCED,
                    Reason.VOIDED,
                    f"Credit note {removed.status.lower()} in Xero (its allocation to the bill removed).",
                )
            )
        else:
            outcomes.append(refused(row, CREDIT_NOTES, removed.messages, report))
    return outcomes
