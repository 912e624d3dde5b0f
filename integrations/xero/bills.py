"""Bills (ACCPAY) in Xero: create in batches, update, and find what a lost answer may have created."""

from dataclasses import dataclass
from decimal import Decimal

from xero_python.accounting import Invoices

from integrations.xero.client import XeroClient
from integrations.xero.mapping import BillInput, bill_model, unit_decimals
from integrations.xero.sdk import request_timeout

BATCH_SIZE = 50
FIND_STATUSES = ["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED"]



@dataclass(frozen=True)
class BillResult:
    """Xero's answer for one bill of a batch: its id, or the messages that refused it."""

    xero_id: str
    status: str
    total: Decimal | None
    messages: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.messages and bool(self.xero_id)


@dataclass(frozen=True)
class FoundBill:
    xero_id: str
    number: str
    contact_id: str
    url: str
    status: str
    total: Decimal | None


def enum_value(enum_or_str) -> str:
    return str(getattr(enum_or_str, "value", enum_or_str) or "")


def bill_result(element) -> BillResult:
    messages = tuple(error.message for error in (element.validation_errors or []) if error.message)
    has_errors = bool(element.has_errors) or bool(messages)
    return BillResult(
        xero_id=str(element.invoice_id or "") if not has_errors else "",
        status=enum_value(element.status),
        total=Decimal(str(element.total)) if element.total is not None else None,
        messages=messages or (("Xero refused this bill without saying why.",) if has_errors else ()),
    )


def _unitdp(bills: list[BillInput]) -> int:
    return max((unit_decimals(bill) for bill in bills), default=2)


def bills_create(client: XeroClient, bills: list[BillInput], *, idempotency_key: str) -> list[BillResult]:
    """PUT up to 50 bills in one call; one result per bill, in order (summarizeErrors=false)."""
    payload = Invoices(invoices=[bill_model(bill) for bill in bills])
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.create_invoices(
            tenant, payload, summarize_errors=False, unitdp=_unitdp(bills),
            idempotency_key=idempotency_key, _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return [bill_result(element) for element in answer.invoices]


def bills_update(client: XeroClient, bills: dict[str, BillInput], *, idempotency_key: str) -> dict[str, BillResult]:
    """POST changed bills by their InvoiceID in one call (never by number: that could match another bill)."""
    ids = list(bills)
    payload = Invoices(invoices=[bill_model(bills[xero_id], xero_id=xero_id) for xero_id in ids])
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.update_or_create_invoices(
            tenant, payload, summarize_errors=False, unitdp=_unitdp(list(bills.values())),
            idempotency_key=idempotency_key, _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return dict(zip(ids, (bill_result(element) for element in answer.invoices)))


def bills_find(client: XeroClient, *, contact_ids: list[str], numbers: list[str]) -> list[FoundBill]:
    """Bills with these numbers for these contacts, whatever their status (one call; ACCPAY numbers aren't unique)."""
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.get_invoices(
            tenant, contact_i_ds=sorted(set(contact_ids)), invoice_numbers=sorted(set(numbers)),
            statuses=FIND_STATUSES, _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return [
        FoundBill(
            xero_id=str(bill.invoice_id), number=bill.invoice_number or "",
            contact_id=str(bill.contact.contact_id) if bill.contact else "", url=bill.url or "",
            status=enum_value(bill.status), total=Decimal(str(bill.total)) if bill.total is not None else None,
        )
        for bill in (answer.invoices or [])
        if enum_value(bill.type) == "ACCPAY"
    ]

