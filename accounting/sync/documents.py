"""The invoice's document on its bill in Xero: the outbox of `BillDocument` rows.

One call per file (Xero has no batch for attachments), behind every bill, payment and credit note of the
organisation (backfill priority, inside the day budget). Exactly once: one Idempotency-Key per attempt, the file
goes under the invoice's number (a file of the same name replaces the one there instead of adding a second),
and after a lost answer the bill's attachments are read before anything is sent again.
"""

import datetime
from functools import partial
from typing import ClassVar

from django.db import transaction
from django.utils import timezone

from accounting.outbox.engine import Outbox
from accounting.outbox.models import Priority, Reason
from accounting.outbox.queue import drain_queue_now
from accounting.outbox.results import (
    DrainReport,
    Hold,
    Nouns,
    Outcome,
    batch_failed,
    batch_key,
    key_stamp,
    lookup_failed,
)
from accounting.setup.models import AccountingSettings
from accounting.sync.models import AccountingSync, BillDocument, SyncKind, SyncState
from integrations.models import XeroAccount
from integrations.xero import attachments
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError
from invoicing.documents import invoice_document
from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.events import DocumentUploaded

DOCUMENTS_NOUNS = Nouns(document="invoice document on the bill", done="attached")
WAIT_FOR_BILL = datetime.timedelta(seconds=60)
SCOPE = "accounting.attachments"
SCOPE_MESSAGE = (
    "Onport's connection to Xero was allowed before it attached invoice documents: reconnect the Xero "
    "account (Integrations > Xero) and allow attachments; the documents then go by themselves."
)
ON_ITS_WAY = (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN)


class BillDocumentOutbox(Outbox):
    name = "bill-documents"
    model = BillDocument
    nouns = DOCUMENTS_NOUNS
    batch_size = 1  # one file per call
    record_fields: ClassVar[list[str]] = [
        "xero_id",
        "synced_at",
        "idempotency_key",
        "next_attempt_at",
        "lease_until",
        "bill_id",
        "file_name",
        "sha256",
        "attached",
    ]

    def hold(self, xero_account: XeroAccount) -> Hold | None:
        if xero_account.is_ready and SCOPE not in (xero_account.scopes or []):
            return Hold(Reason.SCOPE_MISSING, SCOPE_MESSAGE)
        return super().hold(xero_account)

    def load(self, ids: list[int]) -> list[BillDocument]:
        return list(
            BillDocument.objects.filter(id__in=ids)
            .select_related("invoice__vendor", "invoice__order")
            .order_by("priority", "id")
        )

    def send(self, client: XeroClient, rows: list[BillDocument], report: DrainReport) -> list[Outcome]:
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
            if bill is None or bill.state == SyncState.CANCELLED or row.invoice.status == InvoiceStatus.VOID:
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.CANCELLED,
                        Reason.VOIDED,
                        "The invoice was voided, so its document was not attached to the bill.",
                    )
                )
                continue
            if not bill.xero_id:
                row.next_attempt_at = timezone.now() + WAIT_FOR_BILL
                outcomes.append(
                    Outcome(
                        row, SyncState.PENDING, Reason.WAITING_FOR_BILL, "Waits for the invoice's bill to be in Xero."
                    )
                )
                continue
            document = invoice_document(row.invoice)
            if row.attached == document.sha256:
                outcomes.append(_attached(row, report, "The bill in Xero already has this document.", counted=False))
                continue
            replace = bool(row.attached) and row.file_name == document.file_name
            row.bill_id, row.file_name, row.sha256 = bill.xero_id, document.file_name, document.sha256
            key = batch_key("document", [row], lambda _: document.sha256[:16])
            key_stamp([row], key)
            BillDocument.objects.filter(pk=row.pk).update(
                bill_id=row.bill_id, file_name=row.file_name, sha256=row.sha256
            )  # what a lost answer is looked up by
            try:
                attachments.bill_attach(
                    client,
                    bill_id=row.bill_id,
                    file_name=document.file_name,
                    content=document.content,
                    replace=replace,
                    idempotency_key=key,
                )
            except XeroError as error:
                outcomes += batch_failed([row], error, report, nouns=DOCUMENTS_NOUNS, sent=True)
                continue
            outcomes.append(_attached(row, report, f"{document.file_name} attached to the bill in Xero."))
        return outcomes

    def resolve(self, client: XeroClient, rows: list[BillDocument], report: DrainReport) -> list[Outcome]:
        """A file whose answer was lost: adopt it if the bill has it, else send it again."""
        outcomes = []
        for row in rows:
            try:
                found = attachments.bill_attachments(client, bill_id=row.bill_id) if row.bill_id else []
            except XeroError as error:
                outcomes += lookup_failed([row], error, nouns=DOCUMENTS_NOUNS)
                continue
            if any(file.file_name == row.file_name for file in found):
                report.adopted += 1
                outcomes.append(
                    _attached(
                        row,
                        report,
                        "Found the document on the bill in Xero after its answer was lost; it was not attached twice.",
                        counted=False,
                        reason=Reason.ADOPTED,
                    )
                )
            else:
                row.next_attempt_at = timezone.now()
                outcomes.append(
                    Outcome(
                        row,
                        SyncState.PENDING,
                        Reason.NOT_IN_XERO,
                        "The document is not on the bill in Xero; it will be sent again.",
                    )
                )
        return outcomes


def _attached(
    row: BillDocument, report: DrainReport, message: str, *, counted: bool = True, reason: str = Reason.CREATED
) -> Outcome:
    row.attached, row.synced_at, row.lease_until = row.sha256, timezone.now(), None
    if counted:
        report.synced += 1
    return Outcome(row, SyncState.SYNCED, reason, message)


BILL_DOCUMENTS = BillDocumentOutbox()


def bill_documents_drain(*, xero_account_id: int, spawn=None, urgent_only: bool = False) -> DrainReport:
    return BILL_DOCUMENTS.drain(xero_account_id=xero_account_id, spawn=spawn, urgent_only=urgent_only)


def bill_documents_request(*, invoice_ids: list[int]) -> int:
    """A document for each of these invoices whose bill is (or is going) to Xero, when the account attaches
    documents and the bill does not have this one yet; returns how many are to send."""
    bills = AccountingSync.objects.filter(invoice_id__in=invoice_ids, kind=SyncKind.BILL, adjustment=None).exclude(
        state=SyncState.CANCELLED
    )
    attaching = AccountingSettings.objects.filter(attach_documents=True, account_id__in=bills.values("account_id"))
    xero_accounts = dict(
        bills.filter(account_id__in=attaching.values("account_id")).values_list("invoice_id", "xero_account_id")
    )
    invoices = PurchaseInvoice.objects.filter(pk__in=list(xero_accounts)).exclude(status=InvoiceStatus.VOID)
    now = timezone.now()
    with transaction.atomic():
        rows = {row.invoice_id: row for row in BillDocument.objects.select_for_update().filter(invoice__in=invoices)}
        # in flight: its lost answer is looked up by what it sent (the sweep sends a newer file after);
        # pending: the file is read when it is sent
        again = [row for row in rows.values() if row.state not in ON_ITS_WAY]
        BillDocument.objects.filter(pk__in=[row.pk for row in again]).update(
            state=SyncState.PENDING,
            reason=Reason.REQUESTED,
            last_error="",
            next_attempt_at=now,
            priority=Priority.BACKFILL,
            updated_at=now,
        )
        created = BillDocument.objects.bulk_create(
            BillDocument(
                account_id=invoice.account_id,
                xero_account_id=xero_accounts[invoice.pk],
                invoice=invoice,
                reason=Reason.REQUESTED,
                next_attempt_at=now,
                priority=Priority.BACKFILL,
            )
            for invoice in invoices
            if invoice.pk not in rows
        )
    requested = [*again, *created]
    for xero_account_id in {row.xero_account_id for row in requested}:
        transaction.on_commit(partial(_drain_later, xero_account_id))
    return len(requested)


def document_uploaded_attach(event: DocumentUploaded) -> None:
    """The vendor's file was uploaded: the bill gets it (if the bill is in Xero or on its way)."""
    bill_documents_request(invoice_ids=[event.invoice_id])


def _drain_later(xero_account_id: int) -> None:
    from accounting.sync.tasks import bill_documents_drain_task  # the on-commit enqueue: tasks import this module

    drain_queue_now(bill_documents_drain_task, xero_account_id, Priority.BACKFILL)
