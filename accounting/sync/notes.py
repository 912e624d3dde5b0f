"""Notes on bills' History in Xero: the vendor's own invoice number, the purchase order and the customer's sales
order, which a bill has no field for (Onport's number stays the bill's number). The outbox of `BillNote` rows.

Only invoices with a vendor's invoice number get a note: Xero writes history one bill per call (no batch), so a
note for every bill would cost as many calls as bills. Notes go behind every bill, payment and credit note of the
organisation (backfill priority, inside the day budget), exactly once: one Idempotency-Key per attempt, and after
a lost answer the bill's history is read before anything is written again.
"""

import datetime
import hashlib
from functools import partial
from typing import ClassVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounting.outbox.engine import Outbox
from accounting.outbox.models import Priority, Reason
from accounting.outbox.queue import drain_queue_now
from accounting.outbox.results import DrainReport, Nouns, Outcome, batch_failed, batch_key, key_stamp, lookup_failed
from accounting.sync.models import AccountingSync, BillNote, SyncKind, SyncState
from integrations.xero import bill_history
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError
from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.events import VendorNumberSet

NOTES = Nouns(document="note on the bill's history", done="written")
WAIT_FOR_BILL = datetime.timedelta(seconds=60)


def bill_note_text(invoice: PurchaseInvoice) -> str:
    """What the note says; a number removed after its note is said so too (the old note stays in Xero's history)."""
    number = (
        f"Vendor's invoice number {invoice.vendor_invoice_number}"
        if invoice.vendor_invoice_number
        else "Vendor's invoice number removed"
    )
    parts = [number, f"purchase order {invoice.order.number}"]
    if invoice.order.sales_order_reference:
        parts.append(f"sales order {invoice.order.sales_order_reference}")
    return "Onport: " + ", ".join(parts) + "."


class BillNoteOutbox(Outbox):
    name = "bill-notes"
    model = BillNote
    nouns = NOTES
    batch_size = 1  # one bill's history per call
    record_fields: ClassVar[list[str]] = [
        "xero_id",
        "synced_at",
        "idempotency_key",
        "next_attempt_at",
        "lease_until",
        "bill_id",
        "written",
    ]

    def load(self, ids: list[int]) -> list[BillNote]:
        return list(BillNote.objects.filter(id__in=ids).order_by("priority", "id"))

    def send(self, client: XeroClient, rows: list[BillNote], report: DrainReport) -> list[Outcome]:
        bills = {
            sync.invoice_id: sync
            for sync in AccountingSync.objects.filter(
                invoice__in=[row.invoice_id for row in rows], kind=SyncKind.BILL, adjustment=None
            )
        }
        outcomes = []
        for row in rows:
            bill = bills.get(row.invoice_id)
            row.lease_until = None
            if bill is None or bill.state == SyncState.CANCELLED:
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.CANCELLED,
                        Reason.VOIDED,
                        "The invoice's bill was voided or removed, so no note was written on it.",
                    )
                )
                continue
            if not bill.xero_id:  # a bill in Xero takes notes whatever Onport's row says (changed, refused update)
                row.next_attempt_at = timezone.now() + WAIT_FOR_BILL
                outcomes.append(
                    Outcome(
                        row, SyncState.PENDING, Reason.WAITING_FOR_BILL, "Waits for the invoice's bill to be in Xero."
                    )
                )
                continue
            row.bill_id = bill.xero_id
            key = batch_key("note", [row], lambda note: hashlib.sha256(note.details.encode()).hexdigest()[:16])
            key_stamp([row], key)
            BillNote.objects.filter(pk=row.pk).update(bill_id=row.bill_id)  # what a lost answer is looked up by
            try:
                bill_history.bill_note_add(client, bill_id=row.bill_id, details=row.details, idempotency_key=key)
            except XeroError as error:
                outcomes += batch_failed([row], error, report, nouns=NOTES, sent=True)
                continue
            outcomes.append(_written(row, report, "Note added to the bill's history in Xero."))
        return outcomes

    def resolve(self, client: XeroClient, rows: list[BillNote], report: DrainReport) -> list[Outcome]:
        """A note whose answer was lost: adopt it if the bill's history has it, else write it again."""
        outcomes = []
        for row in rows:
            try:
                notes = bill_history.bill_notes(client, bill_id=row.bill_id) if row.bill_id else []
            except XeroError as error:
                outcomes += lookup_failed([row], error, nouns=NOTES)
                continue
            if row.details in notes:
                report.adopted += 1
                outcomes.append(
                    _written(
                        row,
                        report,
                        "Found the note on the bill's history in Xero after its "
                        "answer was lost; it was not written twice.",
                        adopted=True,
                    )
                )
            else:
                row.next_attempt_at = timezone.now()
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.PENDING,
                        Reason.NOT_IN_XERO,
                        "The note is not on the bill's history in Xero; it will be written again.",
                    )
                )
        return outcomes


def _written(row: BillNote, report: DrainReport, message: str, *, adopted: bool = False) -> Outcome:
    row.written, row.synced_at, row.lease_until = row.details, timezone.now(), None
    if not adopted:
        report.synced += 1
    return Outcome(row, SyncState.SYNCED, Reason.ADOPTED if adopted else Reason.CREATED, message)


BILL_NOTES = BillNoteOutbox()


def bill_notes_drain(*, xero_account_id: int, spawn=None, urgent_only: bool = False) -> DrainReport:
    return BILL_NOTES.drain(xero_account_id=xero_account_id, spawn=spawn, urgent_only=urgent_only)


ON_ITS_WAY = (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN)


def bill_notes_request(*, invoice_ids: list[int]) -> int:
    """A note for each of these invoices whose bill is (or is going) to Xero, when the invoice's vendor's number
    (or its removal) is not what the bill's history shows yet; returns how many notes are to write."""
    bills = AccountingSync.objects.filter(invoice_id__in=invoice_ids, kind=SyncKind.BILL, adjustment=None).exclude(
        state=SyncState.CANCELLED
    )
    xero_accounts = dict(bills.values_list("invoice_id", "xero_account_id"))
    invoices = (
        PurchaseInvoice.objects.filter(pk__in=list(xero_accounts))
        .filter(Q(vendor_invoice_number__gt="") | Q(bill_note__isnull=False))  # a removed number: say so
        .exclude(status=InvoiceStatus.VOID)
        .select_related("order")
    )
    now, requested = timezone.now(), []
    with transaction.atomic():
        notes = {note.invoice_id: note for note in BillNote.objects.select_for_update().filter(invoice__in=invoices)}
        for invoice in invoices:
            details = bill_note_text(invoice)
            note = notes.get(invoice.pk) or BillNote(
                account_id=invoice.account_id, xero_account_id=xero_accounts[invoice.pk], invoice=invoice
            )
            if not invoice.vendor_invoice_number and not note.written:  # removed before any note reached Xero
                if note.state == SyncState.PENDING:
                    note.state, note.reason = SyncState.CANCELLED, Reason.UP_TO_DATE
                    note.save(update_fields=["state", "reason", "updated_at"])
                continue
            if note.written == details and note.state == SyncState.PENDING:  # changed back before it was sent
                note.details, note.state, note.reason = details, SyncState.SYNCED, Reason.UP_TO_DATE
                note.save(update_fields=["details", "state", "reason", "updated_at"])
            if note.written == details or (note.details == details and note.state in ON_ITS_WAY):
                continue  # Xero has it, or it is on its way
            if note.state in (SyncState.SENDING, SyncState.UNKNOWN):
                continue  # a note in flight keeps its text (a lost answer is looked up by it)
            note.details, note.state, note.reason, note.last_error = details, SyncState.PENDING, Reason.REQUESTED, ""
            note.next_attempt_at, note.priority = now, Priority.BACKFILL
            note.save()
            requested.append(note)
    for xero_account_id in {note.xero_account_id for note in requested}:
        transaction.on_commit(partial(_drain_later, xero_account_id))
    return len(requested)


def vendor_number_set_note(event: VendorNumberSet) -> None:
    """The vendor's number was set or corrected: the bill's history in Xero gets it (if the bill is there or going)."""
    bill_notes_request(invoice_ids=[event.invoice_id])


def _drain_later(xero_account_id: int) -> None:
    from accounting.sync.tasks import bill_notes_drain_task  # the on-commit enqueue: tasks import this module

    drain_queue_now(bill_notes_drain_task, xero_account_id, Priority.BACKFILL)
