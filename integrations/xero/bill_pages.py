"""Bills and supplier credit notes as Xero has them now, read in large pages of light fields (for
reconciling): 10,000 bills of a date range are ten calls; bills outside it are read by id.

Callers get our frozen dataclasses, never SDK models; every request goes through `XeroClient.lookup`
(a list call Xero answers 404, an over-long URL, is a refused lookup, not a missing document).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.url_budget import chunked, fits
from integrations.xero.values import text, xero_date

PAGE_SIZE = 1000  # Xero's largest page


@dataclass(frozen=True)
class XeroBill:
    xero_id: str  # lower case
    number: str
    status: str  # DRAFT | SUBMITTED | AUTHORISED | PAID | VOIDED | DELETED
    date: datetime.date | None
    total: Decimal
    total_tax: Decimal
    amount_due: Decimal
    amount_paid: Decimal
    amount_credited: Decimal
    url: str
    fully_paid_on: datetime.date | None


@dataclass(frozen=True)
class XeroCreditNote:
    xero_id: str  # lower case
    number: str
    status: str
    total: Decimal
    remaining_credit: Decimal


@dataclass(frozen=True)
class Page:
    items: tuple
    has_more: bool


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _bill(invoice) -> XeroBill:
    return XeroBill(
        xero_id=str(invoice.invoice_id).lower(),
        number=text(invoice.invoice_number),
        status=text(invoice.status),
        date=xero_date(invoice.date),
        total=_money(invoice.total),
        total_tax=_money(invoice.total_tax),
        amount_due=_money(invoice.amount_due),
        amount_paid=_money(invoice.amount_paid),
        amount_credited=_money(invoice.amount_credited),
        url=text(invoice.url),
        fully_paid_on=xero_date(invoice.fully_paid_on_date),
    )


def _where_dates(kind: str, date_from: datetime.date, date_to: datetime.date | None = None) -> str:
    where = f'Type=="{kind}" AND Date>=DateTime({date_from.year},{date_from.month},{date_from.day})'
    if date_to is not None:
        where += f" AND Date<=DateTime({date_to.year},{date_to.month},{date_to.day})"
    return where


def _has_more(answer, page: int, count: int) -> bool:
    pagination = getattr(answer, "pagination", None)
    if pagination is not None and pagination.page_count is not None:
        return page < pagination.page_count
    return count >= PAGE_SIZE


def bills_page(client: XeroClient, *, date_from: datetime.date, date_to: datetime.date, page: int) -> Page:
    """One page of the organisation's bills dated in the range, every status (voided and deleted too)."""
    tenant = client.xero_account.tenant_id
    answer = client.lookup(
        lambda: client.accounting.get_invoices(
            tenant,
            where=_where_dates("ACCPAY", date_from, date_to),
            order="Date,InvoiceID",
            page=page,
            page_size=PAGE_SIZE,
            summary_only=True,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    bills = tuple(_bill(invoice) for invoice in answer.invoices or [] if text(invoice.type) == "ACCPAY")
    return Page(bills, _has_more(answer, page, len(answer.invoices or [])))


def bills_modified_page(client: XeroClient, *, since: datetime.datetime, page: int) -> Page:
    """One page of the bills changed in Xero since `since` (If-Modified-Since), whatever their date."""
    tenant = client.xero_account.tenant_id
    answer = client.lookup(
        lambda: client.accounting.get_invoices(
            tenant,
            if_modified_since=since,
            where='Type=="ACCPAY"',
            order="UpdatedDateUTC,InvoiceID",
            page=page,
            page_size=PAGE_SIZE,
            summary_only=True,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    bills = tuple(_bill(invoice) for invoice in answer.invoices or [] if text(invoice.type) == "ACCPAY")
    return Page(bills, _has_more(answer, page, len(answer.invoices or [])))


def bills_by_id(client: XeroClient, bill_ids: list[str]) -> list[XeroBill]:
    """Bills by InvoiceID (those dated outside a range), in as few calls as Xero's URL limit allows."""
    tenant = client.xero_account.tenant_id
    ids = sorted({bill_id.lower() for bill_id in bill_ids})
    bills: list[XeroBill] = []
    for chunk in chunked(ids, fit=lambda chunk: fits("/Invoices", {"IDs": ",".join(chunk), "summaryOnly": "true"})):
        answer = client.lookup(
            lambda: client.accounting.get_invoices(  # run before the loop moves on: `chunk` is this one
                tenant, i_ds=chunk, summary_only=True, _request_timeout=request_timeout()
            ),
            tenant_id=tenant,
        )
        bills += [_bill(invoice) for invoice in answer.invoices or []]
    return bills


def supplier_credit_notes_page(client: XeroClient, *, date_from: datetime.date, page: int) -> Page:
    """One page of the organisation's supplier credit notes dated from `date_from` on (they follow their bill)."""
    tenant = client.xero_account.tenant_id
    answer = client.lookup(
        lambda: client.accounting.get_credit_notes(
            tenant,
            where=_where_dates("ACCPAYCREDIT", date_from),
            order="Date,CreditNoteID",
            page=page,
            page_size=PAGE_SIZE,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    notes = tuple(
        XeroCreditNote(
            xero_id=str(note.credit_note_id).lower(),
            number=text(note.credit_note_number),
            status=text(note.status),
            total=_money(note.total),
            remaining_credit=_money(note.remaining_credit),
        )
        for note in answer.credit_notes or []
    )
    return Page(notes, _has_more(answer, page, len(answer.credit_notes or [])))
