"""Invoices (bills): create, create-or-update, update one, list, get — with Xero's status rules."""

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
from .documents import PURCHASE_TYPES, build_document, commit_contact, contact_summary
from .history import add_history

CREATE_STATUSES = {"DRAFT", "SUBMITTED", "AUTHORISED"}
FINAL_STATUSES = {"PAID", "VOIDED", "DELETED"}
NOT_MODIFIABLE = "Invoice not of valid status for modification"
SUMMARY_DROPPED = ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments")


def render_invoice(ctx: ApiContext, invoice: dict[str, Any], *, with_lines: bool = True) -> dict[str, Any]:
    rendered = dict(invoice)
    rendered["Contact"] = contact_summary(ctx, invoice["Contact"]["ContactID"])
    rendered["DateString"] = f"{invoice['Date'].isoformat()}T00:00:00"
    if invoice.get("DueDate"):
        rendered["DueDateString"] = f"{invoice['DueDate'].isoformat()}T00:00:00"
    rendered["HasAttachments"] = bool(ctx.org["attachments"].get(invoice["InvoiceID"]))
    if not with_lines:
        rendered.pop("LineItems", None)
    return rendered


def get_invoices(ctx: ApiContext) -> Response:
    invoices = list(ctx.org["invoices"].values())
    filters = {
        "InvoiceID": {value.lower() for value in ctx.id_list("IDs")},
        "InvoiceNumber": set(ctx.id_list("InvoiceNumbers")),
        "Status": {value.upper() for value in ctx.id_list("Statuses")},
    }
    for key, wanted in filters.items():
        if wanted:
            invoices = [invoice for invoice in invoices if invoice.get(key) in wanted]
    contact_ids = {value.lower() for value in ctx.id_list("ContactIDs")}
    if contact_ids:
        invoices = [invoice for invoice in invoices if invoice["Contact"]["ContactID"] in contact_ids]
    if ctx.flag("createdByMyApp"):
        invoices = [invoice for invoice in invoices if invoice.get("_created_by") == ctx.client.client_id]
    term = (ctx.arg("searchTerm") or "").strip().casefold()
    if term:
        invoices = [i for i in invoices
                    if any(term in (i.get(key) or "").casefold() for key in ("InvoiceNumber", "Reference"))]
    rendered = [render_invoice(ctx, invoice) for invoice in invoices]
    rendered = query_documents(ctx, rendered, default_order=None)
    page, pagination, paged = paginate(ctx, rendered)
    with_lines = paged or bool(filters["InvoiceID"])
    if ctx.flag("summaryOnly"):
        page = [{k: v for k, v in invoice.items() if k not in SUMMARY_DROPPED} for invoice in page]
    elif not with_lines:
        page = [{k: v for k, v in invoice.items() if k != "LineItems"} for invoice in page]
    return envelope(ctx, "Invoices", page, pagination=pagination)


def find_invoice(ctx: ApiContext, invoice_id_or_number: str) -> dict[str, Any] | None:
    invoice = ctx.org["invoices"].get(invoice_id_or_number.lower())
    if invoice is None:
        invoice = next((i for i in ctx.org["invoices"].values()
                        if i.get("InvoiceNumber") == invoice_id_or_number), None)
    return invoice


def get_invoice(ctx: ApiContext, invoice_id: str) -> Response:
    invoice = find_invoice(ctx, invoice_id)
    if invoice is None:
        raise not_found()
    return envelope(ctx, "Invoices", [render_invoice(ctx, invoice)])


def _invoices_batch(ctx: ApiContext, apply: Any) -> Response:
    return run_batch(ctx, "Invoices", ctx.elements("Invoices"), apply, id_key="InvoiceID")


def put_invoices(ctx: ApiContext) -> Response:
    return _invoices_batch(ctx, lambda e: save_invoice(ctx, e, create_only=True))


def post_invoices(ctx: ApiContext) -> Response:
    return _invoices_batch(ctx, lambda e: save_invoice(ctx, e, create_only=False))


def post_invoice(ctx: ApiContext, invoice_id: str) -> Response:
    invoice = find_invoice(ctx, invoice_id)
    if invoice is None:
        raise not_found()
    real_id = invoice["InvoiceID"]
    return _invoices_batch(ctx, lambda e: save_invoice(ctx, {**e, "InvoiceID": real_id}, create_only=False))


def save_invoice(ctx: ApiContext, element: dict[str, Any], *, create_only: bool) -> dict[str, Any]:
    existing = _existing_invoice(ctx, element, create_only)
    current = existing["Status"] if existing else None
    target = (element.get("Status") or current or "DRAFT").upper()
    if existing is None and target not in CREATE_STATUSES:
        raise ElementInvalid([f"An invoice can only be created as DRAFT, SUBMITTED or AUTHORISED, not {target}."])
    if existing is not None:
        if current in FINAL_STATUSES:
            raise ElementInvalid([NOT_MODIFIABLE])
        if target in {"VOIDED", "DELETED"}:
            return _remove(ctx, existing, target)
        if target == "PAID":
            raise ElementInvalid(["An invoice becomes PAID when payments cover its total; it cannot be set to PAID."])
        if current == "AUTHORISED" and target != "AUTHORISED":
            raise ElementInvalid([f"An AUTHORISED invoice cannot be returned to {target}."])
    document, contact = build_document(ctx, {**element, "Status": target}, existing,
                                       allowed_types=("ACCPAY", "ACCREC"), noun="invoice")
    if existing is not None and (existing["AmountPaid"] or existing["AmountCredited"]):
        if _signature(document) != _signature(existing):
            raise ElementInvalid([NOT_MODIFIABLE])
    return _commit(ctx, document, contact, existing, target)


def _existing_invoice(ctx: ApiContext, element: dict[str, Any], create_only: bool) -> dict[str, Any] | None:
    invoice_id = element.get("InvoiceID")
    if invoice_id and create_only:
        raise ElementInvalid([f"PUT only creates invoices; use POST to update invoice {invoice_id}."])
    if invoice_id:
        existing = ctx.org["invoices"].get(str(invoice_id).lower())
        if existing is None:
            raise ElementInvalid([f"Invoice with InvoiceID '{invoice_id}' could not be found."])
        return existing
    number = element.get("InvoiceNumber")
    if not create_only and number and element.get("Type") == "ACCREC":  # Xero matches sales invoices by number
        return next((i for i in ctx.org["invoices"].values()
                     if i["Type"] == "ACCREC" and i.get("InvoiceNumber") == number), None)
    return None


def _remove(ctx: ApiContext, invoice: dict[str, Any], target: str) -> dict[str, Any]:
    status = invoice["Status"]
    if target == "DELETED" and status not in {"DRAFT", "SUBMITTED"}:
        raise ElementInvalid(["Only DRAFT and SUBMITTED invoices can be deleted; void an AUTHORISED invoice instead."])
    if target == "VOIDED":
        if status != "AUTHORISED":
            raise ElementInvalid(["Only AUTHORISED invoices can be voided; "
                                  "delete a DRAFT or SUBMITTED invoice instead."])
        if invoice["AmountPaid"] or invoice["AmountCredited"]:
            raise ElementInvalid(["This invoice has payments or credit notes allocated and cannot be voided."])
    invoice.update(Status=target, UpdatedDateUTC=ctx.now, AmountDue=Decimal("0.00"))
    add_history(ctx, invoice["InvoiceID"], target.capitalize(), f"{target.capitalize()} by {ctx.client.name}")
    ctx.changed()
    return render_invoice(ctx, invoice)


def _signature(invoice: dict[str, Any]) -> tuple[Any, ...]:
    lines = tuple((line.get("Description"), line["Quantity"], line["UnitAmount"], line.get("AccountCode"),
                   line.get("TaxType"), line["LineAmount"], line["TaxAmount"]) for line in invoice["LineItems"])
    contact_id = invoice["Contact"].get("ContactID", "").lower() if isinstance(invoice["Contact"], dict) else None
    return (contact_id, invoice["CurrencyCode"], invoice["LineAmountTypes"], invoice["Date"], invoice["Total"], lines)


def _commit(ctx: ApiContext, document: dict[str, Any], contact: dict[str, Any] | None, existing: dict[str, Any] | None,
            target: str) -> dict[str, Any]:
    invoices = ctx.org["invoices"]
    contact = commit_contact(ctx, contact, document["Type"] in PURCHASE_TYPES)
    document["Contact"] = {"ContactID": contact["ContactID"]}
    document["Status"] = target
    document["UpdatedDateUTC"] = ctx.now
    if existing is None:
        document.update({
            "InvoiceID": str(uuid.uuid4()), "HasAttachments": False, "IsDiscounted": False, "SentToContact": False,
            "Payments": [], "CreditNotes": [], "Prepayments": [], "Overpayments": [],
            "_created_by": ctx.client.client_id,
        })
        if document["Type"] == "ACCREC" and not document.get("InvoiceNumber"):
            document["InvoiceNumber"] = f"INV-{sum(i['Type'] == 'ACCREC' for i in invoices.values()) + 1:04d}"
        label = "Bill" if document["Type"] == "ACCPAY" else "Invoice"
        number = f" {document['InvoiceNumber']}" if document.get("InvoiceNumber") else ""
        details = f"{label}{number} to {contact['Name']} for {document['Total']}"
        add_history(ctx, document["InvoiceID"], "Created", details)
    if target == "AUTHORISED" and (existing is None or existing["Status"] != "AUTHORISED"):
        add_history(ctx, document["InvoiceID"], "Approved", f"Approved by {ctx.client.name}")
    elif existing is not None:
        add_history(ctx, document["InvoiceID"], "Edited", f"Edited by {ctx.client.name}; total {document['Total']}")
    invoices[document["InvoiceID"]] = document
    ctx.changed()
    return render_invoice(ctx, document)
