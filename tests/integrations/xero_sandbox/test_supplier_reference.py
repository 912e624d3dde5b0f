"""Xero ignores `Reference` on supplier documents (the spec: "ACCREC only" on invoices, "ACCRECCREDIT only"
on credit notes): not stored, not returned, not filterable. It keeps it on sales documents."""

from __future__ import annotations

import datetime as dt

from xero_python.accounting import Contact, CreditNote, CreditNotes

from .builders import bill, bills, line


def _note(contact_id: str, kind: str) -> CreditNotes:
    return CreditNotes(
        credit_notes=[
            CreditNote(
                type=kind,
                contact=Contact(contact_id=contact_id),
                status="AUTHORISED",
                date=dt.date(2025, 3, 5),
                reference="ONPORT-ADJ-7",
                line_items=[line("Returned goods", 1, "5.00")],
            )
        ]
    )


def test_a_supplier_credit_note_drops_its_reference(xero, uk, acme):
    created = xero.accounting.create_credit_notes(uk, _note(acme, "ACCPAYCREDIT"), summarize_errors=False).credit_notes[
        0
    ]

    stored = xero.accounting.get_credit_note(uk, created.credit_note_id).credit_notes[0]
    by_reference = xero.accounting.get_credit_notes(uk, where='Reference=="ONPORT-ADJ-7"').credit_notes

    assert created.reference in (None, "None", "") and stored.reference in (None, "None", "")
    assert by_reference == []


def test_a_sales_credit_note_keeps_its_reference(xero, uk, acme):
    xero.accounting.create_credit_notes(uk, _note(acme, "ACCRECCREDIT"), summarize_errors=False)

    [found] = xero.accounting.get_credit_notes(uk, where='Reference=="ONPORT-ADJ-7"').credit_notes

    assert found.reference == "ONPORT-ADJ-7"


def test_a_bill_drops_its_reference(xero, uk, acme):
    with_reference = bill(acme)
    with_reference.reference = "SUPPLIER-REF-1"

    created = xero.accounting.create_invoices(uk, bills(with_reference), summarize_errors=False).invoices[0]

    stored = xero.accounting.get_invoice(uk, created.invoice_id).invoices[0]
    assert stored.reference in (None, "None", "")
    assert xero.accounting.get_invoices(uk, where='Reference=="SUPPLIER-REF-1"').invoices == []
