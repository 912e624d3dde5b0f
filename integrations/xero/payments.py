"""Payments against bills (ACCPAY) in Xero: record in batches, and find what a lost answer may have recorded."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from xero_python.accounting import Account, Invoice, Payment, Payments

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.url_budget import any_of, chunked, fits
from integrations.xero.values import text

BATCH_SIZE = 50
BILL_IS = 'Invoice.InvoiceID==Guid("{}")'


@dataclass(frozen=True)
class PaymentInput:
    bill_id: str
    account_code: str
    date: datetime.date
    amount: Decimal
    reference: str
    account_id: str = ""  # the bank account's AccountID: always there, where its Code may be missing


@dataclass(frozen=True)
class PaymentResult:
    """Xero's answer for one payment of a batch: its id, or the messages that refused it."""

    xero_id: str
    messages: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.messages and bool(self.xero_id)


@dataclass(frozen=True)
class FoundPayment:
    xero_id: str
    bill_id: str
    date: datetime.date | None
    amount: Decimal
    reference: str
    status: str


def _model(payment: PaymentInput) -> Payment:
    return Payment(
        invoice=Invoice(invoice_id=payment.bill_id),
        account=Account(account_id=payment.account_id) if payment.account_id else Account(code=payment.account_code),
        date=payment.date,
        amount=float(payment.amount.quantize(Decimal("0.01"))),
        reference=payment.reference,
    )


def _result(element) -> PaymentResult:
    messages = tuple(text(error.message) for error in (element.validation_errors or []) if text(error.message))
    has_errors = bool(element.has_validation_errors) or bool(messages)
    return PaymentResult(
        xero_id=text(element.payment_id) if not has_errors else "",
        messages=messages or (("Xero refused this payment without saying why.",) if has_errors else ()),
    )


def payments_create(client: XeroClient, payments: list[PaymentInput], *, idempotency_key: str) -> list[PaymentResult]:
    """PUT up to 50 payments in one call; one result per payment, in order (summarizeErrors=false)."""
    payload = Payments(payments=[_model(payment) for payment in payments])
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.create_payments(
            tenant,
            payload,
            summarize_errors=False,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )
    return [_result(element) for element in answer.payments]


def payments_find(client: XeroClient, *, bill_ids: list[str]) -> list[FoundPayment]:
    """The live (not deleted) payments against these bills, in as few calls as Xero's URL limit allows."""
    ids = sorted(set(bill_ids))
    chunks = chunked(ids, fit=lambda chunk: fits("/Payments", {"where": _where(chunk)}))
    return [payment for chunk in chunks for payment in _find(client, chunk)]


def _where(bill_ids: list[str]) -> str:
    return f'Status=="AUTHORISED" AND ({any_of(BILL_IS, bill_ids)})'


def _find(client: XeroClient, bill_ids: list[str]) -> list[FoundPayment]:
    tenant = client.xero_account.tenant_id
    answer = client.lookup(
        lambda: client.accounting.get_payments(tenant, where=_where(bill_ids), _request_timeout=request_timeout()),
        tenant_id=tenant,
    )
    return [
        FoundPayment(
            xero_id=text(payment.payment_id),
            bill_id=text(payment.invoice.invoice_id) if payment.invoice else "",
            date=payment.date,
            amount=Decimal(str(payment.amount)).quantize(Decimal("0.01")),
            reference=text(payment.reference),
            status=text(payment.status),
        )
        for payment in (answer.payments or [])
    ]
