"""Removing bills from Xero's books: void an approved bill, delete a draft one (Xero allows only these)."""

from xero_python.accounting import Invoice, Invoices

from integrations.xero.bills import BillResult, bill_result
from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout

EDITABLE = ("DRAFT", "SUBMITTED")  # deleted; an AUTHORISED bill is voided instead


def removal_status(current_status: str) -> str:
    """What Xero needs to take a bill off the books: DELETED for a draft (or submitted) bill, else VOIDED."""
    return "DELETED" if current_status.upper() in EDITABLE else "VOIDED"


def bills_remove(client: XeroClient, statuses: dict[str, str], *, idempotency_key: str) -> dict[str, BillResult]:
    """POST the new status (VOIDED or DELETED) of each bill, by InvoiceID, in one call; a result per bill."""
    ids = list(statuses)
    payload = Invoices(invoices=[Invoice(invoice_id=xero_id, status=statuses[xero_id]) for xero_id in ids])
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.update_or_create_invoices(
            tenant, payload, summarize_errors=False, idempotency_key=idempotency_key, _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return dict(zip(ids, (bill_result(element) for element in answer.invoices)))
