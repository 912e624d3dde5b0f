"""Credit notes (ACCPAYCREDIT for bills): create, update, list, get, and allocation to a bill."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from werkzeug.wrappers import Response

from .accounting import (
    ApiContext,
    ElementInvalid,
    envelope,
    not_found,
    paginate,
    query_documents,
    run_batch,
)
from .documents import (
    PURCHASE_TYPES,
    build_document,
    check_lock_dates,
    commit_contact,
    contact_summary,
)
from .formats import parse_date, parse_decimal, round_money, to_wire
from .history import add_history
from .payments import settle_invoice
from .runtime import json_response

CREATE_STATUSES = {"DRAFT", "SUBMITTED", "AUTHORISED"}
MATCHING_INVOICE_TYPE = {"ACCPAYCREDIT": "ACCPAY", "ACCRECCREDIT": "ACCREC"}
NOT_MODIFIABLE = "Credit note not of valid status for modification"
INVOICE_ONLY_AMOUNTS = ("AmountDue", "AmountPaid", "AmountCredited")


def render_credit_note(ctx: ApiContext, credit_note: dict[str, Any]) -> dict[str, Any]:
    rendered = {key: value for key, value in credit_note.items() if key not in INVOICE_ONLY_AMOUNTS}
    rendered["Contact"] = contact_summary(ctx, credit_note["Contact"]["ContactID"])
    rendered["DateString"] = f"{credit_note['Date'].isoformat()}T00:00:00"
    return rendered


def get_credit_notes(ctx: ApiContext) -> Response:
    notes = [render_credit_note(ctx, note) for note in ctx.org["credit_notes"].values()]
    notes = query_documents(ctx, notes, default_order=None)
    page, pagination, _ = paginate(ctx, notes)
    return envelope(ctx, "CreditNotes", page, pagination=pagination)


def get_credit_note(ctx: ApiContext, credit_note_id: str) -> Response:
    note = ctx.org["credit_notes"].get(credit_note_id.lower())
    if note is None:
        raise not_found()
    return envelope(ctx, "CreditNotes", [render_credit_note(ctx, note)])


def _credit_notes_batch(ctx: ApiContext, apply: Any) -> Response:
    return run_batch(ctx, "CreditNotes", ctx.elements("CreditNotes"), apply, id_key="CreditNoteID")


def put_credit_notes(ctx: ApiContext) -> Response:
    return _credit_notes_batch(ctx, lambda e: save_credit_note(ctx, e, create_only=True))


def post_credit_notes(ctx: ApiContext) -> Response:
    return _credit_notes_batch(ctx, lambda e: save_credit_note(ctx, e, create_only=False))


def post_credit_note(ctx: ApiContext, credit_note_id: str) -> Response:
    if credit_note_id.lower() not in ctx.org["credit_notes"]:
        raise not_found()
    def apply(element: dict[str, Any]) -> dict[str, Any]:
        return save_credit_note(ctx, {**element, "CreditNoteID": credit_note_id}, create_only=False)

    return _credit_notes_batch(ctx, apply)


def save_credit_note(ctx: ApiContext, element: dict[str, Any], *, create_only: bool) -> dict[str, Any]:
    notes = ctx.org["credit_notes"]
    note_id = str(element.get("CreditNoteID") or "").lower()
    if note_id and create_only:
        raise ElementInvalid([f"PUT only creates credit notes; use POST to update {element['CreditNoteID']}."])
    existing = notes.get(note_id) if note_id else None
    if note_id and existing is None:
        raise ElementInvalid([f"Credit note with CreditNoteID '{element['CreditNoteID']}' could not be found."])
    current = existing["Status"] if existing else None
    target = (element.get("Status") or current or "DRAFT").upper()
    if existing is None and target not in CREATE_STATUSES:
        raise ElementInvalid([f"A credit note can only be created as DRAFT, SUBMITTED or AUTHORISED, not {target}."])
    if existing is not None:
        if current in {"PAID", "VOIDED", "DELETED"} or (current == "AUTHORISED" and existing["Allocations"]):
            raise ElementInvalid([NOT_MODIFIABLE])
        if target in {"VOIDED", "DELETED"}:
            allowed = {"VOIDED": {"AUTHORISED"}, "DELETED": {"DRAFT", "SUBMITTED"}}[target]
            if current not in allowed:
                raise ElementInvalid([f"A {current} credit note cannot be {target.lower()}."])
            existing.update(Status=target, UpdatedDateUTC=ctx.now, RemainingCredit=Decimal("0.00"))
            ctx.changed()
            return render_credit_note(ctx, existing)
        if current == "AUTHORISED" and target != "AUTHORISED":
            raise ElementInvalid([f"An AUTHORISED credit note cannot be returned to {target}."])
    document, contact = build_document(ctx, {**element, "Status": target}, existing,
                                       allowed_types=("ACCPAYCREDIT", "ACCRECCREDIT"), noun="credit note")
    contact = commit_contact(ctx, contact, document["Type"] in PURCHASE_TYPES)
    document.update(Contact={"ContactID": contact["ContactID"]}, Status=target, UpdatedDateUTC=ctx.now,
                    RemainingCredit=document["Total"])
    for key in ("AmountDue", "AmountPaid", "AmountCredited"):
        document.pop(key, None)
    if existing is None:
        document.update(CreditNoteID=str(uuid.uuid4()), Allocations=[], Payments=[], HasAttachments=False,
                        SentToContact=False, AppliedAmount=Decimal("0.00"), _created_by=ctx.client.client_id)
        if document["Type"] == "ACCRECCREDIT" and not document.get("CreditNoteNumber"):
            document["CreditNoteNumber"] = f"CN-{sum(n['Type'] == 'ACCRECCREDIT' for n in notes.values()) + 1:04d}"
    notes[document["CreditNoteID"]] = document
    ctx.changed()
    return render_credit_note(ctx, document)


def put_allocations(ctx: ApiContext, credit_note_id: str) -> Response:
    note = ctx.org["credit_notes"].get(credit_note_id.lower())
    if note is None:
        raise not_found()
    return run_batch(ctx, "Allocations", ctx.elements("Allocations"), lambda e: allocate(ctx, note, e))


def allocate(ctx: ApiContext, note: dict[str, Any], element: dict[str, Any]) -> dict[str, Any]:
    messages: list[str] = []
    invoice_id = str((element.get("Invoice") or {}).get("InvoiceID") or "").lower()
    invoice = ctx.org["invoices"].get(invoice_id)
    try:
        amount = round_money(parse_decimal(element.get("Amount")))
    except ValueError:
        amount = None
        messages.append("The allocation Amount must be specified as a number.")
    try:
        allocation_date = parse_date(element["Date"]) if element.get("Date") else ctx.now.date()
    except (TypeError, ValueError):
        allocation_date = None
        messages.append(f"The Date '{element.get('Date')}' is not a valid date.")
    if note["Status"] != "AUTHORISED":
        messages.append("Only AUTHORISED credit notes can be allocated.")
    if invoice is None:
        messages.append("Invoice must be valid: the invoice for this allocation could not be found.")
    else:
        matching_type = MATCHING_INVOICE_TYPE[note["Type"]]
        if invoice["Type"] != matching_type:
            messages.append(f"A {note['Type']} credit note can only be allocated to {matching_type} invoices.")
        if invoice["Status"] != "AUTHORISED":
            messages.append("Credit notes can only be allocated to Authorised documents")
        if invoice["Contact"]["ContactID"] != note["Contact"]["ContactID"]:
            messages.append("The credit note and the invoice must be for the same contact.")
        if invoice["CurrencyCode"] != note["CurrencyCode"]:
            messages.append("The credit note and the invoice must be in the same currency.")
        if amount is not None and amount > invoice["AmountDue"]:
            messages.append("The amount allocated exceeds the amount due on the invoice.")
    if amount is not None and amount <= 0:
        messages.append("The allocation amount must be greater than zero.")
    elif amount is not None and amount > note["RemainingCredit"]:
        messages.append("The amount allocated exceeds the remaining credit on this credit note.")
    check_lock_dates(ctx, allocation_date, messages, noun="allocation")
    if messages:
        raise ElementInvalid(list(dict.fromkeys(messages)))
    invoice_reference = {key: invoice[key] for key in ("InvoiceID", "InvoiceNumber") if invoice.get(key)}
    allocation = {"AllocationID": str(uuid.uuid4()), "Amount": amount, "Date": allocation_date, "IsDeleted": False,
                  "Invoice": invoice_reference}
    note["Allocations"].append(allocation)
    note["RemainingCredit"] = note["RemainingCredit"] - amount
    note["AppliedAmount"] = note.get("AppliedAmount", Decimal("0.00")) + amount
    note["UpdatedDateUTC"] = ctx.now
    if note["RemainingCredit"] == 0:
        note["Status"], note["FullyPaidOnDate"] = "PAID", allocation_date
    invoice["AmountCredited"] = invoice["AmountCredited"] + amount
    invoice["CreditNotes"].append({
        "CreditNoteID": note["CreditNoteID"], "Total": note["Total"], "AppliedAmount": amount, "Date": allocation_date,
        "HasErrors": False, **({"CreditNoteNumber": note["CreditNoteNumber"]} if note.get("CreditNoteNumber") else {}),
    })
    settle_invoice(ctx, invoice, allocation_date)
    add_history(ctx, invoice["InvoiceID"], "Credit Applied", f"Credit note of {amount} allocated by {ctx.client.name}")
    ctx.changed()
    return {**allocation, "CreditNote": {"CreditNoteID": note["CreditNoteID"]}}


def delete_allocation(ctx: ApiContext, credit_note_id: str, allocation_id: str) -> Response:
    """Undo an allocation, as Xero does: the credit returns to the note and the amount to the invoice."""
    note = ctx.org["credit_notes"].get(credit_note_id.lower())
    allocation = next((a for a in (note or {}).get("Allocations", [])
                       if a["AllocationID"].lower() == allocation_id.lower() and not a.get("IsDeleted")), None)
    if allocation is None:
        raise not_found()
    messages: list[str] = []
    check_lock_dates(ctx, allocation["Date"], messages, noun="allocation")
    if messages:
        raise ElementInvalid(messages)
    amount = allocation["Amount"]
    note["Allocations"].remove(allocation)
    note["RemainingCredit"] += amount
    note["AppliedAmount"] = note.get("AppliedAmount", Decimal("0.00")) - amount
    if note["Status"] == "PAID":
        note["Status"], note["FullyPaidOnDate"] = "AUTHORISED", None
    note["UpdatedDateUTC"] = ctx.now
    invoice = ctx.org["invoices"][allocation["Invoice"]["InvoiceID"].lower()]
    invoice["AmountCredited"] -= amount
    credits = invoice["CreditNotes"]
    gone = next(c for c in credits if c["CreditNoteID"] == note["CreditNoteID"] and c["AppliedAmount"] == amount)
    credits.remove(gone)
    settle_invoice(ctx, invoice, None)
    if invoice["Status"] == "PAID" and invoice["AmountDue"] > 0:
        invoice["Status"], invoice["FullyPaidOnDate"] = "AUTHORISED", None
    add_history(ctx, invoice["InvoiceID"], "Credit Removed", f"Allocation of {amount} removed by {ctx.client.name}")
    ctx.changed()
    # Xero answers the Allocation itself here, not an envelope (OpenAPI: deleteCreditNoteAllocations → Allocation)
    return json_response(to_wire({**allocation, "IsDeleted": True, "CreditNote": {"CreditNoteID": note["CreditNoteID"]}}), 200)
