"""Where bills stand in Xero (status, amount due), and taking them off the books: void an approved bill,
delete a draft one (Xero allows only these)."""

from dataclasses import dataclass
from decimal import Decimal

from xero_python.accounting import Invoice, Invoices

from integrations.xero.bills import BillResult, bill_result
from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.url_budget import chunked, fits
from integrations.xero.values import text

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
            tenant,
            payload,
            summarize_errors=False,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return dict(zip(ids, (bill_result(element) for element in answer.invoices)))


@dataclass(frozen=True)
class BillStanding:
    """What Xero says of a bill now: its status and what is still owed on it (net of payments and credits)."""

    status: str
    amount_due: Decimal


def bills_standing(client: XeroClient, bill_ids: list[str]) -> dict[str, BillStanding]:
    """The status and amount due of each bill, by InvoiceID (lower case), in as few calls as Xero's URL limit allows."""
    tenant = client.xero_account.tenant_id
    ids = sorted({bill_id.lower() for bill_id in bill_ids})
    standing: dict[str, BillStanding] = {}
    for chunk in chunked(ids, fit=lambda chunk: fits("/Invoices", {"IDs": ",".join(chunk)})):
        answer = client.call(
            # run before the loop moves on: `chunk` is this one
            lambda: client.accounting.get_invoices(tenant, i_ds=chunk, _request_timeout=request_timeout()),
            tenant_id=tenant,
        )
        for bill in answer.invoices or []:
            standing[str(bill.invoice_id).lower()] = BillStanding(
                status=text(bill.status),
                amount_due=Decimal(str(bill.amount_due or 0)),
            )
    return standing
