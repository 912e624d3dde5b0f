"""Bill totals: per-line tax rounding, line amount types, unit decimals, explicit amounts."""

from __future__ import annotations

from decimal import Decimal

from xero_python.accounting import CurrencyCode, LineAmountTypes

from .builders import bill, bills, line, messages


def create(xero, tenant, invoice, **kwargs):
    result = xero.accounting.create_invoices(tenant, bills(invoice), summarize_errors=False, **kwargs).invoices[0]
    assert not result.has_errors, messages(result)
    return result


def test_tax_is_rounded_per_line_then_summed(xero, uk, acme):
    invoice = create(xero, uk, bill(acme, lines=[line(f"Part {n}", 1, "0.10", tax_type="RRINPUT") for n in range(3)]))

    assert [item.tax_amount for item in invoice.line_items] == [Decimal("0.01")] * 3  # 0.005 each, ROUND_HALF_UP
    assert (invoice.sub_total, invoice.total_tax, invoice.total) == (Decimal("0.3"), Decimal("0.03"), Decimal("0.33"))


def test_four_decimal_unit_amounts_with_unitdp_4(xero, uk, acme):
    precise = create(xero, uk, bill(acme, lines=[line("Screws", 3, "1.3333")]), unitdp=4)
    rounded = create(xero, uk, bill(acme, lines=[line("Screws", 3, "1.3333")]))

    assert (precise.line_items[0].unit_amount, precise.line_items[0].line_amount) == (Decimal("1.3333"), Decimal("4"))
    assert (precise.total_tax, precise.total) == (Decimal("0.8"), Decimal("4.8"))
    assert rounded.line_items[0].unit_amount == Decimal("1.33") and rounded.line_items[0].line_amount == Decimal("3.99")
    assert rounded.total == Decimal("4.79")


def test_inclusive_amounts_carry_their_tax(xero, uk, acme):
    invoice = create(
        xero,
        uk,
        bill(
            acme, line_amount_types=LineAmountTypes.INCLUSIVE, lines=[line("Box", 1, "10.00"), line("Tape", 3, "2.35")]
        ),
    )

    assert [item.tax_amount for item in invoice.line_items] == [Decimal("1.67"), Decimal("1.18")]
    assert (invoice.sub_total, invoice.total_tax, invoice.total) == (Decimal("14.2"), Decimal("2.85"), Decimal("17.05"))


def test_no_tax_lines_have_no_tax(xero, uk, acme):
    invoice = create(xero, uk, bill(acme, line_amount_types=LineAmountTypes.NOTAX, lines=[line("Box", 2, "9.99")]))

    assert invoice.line_items[0].tax_type == "NONE" and invoice.total_tax == 0 and invoice.total == Decimal("19.98")


def test_default_tax_type_comes_from_the_account_and_gst_in_australia(xero, xero_sandbox, uk, acme):
    uk_bill = create(xero, uk, bill(acme, lines=[line("Freight", 1, "12.34", account_code="425")]))
    au_contact = xero_sandbox.seeded_contact_id(xero_sandbox.au_tenant_id, "Acme Packaging Ltd")
    freight = line("Freight", 1, "12.34", account_code="425")
    au_bill = create(xero, xero_sandbox.au_tenant_id, bill(au_contact, lines=[freight]))

    assert (uk_bill.line_items[0].tax_type, uk_bill.total_tax) == ("INPUT2", Decimal("2.47"))
    assert (au_bill.line_items[0].tax_type, au_bill.total_tax) == ("INPUT", Decimal("1.23"))
    assert au_bill.currency_code == CurrencyCode.AUD


def test_explicit_tax_amount_is_honoured_and_a_wrong_line_amount_refused(xero, uk, acme):
    adjusted = create(xero, uk, bill(acme, lines=[line("Box", 1, "10.00", tax_amount=Decimal("1.99"))]))
    wrong_total = bill(acme, lines=[line("Box", 2, "10.00", line_amount=Decimal("25"))])
    mismatch = xero.accounting.create_invoices(uk, bills(wrong_total), summarize_errors=False).invoices[0]

    assert (adjusted.total_tax, adjusted.total) == (Decimal("1.99"), Decimal("11.99"))
    assert mismatch.has_errors and "does not equal Quantity × UnitAmount" in messages(mismatch)[0]


def test_amount_due_and_line_ids_are_returned(xero, uk, acme):
    invoice = create(xero, uk, bill(acme, lines=[line("A", 1, "10"), line("B", 2, "5")]))

    assert invoice.amount_due == invoice.total == Decimal("24") and invoice.amount_paid == 0
    assert all(item.line_item_id for item in invoice.line_items)
    assert invoice.status_attribute_string == "OK" and invoice.validation_errors == []


def test_foreign_currency_bill_gets_a_rate(xero, uk, acme):
    invoice = create(xero, uk, bill(acme, currency_code=CurrencyCode.EUR))

    assert invoice.currency_code == CurrencyCode.EUR and invoice.currency_rate == Decimal("1.17")
