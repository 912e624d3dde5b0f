"""Compare what Onport says of each invoice with the bill Xero has, and say in words what differs.

Pure: it reads no database and calls no one. `Expected` is an invoice as Onport has it (with the Xero ids
of what Onport sent for it); `XeroBill`/`XeroCreditNote` are Xero's documents now. Onport stays a one-way
exporter: the comparison reports and suggests, it never changes an invoice.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from accounting.reconcile.models import Difference
from integrations.xero.bill_pages import XeroBill, XeroCreditNote

ZERO = Decimal("0.00")
OFF_THE_BOOKS = ("VOIDED", "DELETED")


@dataclass(frozen=True)
class Expected:
    invoice_id: int
    number: str
    vendor_id: int
    vendor_name: str
    status: str  # issued | paid | void
    total: Decimal
    tax_total: Decimal
    credits: Decimal = ZERO  # credit adjustments (tax inclusive)
    debits: Decimal = ZERO
    bill_id: str = ""  # the bill Onport sent, lower case; "" if none
    sync_note: str = ""  # why there is no bill yet, in the Sync log's words
    credit_note_ids: tuple[str, ...] = ()
    debit_bill_ids: tuple[str, ...] = ()

    @property
    def payable(self) -> Decimal:
        """What Onport says is still owed on it."""
        return self.total - self.credits + self.debits if self.status == "issued" else ZERO


@dataclass(frozen=True)
class Found:
    difference: str
    explanation: str
    what_to_do: str
    invoice_id: int | None = None
    vendor_id: int | None = None
    xero_id: str = ""
    xero_number: str = ""
    onport_amount: Decimal | None = None
    xero_amount: Decimal | None = None


@dataclass
class VendorSum:
    vendor_name: str
    onport_payable: Decimal = ZERO
    xero_amount_due: Decimal = ZERO


@dataclass
class Comparison:
    found: list[Found] = field(default_factory=list)
    by_vendor: dict[int, VendorSum] = field(default_factory=dict)


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _day(date: datetime.date | None) -> str:
    return f"{date.day} {date:%b %Y}" if date else ""


def compare(
    expected: list[Expected],
    bills: dict[str, XeroBill],
    credit_notes: dict[str, XeroCreditNote],
    *,
    known_ids: set[str],
    invoice_of_url: Callable[[str], int | None],
    account_invoice_ids: set[int],
) -> Comparison:
    """Every difference, and per vendor what Onport says is payable against what Xero says is due.

    `bills` holds the range's bills and any bill Onport sent for these invoices; `known_ids` every Xero id
    Onport has for this Xero account; `invoice_of_url` the invoice a bill's "Go to Onport" link names.
    """
    comparison = Comparison()
    for invoice in expected:
        found = _invoice_differences(invoice, bills, credit_notes)
        comparison.found += found
        totals = comparison.by_vendor.setdefault(invoice.vendor_id, VendorSum(invoice.vendor_name))
        totals.onport_payable += invoice.payable
        totals.xero_amount_due += _amount_due(invoice, bills, credit_notes)
    comparison.found += _bills_onport_did_not_send(bills, known_ids, invoice_of_url, account_invoice_ids)
    return comparison


def _amount_due(invoice: Expected, bills: dict[str, XeroBill], credit_notes: dict[str, XeroCreditNote]) -> Decimal:
    """What Xero says is still owed for the invoice: its bill and adjustment bills, less credit not yet applied."""
    due = ZERO
    for bill_id in (invoice.bill_id, *invoice.debit_bill_ids):
        bill = bills.get(bill_id)
        if bill is not None and bill.status not in OFF_THE_BOOKS:
            due += bill.amount_due
    for note_id in invoice.credit_note_ids:
        note = credit_notes.get(note_id)
        if note is not None and note.status not in OFF_THE_BOOKS:
            due -= note.remaining_credit
    return due


def _invoice_differences(
    invoice: Expected, bills: dict[str, XeroBill], credit_notes: dict[str, XeroCreditNote]
) -> list[Found]:
    def line(difference: str, explanation: str, what_to_do: str, **amounts) -> Found:
        return Found(
            difference,
            explanation,
            what_to_do,
            invoice_id=invoice.invoice_id,
            vendor_id=invoice.vendor_id,
            xero_id=bill.xero_id if bill else "",
            xero_number=bill.number if bill else "",
            **amounts,
        )

    bill = bills.get(invoice.bill_id) if invoice.bill_id else None
    if bill is None:
        if invoice.status == "void":
            return []
        if invoice.bill_id:
            why = "Onport sent it as a bill Xero no longer has."
        else:
            why = invoice.sync_note or "It has never been synced."
        return [
            line(
                Difference.NOT_IN_XERO,
                f"Not in Xero: {why}",
                "Press sync accounting on the invoice (its sync history says what stopped it).",
                onport_amount=invoice.total,
            )
        ]
    if bill.status in OFF_THE_BOOKS:
        if invoice.status == "void":
            return []
        voided = bill.status == "VOIDED"
        return [
            line(
                Difference.VOIDED_IN_XERO if voided else Difference.DELETED_IN_XERO,
                f"{'Voided' if voided else 'Deleted'} in Xero, still {invoice.status} in Onport.",
                "If the vendor's invoice no longer stands, void it in Onport; if it does, ask whoever "
                f"{'voided' if voided else 'deleted'} the bill in Xero, then sync it again.",
                onport_amount=invoice.total,
                xero_amount=bill.total,
            )
        ]
    if invoice.status == "void":
        return [
            line(
                Difference.VOID_IN_ONPORT,
                f"Void in Onport, still {bill.status.lower()} in Xero.",
                "Void the bill in Xero (or press sync accounting on the invoice to void it).",
                xero_amount=bill.total,
            )
        ]
    found = []
    if bill.total != invoice.total:
        found.append(
            line(
                Difference.TOTAL,
                f"Total differs: Onport {money(invoice.total)}, Xero {money(bill.total)}.",
                "Press sync accounting to bring the bill up to date; a bill with payments is changed in Xero.",
                onport_amount=invoice.total,
                xero_amount=bill.total,
            )
        )
    elif bill.total_tax != invoice.tax_total:
        found.append(
            line(
                Difference.TAX,
                f"Tax differs: Onport {money(invoice.tax_total)}, Xero {money(bill.total_tax)}.",
                "Check the tax rates in Setup > Accounting › Tax, then sync the invoice again.",
                onport_amount=invoice.tax_total,
                xero_amount=bill.total_tax,
            )
        )
    found += _payment_differences(invoice, bill, line)
    found += _credit_differences(invoice, credit_notes, line)
    return found


def _payment_differences(invoice: Expected, bill: XeroBill, line) -> list[Found]:
    if invoice.status == "issued" and bill.status == "PAID":
        paid_on = f" on {_day(bill.fully_paid_on)}" if bill.fully_paid_on else ""
        return [
            line(
                Difference.PAID_IN_XERO,
                f"Paid in Xero{paid_on}, unpaid in Onport.",
                "Mark the invoice paid in Onport (Payments), so no payout pays it again.",
                onport_amount=invoice.total,
                xero_amount=bill.amount_paid,
            )
        ]
    if invoice.status == "issued" and bill.amount_paid > ZERO:
        return [
            line(
                Difference.PART_PAID_IN_XERO,
                f"Part paid in Xero ({money(bill.amount_paid)} of {money(bill.total)}), unpaid in Onport.",
                "Check the payment in Xero; mark the invoice paid in Onport once it is settled.",
                onport_amount=invoice.total,
                xero_amount=bill.amount_paid,
            )
        ]
    if invoice.status == "paid" and bill.amount_due > ZERO:
        return [
            line(
                Difference.PAID_IN_ONPORT,
                f"Paid in Onport, {money(bill.amount_due)} still due in Xero.",
                "Record the payment in Xero, or turn on recording payments in Setup > Accounting and sync again.",
                onport_amount=invoice.total,
                xero_amount=bill.amount_due,
            )
        ]
    return []


def _credit_differences(invoice: Expected, credit_notes: dict[str, XeroCreditNote], line) -> list[Found]:
    found = []
    for note_id in invoice.credit_note_ids:
        note = credit_notes.get(note_id)
        if note is not None and note.status == "AUTHORISED" and note.remaining_credit > ZERO:
            found.append(
                line(
                    Difference.CREDIT_UNALLOCATED,
                    f"Credit note {note.number or note_id} has {money(note.remaining_credit)} not allocated "
                    "to the bill in Xero.",
                    "Allocate the credit note to the bill in Xero.",
                    onport_amount=note.total,
                    xero_amount=note.remaining_credit,
                )
            )
    return found


def _bills_onport_did_not_send(
    bills: dict[str, XeroBill],
    known_ids: set[str],
    invoice_of_url: Callable[[str], int | None],
    account_invoice_ids: set[int],
) -> list[Found]:
    found = []
    for bill in bills.values():
        if bill.xero_id in known_ids or bill.status in OFF_THE_BOOKS:
            continue
        invoice_id = invoice_of_url(bill.url)
        if invoice_id is None:
            continue  # not a bill with Onport's link: someone else's
        mine = invoice_id in account_invoice_ids
        difference = Difference.SECOND_BILL if mine else Difference.UNKNOWN_BILL
        explanation = (
            "A second bill in Xero links to this invoice; Onport sent another one."
            if mine
            else "A bill in Xero links to Onport, but to no invoice of this account Onport sent."
        )
        found.append(
            Found(
                difference,
                explanation,
                "Check the bill in Xero and void it if it is a copy, so the vendor is not paid twice.",
                invoice_id=invoice_id if mine else None,
                xero_id=bill.xero_id,
                xero_number=bill.number,
                xero_amount=bill.total,
            )
        )
    return found
