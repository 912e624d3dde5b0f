"""Bills (ACCPAY) in Xero: create in batches, update, and find what a lost answer may have created."""

from dataclasses import dataclass
from decimal import Decimal

from xero_python.accounting import Invoices

from integrations.xero.client import XeroClient
from integrations.xero.mapping import BillInput, bill_model, unit_decimals
from integrations.xero.sdk import request_timeout
from integrations.xero.url_budget import MAX_URL_LENGTH, chunked, fits, url_length
from integrations.xero.values import text

BATCH_SIZE = 50
# Xero's own words for its refusals (the sandbox answers the same): matched here, at the boundary, only.
NOT_MODIFIABLE = "not of valid status for modification"
HAS_ALLOCATIONS = "has payments or credit notes allocated"
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

    @property
    def not_modifiable(self) -> bool:
        """Xero refused to change the bill because it is paid (in part or in full) or voided."""
        return any(NOT_MODIFIABLE in message for message in self.messages)

    @property
    def has_allocations(self) -> bool:
        """Xero refused to void the bill because payments or credit notes are allocated to it."""
        return any(HAS_ALLOCATIONS in message for message in self.messages)


@dataclass(frozen=True)
class FoundBill:
    xero_id: str
    number: str
    contact_id: str
    url: str
    status: str
    total: Decimal | None


def bill_result(element) -> BillResult:
    messages = tuple(text(error.message) for error in (element.validation_errors or []) if text(error.message))
    has_errors = bool(element.has_errors) or bool(messages)
    return BillResult(
        xero_id=text(element.invoice_id) if not has_errors else "",
        status=text(element.status),
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
            tenant,
            payload,
            summarize_errors=False,
            unitdp=_unitdp(bills),
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
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
            tenant,
            payload,
            summarize_errors=False,
            unitdp=_unitdp(list(bills.values())),
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return dict(zip(ids, (bill_result(element) for element in answer.invoices)))


def bills_find(client: XeroClient, *, contact_ids: list[str], numbers: list[str]) -> list[FoundBill]:
    """Bills with these numbers for these contacts, whatever their status (ACCPAY numbers aren't unique).

    As few calls as keep each URL under Xero's length limit: the numbers take at most half of it, the
    contacts the rest, and every chunk of contacts is asked with every chunk of numbers.
    """
    contacts, wanted = sorted(set(contact_ids)), sorted(set(numbers))
    if not contacts or not wanted:
        return []
    statuses = ",".join(FIND_STATUSES)
    half = MAX_URL_LENGTH // 2
    number_chunks = chunked(
        wanted, fit=lambda chunk: url_length("/Invoices", {"InvoiceNumbers": ",".join(chunk)}) <= half
    )
    longest = max((",".join(chunk) for chunk in number_chunks), key=len)
    contact_chunks = chunked(
        contacts,
        fit=lambda chunk: fits(
            "/Invoices",
            {
                "ContactIDs": ",".join(chunk),
                "InvoiceNumbers": longest,
                "Statuses": statuses,
            },
        ),
    )
    found: dict[str, FoundBill] = {}
    for contact_chunk in contact_chunks:
        for number_chunk in number_chunks:
            found.update((bill.xero_id, bill) for bill in _find(client, contact_chunk, number_chunk))
    return list(found.values())


def _find(client: XeroClient, contact_ids: list[str], numbers: list[str]) -> list[FoundBill]:
    tenant = client.xero_account.tenant_id
    answer = client.lookup(
        lambda: client.accounting.get_invoices(
            tenant,
            contact_i_ds=contact_ids,
            invoice_numbers=numbers,
            statuses=FIND_STATUSES,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return [
        FoundBill(
            xero_id=text(bill.invoice_id),
            number=text(bill.invoice_number),
            contact_id=text(bill.contact.contact_id) if bill.contact else "",
            url=text(bill.url),
            status=text(bill.status),
            total=Decimal(str(bill.total)) if bill.total is not None else None,
        )
        for bill in (answer.invoices or [])
        if text(bill.type) == "ACCPAY"
    ]
