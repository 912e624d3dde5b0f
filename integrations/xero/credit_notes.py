"""Supplier credit notes (ACCPAYCREDIT) in Xero: create in batches, allocate to a bill, find again."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from xero_python.accounting import Allocation, Allocations, CreditNote, CreditNotes, Invoice

from integrations.xero.bills import BillResult
from integrations.xero.client import XeroClient
from integrations.xero.mapping import CreditNoteInput, credit_note_model
from integrations.xero.sdk import request_timeout
from integrations.xero.url_budget import any_of, chunked, fits
from integrations.xero.values import text

PAGE_SIZE = 100
KEY_PATTERN = re.compile(r"(?<![\w-])ONPORT-ADJ-\d+(?![\w-])")


@dataclass(frozen=True)
class FoundCreditNote:
    xero_id: str
    status: str


@dataclass(frozen=True)
class BillBalance:
    status: str
    amount_due: Decimal


def credit_notes_create(client: XeroClient, notes: list[CreditNoteInput], *, idempotency_key: str) -> list[BillResult]:
    tenant = client.xero_account.tenant_id
    payload = CreditNotes(credit_notes=[credit_note_model(note) for note in notes])
    answer = client.call(
        lambda: client.accounting.create_credit_notes(
            tenant, payload, summarize_errors=False, idempotency_key=idempotency_key, _request_timeout=request_timeout()
        ),
        tenant_id=tenant,
    )
    results = []
    for element in answer.credit_notes:
        messages = tuple(text(error.message) for error in (element.validation_errors or []) if text(error.message))
        failed = bool(element.has_errors) or bool(messages)
        results.append(
            BillResult(
                xero_id="" if failed else text(element.credit_note_id),
                status=text(element.status),
                total=Decimal(str(element.total)) if element.total is not None else None,
                messages=messages or (("Xero refused this credit note without saying why.",) if failed else ()),
            )
        )
    return results


def credit_notes_find(
    client: XeroClient, *, contact_ids: list[str], keys: list[str], since: datetime.date
) -> dict[str, FoundCreditNote]:
    """Our live supplier credit notes by Onport's key, to adopt one whose answer was lost.

    Xero ignores Reference on ACCPAYCREDIT (the spec: "ACCRECCREDIT only"), so the notes are listed by
    contact, type and date, and our key is matched here: the CreditNoteNumber, or the key in a line's
    description (the number can be edited in Xero). Split to stay under Xero's URL length limit.
    """
    contacts = sorted(set(contact_ids))
    chunks = chunked(contacts, fit=lambda chunk: fits("/CreditNotes", {"where": _where(chunk, since), "page": "999"}))
    wanted = set(keys)
    found: dict[str, FoundCreditNote] = {}
    for chunk in chunks:
        for note in _list(client, _where(chunk, since)):
            status = text(note.status)
            if status in ("DELETED", "VOIDED"):
                continue
            for key in wanted & _keys_in(note):
                found.setdefault(key, FoundCreditNote(xero_id=text(note.credit_note_id), status=status))
    return found


def _where(contact_ids: list[str], since: datetime.date) -> str:
    contacts = any_of('Contact.ContactID==Guid("{}")', contact_ids)
    return f'Type=="ACCPAYCREDIT" AND Date>=DateTime({since.year},{since.month:02d},{since.day:02d}) AND ({contacts})'


def _list(client: XeroClient, where: str) -> list:
    """Every page (paged lists carry the line items)."""
    tenant = client.xero_account.tenant_id
    notes: list[CreditNote] = []
    page = 1
    while True:
        answer = client.lookup(
            lambda: client.accounting.get_credit_notes(
                tenant, where=where, page=page, page_size=PAGE_SIZE, _request_timeout=request_timeout()
            ),
            tenant_id=tenant,
        )
        batch = answer.credit_notes or []
        notes += batch
        if len(batch) < PAGE_SIZE:
            return notes
        page += 1


def _keys_in(note) -> set[str]:
    """The Onport keys a credit note carries: its number, and any "ONPORT-ADJ-<n>" in its lines."""
    texts = [text(note.credit_note_number), *(text(line.description) for line in (note.line_items or []))]
    return {match for value in texts for match in KEY_PATTERN.findall(value)}


def bill_balance(client: XeroClient, bill_id: str) -> BillBalance:
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.get_invoice(tenant, bill_id, _request_timeout=request_timeout()), tenant_id=tenant
    )
    bill = answer.invoices[0]
    return BillBalance(status=text(bill.status), amount_due=Decimal(str(bill.amount_due or 0)))


def credit_note_allocate(
    client: XeroClient, *, credit_note_id: str, bill_id: str, amount: Decimal, date: datetime.date, idempotency_key: str
) -> tuple[str, ...]:
    """Allocate the credit note to the bill; returns Xero's refusal messages (none when it worked)."""
    tenant = client.xero_account.tenant_id
    payload = Allocations(
        allocations=[Allocation(invoice=Invoice(invoice_id=bill_id), amount=float(amount), date=date)]
    )
    answer = client.call(
        lambda: client.accounting.create_credit_note_allocation(
            tenant,
            credit_note_id,
            payload,
            summarize_errors=False,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return tuple(
        error.message for element in answer.allocations for error in (element.validation_errors or []) if error.message
    )


@dataclass(frozen=True)
class CreditNoteRemoved:
    """What became of a supplier credit note taken off the books: its status now, or Xero's refusal."""

    status: str
    messages: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.messages


def credit_note_remove(client: XeroClient, credit_note_id: str, *, idempotency_key: str) -> CreditNoteRemoved:
    """Remove the note's allocations (the credit goes back to its bill), then void it; a draft is deleted."""
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.get_credit_note(tenant, credit_note_id, _request_timeout=request_timeout()),
        tenant_id=tenant,
    )
    note = answer.credit_notes[0]
    status = text(note.status)
    if status in ("VOIDED", "DELETED"):
        return CreditNoteRemoved(status=status, messages=())
    for allocation in note.allocations or []:
        if allocation.allocation_id and not allocation.is_deleted:
            client.call(
                lambda: client.accounting.delete_credit_note_allocations(  # run before the loop moves on
                    tenant,
                    credit_note_id,
                    str(allocation.allocation_id),
                    _request_timeout=request_timeout(),
                ),
                tenant_id=tenant,
            )
    target = "DELETED" if status in ("DRAFT", "SUBMITTED") else "VOIDED"
    payload = CreditNotes(credit_notes=[CreditNote(credit_note_id=credit_note_id, status=target)])
    answer = client.call(
        lambda: client.accounting.update_credit_note(
            tenant,
            credit_note_id,
            payload,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    element = answer.credit_notes[0]
    messages = tuple(text(error.message) for error in (element.validation_errors or []) if text(error.message))
    return CreditNoteRemoved(status=text(element.status) or target, messages=messages)
