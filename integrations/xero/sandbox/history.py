"""Invoice history and notes (GET/PUT /Invoices/{id}/History)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from .accounting import ApiContext, ElementInvalid, envelope, not_found, run_batch

MAX_DETAILS_LENGTH = 2500


def add_history(ctx: ApiContext, document_id: str, changes: str, details: str) -> None:
    ctx.org["history"].setdefault(document_id, []).append(
        {"Changes": changes, "DateUTC": ctx.now, "User": ctx.client.name, "Details": details}
    )


def _invoice_or_404(ctx: ApiContext, invoice_id: str) -> dict[str, Any]:
    invoice = ctx.org["invoices"].get(invoice_id.lower())
    if invoice is None:
        raise not_found()
    return invoice


def get_invoice_history(ctx: ApiContext, invoice_id: str) -> Response:
    invoice = _invoice_or_404(ctx, invoice_id)
    records = ctx.org["history"].get(invoice["InvoiceID"], [])
    return envelope(ctx, "HistoryRecords", list(reversed(records)))


def put_invoice_history(ctx: ApiContext, invoice_id: str) -> Response:
    invoice = _invoice_or_404(ctx, invoice_id)

    def apply(element: dict[str, Any]) -> dict[str, Any]:
        details = (element.get("Details") or "").strip()
        if not details:
            raise ElementInvalid(["The history note must have Details."])
        if len(details) > MAX_DETAILS_LENGTH:
            raise ElementInvalid([f"The history note must be {MAX_DETAILS_LENGTH} characters or fewer."])
        add_history(ctx, invoice["InvoiceID"], "Note", details)
        ctx.changed()
        return dict(ctx.org["history"][invoice["InvoiceID"]][-1])

    return run_batch(ctx, "HistoryRecords", ctx.elements("HistoryRecords"), apply)
