"""A credit on a mixed-rate invoice is split across its tax rates, so the credit note's VAT is right."""

from decimal import Decimal

import pytest

from accounting.sync.inputs import split_by_tax_rate
from accounting.sync.models import AccountingSync, SyncKind
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from invoicing import orders
from invoicing import services as invoicing
from tests.factories import VendorFactory, invoice_create


class _Line:
    def __init__(self, rate: str, gross: str):
        self.tax_rate, self.gross_amount = Decimal(rate), Decimal(gross)


def test_the_split_follows_the_gross_amounts_and_adds_up_to_the_cent():
    lines = [_Line("20.00", "120.00"), _Line("0.00", "30.00"), _Line("20.00", "60.00")]

    parts = split_by_tax_rate(Decimal("10.00"), lines)

    assert parts == [(Decimal("20"), Decimal("8.57")), (Decimal("0"), Decimal("1.43"))]  # 180:30 of 210
    for amount in ("0.01", "0.02", "33.33", "99.99", "1000.00"):
        assert sum(part for _, part in split_by_tax_rate(Decimal(amount), lines)) == Decimal(amount)
    assert split_by_tax_rate(Decimal("5.00"), [_Line("20.00", "10.00")]) == [(Decimal("20"), Decimal("5.00"))]


@pytest.mark.django_db
def test_a_credit_note_for_a_mixed_rate_invoice_carries_each_rates_tax(
    books, account, django_capture_on_commit_callbacks
):
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor)
    order = orders.purchase_order_create(
        account=account,
        vendor=vendor,
        ordered_on=vendor.created_at.date(),
        shipping_cost=Decimal("0"),
        shipping_tax_rate=Decimal("20.00"),
        lines=[
            orders.OrderLineInput(
                sku="LAMP", product_name="Lamp", quantity=1, unit_cost=Decimal("100.00"), tax_rate=Decimal("20.00")
            ),
            orders.OrderLineInput(
                sku="BOOK", product_name="Book", quantity=1, unit_cost=Decimal("30.00"), tax_rate=Decimal("0.00")
            ),
        ],
    )
    invoice = invoice_create(order=order)  # 120.00 at 20 % + 30.00 at 0 % = 150.00
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)

    with django_capture_on_commit_callbacks(execute=True):
        invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("15.00"), reason="Damaged")

    sync = AccountingSync.objects.get(invoice=invoice, kind=SyncKind.CREDIT_NOTE)
    org = books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id]
    note = org["credit_notes"][sync.xero_id.lower()]
    lines = sorted((line["TaxType"], Decimal(str(line["LineAmount"]))) for line in note["LineItems"])
    assert lines == [("INPUT2", Decimal("12.00")), ("ZERORATEDINPUT", Decimal("3.00"))]
    assert Decimal(str(note["Total"])) == Decimal("15.00") and Decimal(str(note["TotalTax"])) == Decimal("2.00")
