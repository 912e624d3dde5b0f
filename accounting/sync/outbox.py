"""The outbox of an invoice's documents for Xero: bills, adjustment bills and credit notes (AccountingSync).

The engine (`accounting.outbox.engine`) leases the rows, runs one drain per Xero account and looks up
lost answers; this module says how the documents are built, sent and found again. A batch: the rows'
preflight (no HTTP), then one PUT for new bills, one POST for changed bills, one PUT for credit notes,
each with an Idempotency-Key and a result per document.
"""

from typing import ClassVar

from django.utils import timezone

from accounting.outbox.engine import Outbox
from accounting.outbox.models import Reason
from accounting.outbox.results import DrainReport, Nouns, Outcome, Problem, batch_failed, batch_key, key_stamp, refused
from accounting.sync import credit_notes
from accounting.sync.currencies import currencies_recheck
from accounting.sync.inputs import (
    CodingContext,
    adjustment_of,
    adjustment_url,
    bill_input,
    debit_bill_number,
    invoice_url,
)
from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.documents import bill_documents_request
from accounting.sync.notes import bill_notes_request
from accounting.sync.records import syncs_record
from accounting.sync.refusals import refusals_follow_up
from integrations.xero import bills as xero_bills
from integrations.xero.bill_status import bills_remove, removal_status
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError
from integrations.xero.mapping import BillInput, CreditNoteInput, deep_link, fingerprint
from invoicing.models import InvoiceStatus

BILLS = Nouns(document="bill", done="created")


class DocumentOutbox(Outbox):
    name = "bills"
    model = AccountingSync
    nouns = BILLS
    batch_size = xero_bills.BATCH_SIZE
    record_fields: ClassVar[list[str]] = [
        "xero_id",
        "xero_url",
        "xero_status",
        "payload_fingerprint",
        "synced_fingerprint",
        "synced_at",
        "idempotency_key",
        "next_attempt_at",
        "lease_until",
    ]

    def load(self, ids: list[int]) -> list[AccountingSync]:
        rows = AccountingSync.objects.filter(id__in=ids).select_related(
            "invoice__vendor", "invoice__order", "xero_account", "adjustment__invoice"
        )
        return list(rows.prefetch_related("invoice__lines").order_by("priority", "id"))

    def record(self, outcomes: list[Outcome]) -> None:
        syncs_record(outcomes, fields=self.record_fields)
        refusals_follow_up(outcomes)
        new_bills = [
            outcome.row.invoice
            for outcome in outcomes
            if outcome.state == SyncState.SYNCED
            and outcome.reason in (Reason.CREATED, Reason.ADOPTED)
            and outcome.row.kind == SyncKind.BILL
            and not outcome.row.adjustment_id
        ]
        numbered = [invoice.pk for invoice in new_bills if invoice.vendor_invoice_number]
        if numbered:  # the vendor's number goes onto the new bills' history, behind everything (no query without)
            bill_notes_request(invoice_ids=numbered)
        if new_bills:  # and the invoice's document onto the bill, behind everything too
            bill_documents_request(invoice_ids=[invoice.pk for invoice in new_bills])

    def send(self, client: XeroClient, rows: list[AccountingSync], report: DrainReport) -> list[Outcome]:
        voided = [row for row in rows if row.invoice.status == InvoiceStatus.VOID]
        outcomes = _remove(client, voided, report) if voided else []
        rows = [row for row in rows if row.invoice.status != InvoiceStatus.VOID]
        if not rows:
            return outcomes
        currencies_recheck(client, [row.invoice for row in rows])
        context = CodingContext.load(xero_account=client.xero_account, invoices=[row.invoice for row in rows])
        bills: dict[int, BillInput] = {}
        notes: dict[int, CreditNoteInput] = {}
        bill_rows = {row.id: row.invoice for row in rows if not row.adjustment_id}
        for row in rows:
            built = bill_input(row.invoice, context, posting_date=row.posting_date) if row.id in bill_rows else None
            if isinstance(built, Problem):
                outcomes.append(_problem(row, built, report))
            elif built is not None:
                bills[row.id] = built
        adjustments, waiting = credit_notes.adjustment_inputs([row for row in rows if row.adjustment_id], context)
        outcomes += waiting
        for row_id, document in adjustments.items():
            if isinstance(document, CreditNoteInput):
                notes[row_id] = document
            else:
                bills[row_id] = document  # debit bills are bills
        if notes:
            outcomes += credit_notes.send(client, [row for row in rows if row.id in notes], notes, report)
        outcomes += self._send_bills(client, [row for row in rows if row.id in bills], bills, report)
        return outcomes

    def _send_bills(self, client, rows: list[AccountingSync], bills: dict[int, BillInput], report) -> list[Outcome]:
        outcomes, to_create, to_update = [], [], []
        for row in rows:
            row.payload_fingerprint = fingerprint(bills[row.id])
            if not row.xero_id:
                to_create.append(row)
            elif row.synced_fingerprint == row.payload_fingerprint:
                row.lease_until, row.synced_at = None, timezone.now()  # confirmed: Xero has what Onport has
                outcomes.append(
                    Outcome(row, SyncState.SYNCED, Reason.UP_TO_DATE, "Already up to date in Xero; nothing was sent.")
                )
            else:
                to_update.append(row)
        if to_create:
            outcomes += _create(client, to_create, bills, report)
        if to_update:
            outcomes += _update(client, to_update, bills, report)
        return outcomes

    def resolve(self, client: XeroClient, rows: list[AccountingSync], report: DrainReport) -> list[Outcome]:
        """Adopt the document Xero created before its answer was lost, else send again."""
        notes = [row for row in rows if row.kind == SyncKind.CREDIT_NOTE]
        outcomes = credit_notes.resolve(client, notes, report) if notes else []
        rows = [row for row in rows if row.kind != SyncKind.CREDIT_NOTE]
        if not rows:
            return outcomes
        context = CodingContext.load(xero_account=client.xero_account, invoices=[row.invoice for row in rows])
        contact_ids = [
            context.links[row.invoice.vendor_id].contact_id for row in rows if row.invoice.vendor_id in context.links
        ]
        numbers = [debit_bill_number(adjustment_of(row)) if row.adjustment_id else row.invoice.number for row in rows]
        found = xero_bills.bills_find(client, contact_ids=contact_ids, numbers=numbers) if contact_ids else []
        ours = {bill.url: bill for bill in found}
        now = timezone.now()
        for row in rows:
            bill = ours.get(adjustment_url(adjustment_of(row)) if row.adjustment_id else invoice_url(row.invoice))
            if bill is None:
                row.next_attempt_at = now
                outcomes.append(
                    Outcome(
                        row, SyncState.PENDING, Reason.NOT_IN_XERO, "The bill is not in Xero; it will be sent again."
                    )
                )
                continue
            row.xero_id, row.xero_status, row.synced_at = bill.xero_id, bill.status, now
            row.xero_url = deep_link(short_code=client.xero_account.short_code, bill_id=bill.xero_id)
            row.synced_fingerprint = row.payload_fingerprint
            report.adopted += 1
            outcomes.append(
                Outcome(
                    row,
                    SyncState.SYNCED,
                    Reason.ADOPTED,
                    "Found the bill Xero had created before its answer was lost; adopted it.",
                )
            )
        return outcomes


DOCUMENTS = DocumentOutbox()


def drain(*, xero_account_id: int, spawn=None, urgent_only: bool = False) -> DrainReport:
    """Send what is due for this Xero account (a turn of it); up to five drains per Xero account at once."""
    return DOCUMENTS.drain(xero_account_id=xero_account_id, spawn=spawn, urgent_only=urgent_only)


def _remove(client: XeroClient, rows: list[AccountingSync], report: DrainReport) -> list[Outcome]:
    """Invoices voided in Onport: void their bills in Xero (delete them while draft); never create one."""
    statuses = {}
    notes = [row for row in rows if row.kind == SyncKind.CREDIT_NOTE and row.xero_id]
    outcomes = credit_notes.remove(client, notes, report)  # first: Xero voids a bill only once its credits are off
    held_by = {outcome.row.invoice_id: outcome for outcome in outcomes if outcome.state != SyncState.SYNCED}
    for row in rows:
        row.lease_until = None
        if row.kind == SyncKind.CREDIT_NOTE and row.xero_id:
            continue
        if row.xero_id and row.invoice_id in held_by:
            outcomes.append(_held_by_credit_note(row, held_by[row.invoice_id]))
        elif not row.xero_id:
            outcomes.append(
                Outcome(
                    row,
                    SyncState.CANCELLED,
                    Reason.VOID_REQUESTED,
                    "Voided in Onport before it reached Xero; nothing was sent.",
                )
            )
        elif row.xero_status in ("VOIDED", "DELETED"):
            outcomes.append(
                Outcome(
                    row, SyncState.SYNCED, Reason.UP_TO_DATE, f"The bill is already {row.xero_status.lower()} in Xero."
                )
            )
        else:
            statuses[row.id] = removal_status(row.xero_status)
    targets = [row for row in rows if row.id in statuses]
    if not targets:
        return outcomes
    key = batch_key("voids", targets, lambda row: statuses[row.id])
    try:
        results = bills_remove(client, {row.xero_id: statuses[row.id] for row in targets}, idempotency_key=key)
    except XeroError as error:
        return outcomes + batch_failed(targets, error, report, nouns=BILLS, sent=False)
    now = timezone.now()
    for row in targets:
        result = results[row.xero_id]
        if result.ok:
            row.xero_status, row.synced_at = result.status or statuses[row.id], now
            report.synced += 1
            done = "deleted (it was a draft)" if statuses[row.id] == "DELETED" else "voided"
            outcomes.append(Outcome(row, SyncState.SYNCED, Reason.VOIDED, f"Bill {done} in Xero."))
        elif result.has_allocations:
            report.attention += 1
            outcomes.append(
                Outcome(
                    row,
                    SyncState.NEEDS_ATTENTION,
                    Reason.HAS_PAYMENTS,
                    (
                        "Xero will not void this bill: it has payments or credit notes allocated. Remove the payment (or "
                        "the allocation) in Xero first, then retry it from the Sync log."
                    ),
                )
            )
        else:
            outcomes.append(refused(row, BILLS, result.messages, report))
    return outcomes


def _held_by_credit_note(row: AccountingSync, note: Outcome) -> Outcome:
    """The bill waits for its credit note: Xero voids a bill only once no credit is allocated to it."""
    if note.state in (SyncState.PENDING, SyncState.UNKNOWN):
        row.next_attempt_at = note.row.next_attempt_at
        return Outcome(row, SyncState.PENDING, Reason.VOID_REQUESTED, "Waits for its credit note to be voided in Xero.")
    return Outcome(
        row,
        SyncState.NEEDS_ATTENTION,
        Reason.HAS_PAYMENTS,
        (
            f"Xero will not void this bill while its credit note is allocated to it, and Xero refused to void the credit "
            f"note: {note.message} Fix that in Xero, then retry it from the Sync log."
        ),
    )


def _problem(row: AccountingSync, problem: Problem, report: DrainReport) -> Outcome:
    row.lease_until = None
    report.attention += 1
    return Outcome(row, SyncState.NEEDS_ATTENTION, problem.reason, problem.message)


def _key(rows: list[AccountingSync]) -> str:
    return batch_key("bills", rows, lambda row: row.payload_fingerprint)


def _create(client: XeroClient, rows: list[AccountingSync], bills: dict[int, BillInput], report) -> list[Outcome]:
    key = _key(rows)
    key_stamp(rows, key)
    try:
        results = xero_bills.bills_create(client, [bills[row.id] for row in rows], idempotency_key=key)
    except XeroError as error:
        return batch_failed(rows, error, report, nouns=BILLS, sent=True)
    return [_outcome(client, row, result, report) for row, result in zip(rows, results)]


def _update(client: XeroClient, rows: list[AccountingSync], bills: dict[int, BillInput], report) -> list[Outcome]:
    try:
        results = xero_bills.bills_update(
            client, {row.xero_id: bills[row.id] for row in rows}, idempotency_key=_key(rows)
        )
    except XeroError as error:
        return batch_failed(rows, error, report, nouns=BILLS, sent=False)
    outcomes = []
    for row in rows:
        result = results[row.xero_id]
        if result.not_modifiable:
            row.lease_until = None
            report.attention += 1
            outcomes.append(
                Outcome(
                    row,
                    SyncState.NEEDS_ATTENTION,
                    Reason.NOT_MODIFIABLE,
                    (
                        "The bill in Xero is paid (in part or in full) or voided, so Onport did not change it and did not "
                        "create a second one. Correct it in Xero (or with a credit note)."
                    ),
                )
            )
        else:
            outcomes.append(_outcome(client, row, result, report, updated=True))
    return outcomes


def _outcome(client: XeroClient, row: AccountingSync, result, report: DrainReport, updated: bool = False) -> Outcome:
    row.lease_until = None
    if not result.ok:
        return refused(row, BILLS, result.messages, report)
    row.xero_id, row.xero_status = result.xero_id, result.status
    row.xero_url = deep_link(short_code=client.xero_account.short_code, bill_id=result.xero_id)
    row.synced_fingerprint, row.synced_at = row.payload_fingerprint, timezone.now()
    report.synced += 1
    message = "Bill updated in Xero." if updated else "Bill created in Xero."
    expected = adjustment_of(row).amount if row.adjustment_id else row.invoice.total
    if result.total is not None and result.total != expected:
        message += f" Note: Xero's total is {result.total}, Onport's is {expected}."
    return Outcome(row, SyncState.SYNCED, Reason.UPDATED if updated else Reason.CREATED, message)
