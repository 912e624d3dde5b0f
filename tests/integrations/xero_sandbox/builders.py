"""Small builders for xero-python models used across the sandbox tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xero_python.accounting import Contact, Invoice, Invoices, LineAmountTypes, LineItem

BILL_DATE = dt.date(2025, 3, 1)
DUE_DATE = dt.date(2025, 3, 31)


def line(
    description: str = "Widgets",
    quantity: str | int = 1,
    unit_amount: str = "10.00",
    account_code: str | None = "300",
    tax_type: str | None = None,
    **extra,
) -> LineItem:
    return LineItem(
        description=description,
        quantity=Decimal(str(quantity)),
        unit_amount=Decimal(unit_amount),
        account_code=account_code,
        tax_type=tax_type,
        **extra,
    )


def bill(
    contact_id: str,
    *,
    lines: list[LineItem] | None = None,
    status: str = "AUTHORISED",
    number: str = "PI-0001",
    date: dt.date = BILL_DATE,
    currency_code=None,
    line_amount_types=LineAmountTypes.EXCLUSIVE,
    url: str | None = "https://onport.example/invoices/1",
) -> Invoice:
    return Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=contact_id),
        date=date,
        due_date=DUE_DATE,
        line_amount_types=line_amount_types,
        invoice_number=number,
        url=url,
        status=status,
        currency_code=currency_code,
        line_items=lines or [line()],
    )


def bills(*invoices: Invoice) -> Invoices:
    return Invoices(invoices=list(invoices))


def messages(element) -> list[str]:
    return [error.message for error in (element.validation_errors or [])]
