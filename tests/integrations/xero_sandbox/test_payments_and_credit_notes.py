"""Payments against bills and ACCPAYCREDIT credit notes allocated to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from xero_python.accounting import (
    Account,
    Allocation,
    Allocations,
    Contact,
    CreditNote,
    CreditNotes,
    Invoice,
    Payment,
    PaymentDelete,
    Payments,
)
from xero_python.exceptions import AccountingBadRequestException

from .builders import bill, bills, line, messages


@pytest.fixture
def approved_bill(xero, uk, acme):
    stock = bill(acme, lines=[line("Stock", 1, "100.00")])  # 120.00 with VAT
    return xero.accounting.create_invoices(uk, bills(stock), summarize_errors=False).invoices[0]


def payment(invoice_id: str, amount: str, *, code: str = "090", date: dt.date = dt.date(2025, 3, 10)) -> Payment:
    return Payment(
        invoice=Invoice(invoice_id=invoice_id),
        account=Account(code=code),
        date=date,
        amount=Decimal(amount),
        reference="BACS 42",
    )


def credit_note(contact_id: str, amount: str, status: str = "AUTHORISED") -> CreditNotes:
    note = CreditNote(
        type="ACCPAYCREDIT",
        contact=Contact(contact_id=contact_id),
        status=status,
        date=dt.date(2025, 3, 5),
        line_items=[line("Returned goods", 1, amount)],
    )
    return CreditNotes(credit_notes=[note])


def allocation(invoice_id: str, amount: str) -> Allocations:
    share = Allocation(invoice=Invoice(invoice_id=invoice_id), amount=Decimal(amount), date=dt.date(2025, 3, 6))
    return Allocations(allocations=[share])


def test_part_then_full_payment_marks_the_bill_paid(xero, uk, approved_bill):
    bill_id = approved_bill.invoice_id
    first = xero.accounting.create_payment(uk, payment(bill_id, "20.00")).payments[0]
    part_paid = xero.accounting.get_invoice(uk, bill_id).invoices[0]
    xero.accounting.create_payments(uk, Payments(payments=[payment(bill_id, "100.00")]), summarize_errors=False)
    paid = xero.accounting.get_invoice(uk, bill_id).invoices[0]

    assert (first.payment_type, first.status, first.invoice.invoice_id) == ("ACCPAYPAYMENT", "AUTHORISED", bill_id)
    assert (part_paid.status, part_paid.amount_paid, part_paid.amount_due) == ("AUTHORISED", 20, 100)
    assert (paid.status, paid.amount_paid, paid.amount_due) == ("PAID", 120, 0)
    assert paid.fully_paid_on_date == dt.date(2025, 3, 10) and len(paid.payments) == 2


def test_payment_rules(xero, uk, acme, approved_bill):
    draft = xero.accounting.create_invoices(uk, bills(bill(acme, status="DRAFT")), summarize_errors=False).invoices[0]
    bill_id = approved_bill.invoice_id

    results = xero.accounting.create_payments(
        uk,
        Payments(
            payments=[
                payment(draft.invoice_id, "1.00"),
                payment(bill_id, "120.01"),
                payment(bill_id, "1.00", code="300"),
                payment(bill_id, "1.00", code="881"),
            ]
        ),
        summarize_errors=False,
    ).payments

    assert messages(results[0]) == ["Payments can only be made against Authorised documents"]
    assert messages(results[1]) == ["Payment amount exceeds the amount outstanding on this document"]
    assert "cannot receive payments" in messages(results[2])[0]
    assert not results[3].has_validation_errors  # EnablePaymentsToAccount


def test_summarized_payment_error_is_a_400(xero, uk, approved_bill):
    with pytest.raises(AccountingBadRequestException) as refused:
        xero.accounting.create_payments(uk, Payments(payments=[payment(approved_bill.invoice_id, "500")]))

    assert refused.value.reason == "Payment amount exceeds the amount outstanding on this document"


def test_payments_list_and_delete(xero, uk, approved_bill):
    created = xero.accounting.create_payment(uk, payment(approved_bill.invoice_id, "120.00")).payments[0]

    xero.accounting.delete_payment(uk, created.payment_id, PaymentDelete(status="DELETED"))

    listed = xero.accounting.get_payments(uk).payments
    invoice = xero.accounting.get_invoice(uk, approved_bill.invoice_id).invoices[0]
    assert [(p.payment_id, p.status) for p in listed] == [(created.payment_id, "DELETED")]
    assert (invoice.status, invoice.amount_due) == ("AUTHORISED", Decimal("120"))


def test_credit_note_allocation_reduces_amount_due_and_can_pay_the_bill(xero, uk, acme, approved_bill):
    api, bill_id = xero.accounting, approved_bill.invoice_id
    note = api.create_credit_notes(uk, credit_note(acme, "50.00"), summarize_errors=False).credit_notes[0]
    partial = api.create_credit_note_allocation(uk, note.credit_note_id, allocation(bill_id, "20.00"))
    after_first = api.get_invoice(uk, bill_id).invoices[0]
    api.create_payment(uk, payment(bill_id, "60.00"))
    api.create_credit_note_allocation(uk, note.credit_note_id, allocation(bill_id, "40.00"))

    paid = api.get_invoice(uk, bill_id).invoices[0]
    spent = api.get_credit_note(uk, note.credit_note_id).credit_notes[0]
    assert (note.total, note.remaining_credit, note.type) == (60, 60, "ACCPAYCREDIT")
    assert (partial.allocations[0].amount, partial.allocations[0].invoice.invoice_id) == (20, bill_id)
    assert (after_first.amount_credited, after_first.amount_due) == (20, 100)
    assert (paid.status, paid.amount_due, paid.amount_credited) == ("PAID", 0, 60)
    assert [c.applied_amount for c in paid.credit_notes] == [20, 40]
    assert (spent.status, spent.remaining_credit) == ("PAID", 0)


def test_allocation_rules(xero_sandbox, xero, uk, acme, approved_bill):
    api = xero.accounting

    def note_for(contact_id: str, amount: str, status: str = "AUTHORISED") -> str:
        created = api.create_credit_notes(uk, credit_note(contact_id, amount, status), summarize_errors=False)
        return created.credit_notes[0].credit_note_id

    def refused(note_id: str, amount: str) -> list[str]:
        result = api.create_credit_note_allocation(
            uk, note_id, allocation(approved_bill.invoice_id, amount), summarize_errors=False
        )
        return messages(result.allocations[0])

    draft_note, small_note = note_for(acme, "10.00", status="DRAFT"), note_for(acme, "5.00")
    other_note = note_for(xero_sandbox.seeded_contact_id(uk, "Cobalt Freight"), "5.00")

    assert refused(draft_note, "1.00") == ["Only AUTHORISED credit notes can be allocated."]
    assert refused(small_note, "6.01") == ["The amount allocated exceeds the remaining credit on this credit note."]
    assert refused(other_note, "1.00") == ["The credit note and the invoice must be for the same contact."]
    xero_sandbox.pay_invoice(uk, approved_bill.invoice_id, amount="118.00")
    assert refused(small_note, "3.00") == ["The amount allocated exceeds the amount due on the invoice."]


def test_credit_notes_listed_with_contact(xero, uk, acme):
    xero.accounting.create_credit_notes(uk, credit_note(acme, "5.00"), summarize_errors=False)

    notes = xero.accounting.get_credit_notes(uk).credit_notes

    assert [(n.contact.name, n.status, n.total) for n in notes] == [("Acme Packaging Ltd", "AUTHORISED", Decimal("6"))]
