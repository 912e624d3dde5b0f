"""Supplier credit notes (ACCPAYCREDIT) in Xero: create in batches, allocate to a bill, find again."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from xero_python.accounting import Allocation, Allocations, CreditNotes, Invoice

from integrations.xero.bills import BillResult, enum_value
from integrations.xero.client import XeroClient
from integrations.xero.mapping import CreditNoteInput, credit_note_model
from integrations.xero.sdk import request_timeout


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
        messages = tuple(error.message for error in (element.validation_errors or []) if error.message)
        failed = bool(element.has_errors) or bool(messages)
        results.append(BillResult(
            xero_id="" if failed else str(element.credit_note_id or ""), status=enum_value(element.status),
            total=Decimal(str(element.total)) if element.total is not None else None,
            messages=messages or (("Xero refused this credit note without saying why.",) if failed else ()),
        ))
    return results


def credit_notes_find(client: XeroClient, *, references: list[str]) -> dict[str, tuple[str, str]]:
    """Our credit notes by Reference → (CreditNoteID, status), to adopt one whose answer was lost."""
    tenant = client.xero_account.tenant_id
    where = " OR ".join(f'Reference=="{reference}"' for reference in references)
    answer = client.call(
        lambda: client.accounting.get_credit_notes(tenant, where=where, _request_timeout=request_timeout()), tenant_id=tenant
    )
    return {
        note.reference: (str(note.credit_note_id), enum_value(note.status))
        for note in (answer.credit_notes or []) if note.reference and enum_value(note.status) not in ("DELETED", "VOIDED")
    }


def bill_balance(client: XeroClient, bill_id: str) -> BillBalance:
    tenant = client.xero_account.tenant_id
    answer = client.call(lambda: client.accounting.get_invoice(tenant, bill_id, _request_timeout=request_timeout()), tenant_id=tenant)
    bill = answer.invoices[0]
    return BillBalance(status=enum_value(bill.status), amount_due=Decimal(str(bill.amount_due or 0)))


def credit_note_allocate(
    client: XeroClient, *, credit_note_id: str, bill_id: str, amount: Decimal, date: datetime.date, idempotency_key: str
) -> tuple[str, ...]:
    """Allocate the credit note to the bill; returns Xero's refusal messages (none when it worked)."""
    tenant = client.xero_account.tenant_id
    payload = Allocations(allocations=[Allocation(invoice=Invoice(invoice_id=bill_id), amount=float(amount), date=date)])
    answer = client.call(
        lambda: client.accounting.create_credit_note_allocation(
            tenant, credit_note_id, payload, summarize_errors=False, idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return tuple(error.message for element in answer.allocations for error in (element.validation_errors or []) if error.message)
