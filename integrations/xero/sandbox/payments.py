"""Payments against bills: PUT many, POST one, GET, and delete (POST /Payments/{id} Status=DELETED)."""

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
from .documents import check_lock_dates, contact_summary
from .lines import find_account
from .formats import parse_date, parse_decimal, round_money
from .history import add_history
from .totals import settle_amounts

PAYMENT_TYPES = {"ACCPAY": "ACCPAYPAYMENT", "ACCREC": "ACCRECPAYMENT"}


def render_payment(ctx: ApiContext, payment: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(payment)
    invoice = ctx.org["invoices"].get(payment["Invoice"]["InvoiceID"], {})
    rendered["Invoice"] = {
        "InvoiceID": payment["Invoice"]["InvoiceID"], "Type": invoice.get("Type"), "IsDiscounted": False,
        "Contact": contact_summary(ctx, invoice["Contact"]["ContactID"]) if invoice else {},
        "CurrencyCode": invoice.get("CurrencyCode"), "HasErrors": False,
        **({"InvoiceNumber": invoice["InvoiceNumber"]} if invoice.get("InvoiceNumber") else {}),
    }
    return rendered


def payment_summary(payment: dict[str, Any]) -> dict[str, Any]:
    keys = ("PaymentID", "Date", "Amount", "Reference", "CurrencyRate", "HasAccount", "HasValidationErrors")
    return {key: payment[key] for key in keys if key in payment}


def get_payments(ctx: ApiContext) -> Response:
    payments = [render_payment(ctx, payment) for payment in ctx.org["payments"].values()]
    payments = query_documents(ctx, payments, default_order=None)
    page, pagination, _ = paginate(ctx, payments)
    return envelope(ctx, "Payments", page, pagination=pagination)


def get_payment(ctx: ApiContext, payment_id: str) -> Response:
    payment = ctx.org["payments"].get(payment_id.lower())
    if payment is None:
        raise not_found()
    return envelope(ctx, "Payments", [render_payment(ctx, payment)])


def put_payments(ctx: ApiContext) -> Response:
    return run_batch(ctx, "Payments", ctx.elements("Payments"), lambda e: create_payment(ctx, e),
                     has_errors_key="HasValidationErrors", id_key="PaymentID")


def post_payments(ctx: ApiContext) -> Response:
    """POST /Payments takes one Payment (xero-python's create_payment) or a Payments list."""
    return put_payments(ctx)


def post_payment(ctx: ApiContext, payment_id: str) -> Response:
    payment = ctx.org["payments"].get(payment_id.lower())
    if payment is None:
        raise not_found()

    def apply(element: dict[str, Any]) -> dict[str, Any]:
        if element.get("Status") != "DELETED":
            raise ElementInvalid(["Only Status DELETED can be set on an existing payment."])
        return delete_payment(ctx, payment)

    return run_batch(ctx, "Payments", ctx.elements("Payments"), apply, has_errors_key="HasValidationErrors")


def create_payment(ctx: ApiContext, element: dict[str, Any], *, skip_account_check: bool = False) -> dict[str, Any]:
    messages: list[str] = []
    invoice = _payment_invoice(ctx, element, messages)
    account_reference = element.get("Account") or {}
    account = find_account(ctx, account_reference.get("Code") or element.get("Code"),
                           account_reference.get("AccountID"))
    if account is None or account["Status"] != "ACTIVE":
        messages.append("Account must be valid.")
    elif not skip_account_check and account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        messages.append(f"Account '{account['Code']}' cannot receive payments: "
                        "use a bank account or an account with payments enabled.")
    try:
        amount = round_money(parse_decimal(element.get("Amount")))
    except ValueError:
        amount = None
        messages.append("The payment Amount must be specified as a number.")
    if amount is not None and amount <= 0:
        messages.append("The payment amount must be greater than zero.")
    try:
        payment_date = parse_date(element["Date"]) if element.get("Date") else ctx.now.date()
    except (TypeError, ValueError):
        payment_date = None
        messages.append(f"The Date '{element.get('Date')}' is not a valid date.")
    check_lock_dates(ctx, payment_date, messages, noun="payment")
    if invoice is not None:
        if invoice["Status"] != "AUTHORISED":
            messages.append("Payments can only be made against Authorised documents")
        elif amount is not None and amount > invoice["AmountDue"]:
            messages.append("Payment amount exceeds the amount outstanding on this document")
        if account is not None:
            messages += _currency_messages(ctx, invoice, account)
    if messages:
        raise ElementInvalid(messages)
    rate = invoice.get("CurrencyRate", Decimal("1"))
    payment = {
        "PaymentID": str(uuid.uuid4()), "Date": payment_date, "Amount": amount,
        "BankAmount": _bank_amount(ctx, invoice, account, amount, rate),
        "Reference": element.get("Reference") or "", "CurrencyRate": rate,
        "PaymentType": PAYMENT_TYPES[invoice["Type"]], "Status": "AUTHORISED", "UpdatedDateUTC": ctx.now,
        "IsReconciled": bool(element.get("IsReconciled")), "HasAccount": True, "HasValidationErrors": False,
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
    }
    ctx.org["payments"][payment["PaymentID"]] = payment
    invoice["AmountPaid"] = invoice["AmountPaid"] + amount
    invoice["Payments"].append(payment_summary(payment))
    settle_invoice(ctx, invoice, payment_date)
    details = f"Payment of {amount} on {payment_date.isoformat()} recorded by {ctx.client.name}"
    add_history(ctx, invoice["InvoiceID"], "Paid", details)
    ctx.changed()
    return render_payment(ctx, payment)


def delete_payment(ctx: ApiContext, payment: dict[str, Any]) -> dict[str, Any]:
    if payment["Status"] == "DELETED":
        raise ElementInvalid(["This payment has already been deleted."])
    invoice = ctx.org["invoices"][payment["Invoice"]["InvoiceID"]]
    payment.update(Status="DELETED", UpdatedDateUTC=ctx.now)
    invoice["AmountPaid"] = invoice["AmountPaid"] - payment["Amount"]
    invoice["Payments"] = [p for p in invoice["Payments"] if p["PaymentID"] != payment["PaymentID"]]
    if invoice["Status"] == "PAID":
        invoice["Status"] = "AUTHORISED"
        invoice.pop("FullyPaidOnDate", None)
    settle_invoice(ctx, invoice, None)
    details = f"Payment of {payment['Amount']} deleted by {ctx.client.name}"
    add_history(ctx, invoice["InvoiceID"], "Payment deleted", details)
    ctx.changed()
    return render_payment(ctx, payment)


def _account_currency(ctx: ApiContext, account: dict[str, Any]) -> str:
    """A bank account has its own CurrencyCode; other accounts that take payments are in the base currency."""
    return account.get("CurrencyCode") or ctx.organisation["BaseCurrency"]


def _currency_messages(ctx: ApiContext, invoice: dict[str, Any], account: dict[str, Any]) -> list[str]:
    """Xero pays a bill from a bank account in the bill's currency, or in the base currency (at a rate); a bank
    account in a third currency is refused (a EUR bill cannot be paid from a USD account). The exact wording of
    Xero's refusal could not be confirmed from a primary source: this one names both currencies."""
    base = ctx.organisation["BaseCurrency"]
    bill_currency = invoice.get("CurrencyCode") or base
    bank_currency = _account_currency(ctx, account)
    if bank_currency in (bill_currency, base):
        return []
    return [f"The payment currency ({bank_currency}) must match the currency of the invoice ({bill_currency}) "
            f"or the base currency of the organisation ({base})."]


def _bank_amount(ctx: ApiContext, invoice: dict[str, Any], account: dict[str, Any], amount: Decimal,
                 rate: Decimal) -> Decimal:
    """The payment in the bank account's currency: the same amount from a same-currency account, converted at
    the rate (units of the bill's currency per unit of the base currency) from a base-currency account."""
    if _account_currency(ctx, account) == (invoice.get("CurrencyCode") or ctx.organisation["BaseCurrency"]):
        return amount
    return round_money(amount / rate) if rate else amount


def _payment_invoice(ctx: ApiContext, element: dict[str, Any], messages: list[str]) -> dict[str, Any] | None:
    reference = element.get("Invoice") or {}
    invoice_id, number = reference.get("InvoiceID"), reference.get("InvoiceNumber") or element.get("InvoiceNumber")
    invoice = None
    if invoice_id:
        invoice = ctx.org["invoices"].get(str(invoice_id).lower())
    elif number:
        invoice = next((i for i in ctx.org["invoices"].values() if i.get("InvoiceNumber") == number), None)
    if invoice is None:
        messages.append("Invoice must be valid: the invoice for this payment could not be found.")
    return invoice


def settle_invoice(ctx: ApiContext, invoice: dict[str, Any], paid_on: Any) -> None:
    """Recompute AmountDue; a bill whose AmountDue reaches zero becomes PAID."""
    settle_amounts(invoice)
    invoice["UpdatedDateUTC"] = ctx.now
    if invoice["Status"] == "AUTHORISED" and invoice["AmountDue"] == 0:
        invoice["Status"] = "PAID"
        invoice["FullyPaidOnDate"] = paid_on or ctx.now.date()
