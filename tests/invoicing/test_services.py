import datetime
from decimal import Decimal

import pytest

from invoicing import orders, services
from invoicing.errors import InvoicingError
from invoicing.models import InvoiceStatus, LineKind
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _quantities(order, *quantities):
    return {line.id: quantity for line, quantity in zip(order.lines.all(), quantities)}


def test_invoice_totals_use_per_line_tax_and_include_shipping(vendor):
    # given an order: 3 × 10.00 and 2 × 4.50 at 20 %, shipping 5.00 at 20 %
    order = order_create(vendor=vendor)

    invoice = invoice_create(order=order, issue=False)

    assert [(line.kind, line.net_amount, line.tax_amount) for line in invoice.lines.all()] == [
        (LineKind.PRODUCT, Decimal("30.00"), Decimal("6.00")),
        (LineKind.PRODUCT, Decimal("9.00"), Decimal("1.80")),
        (LineKind.SHIPPING, Decimal("5.00"), Decimal("1.00")),
    ]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (Decimal("44.00"), Decimal("8.80"), Decimal("52.80"))
    assert invoice.number.startswith("INV-") and invoice.status == InvoiceStatus.DRAFT
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=vendor.payment_terms_days)


def test_inclusive_vendor_prices_are_split_into_net_and_tax(account):
    vendor = VendorFactory(account=account, prices_include_tax=True)
    order = order_create(vendor=vendor, lines=[(1, "9.99")], shipping="0.00")

    invoice = invoice_create(order=order)

    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (Decimal("8.32"), Decimal("1.67"), Decimal("9.99"))


def test_part_invoices_never_exceed_what_was_ordered(vendor):
    order = order_create(vendor=vendor, lines=[(10, "2.00"), (4, "1.00")])
    first = invoice_create(order=order, quantities=[6, 4])

    with pytest.raises(InvoicingError) as refused:
        services.invoice_create(account=order.account, order=order, quantities=_quantities(order, 5, 0))

    assert "only 4 of the 10 ordered are left" in str(refused.value)
    second = invoice_create(order=order, quantities=[4, 0])
    assert first.number != second.number
    assert [line.quantity for line in second.lines.filter(kind=LineKind.PRODUCT)] == [4]


def test_shipping_is_invoiced_once_by_default(vendor):
    order = order_create(vendor=vendor, lines=[(2, "1.00")], shipping="7.50")

    first = invoice_create(order=order, quantities=[1])
    second = invoice_create(order=order, quantities=[1])

    assert first.lines.filter(kind=LineKind.SHIPPING).get().unit_cost == Decimal("7.50")
    assert not second.lines.filter(kind=LineKind.SHIPPING).exists()


def test_voiding_an_invoice_frees_its_quantities(vendor):
    order = order_create(vendor=vendor, lines=[(2, "1.00")])
    invoice = invoice_create(order=order)

    services.invoice_void(invoice=invoice, reason="Vendor sent it twice")

    again = invoice_create(order=order)
    assert again.lines.filter(kind=LineKind.PRODUCT).get().quantity == 2


def test_an_invoice_must_bill_something(vendor):
    order = order_create(vendor=vendor, shipping="0.00")

    with pytest.raises(InvoicingError, match="at least one line"):
        services.invoice_create(account=order.account, order=order, quantities=_quantities(order, 0, 0))


def test_lines_of_another_order_are_refused(vendor):
    order = order_create(vendor=vendor)
    other = order_create(vendor=vendor)

    with pytest.raises(InvoicingError, match="not on this purchase order"):
        services.invoice_create(account=order.account, order=order, quantities=_quantities(other, 1, 1))


def test_amending_an_issued_invoice_needs_a_reason_and_is_recorded(vendor, finance_client):
    order = order_create(vendor=vendor)
    invoice = invoice_create(order=order)
    user = finance_client.user

    with pytest.raises(InvoicingError, match="Say why"):
        services.invoice_change_lines(invoice=invoice, quantities=_quantities(order, 1, 2), shipping=Decimal("5"))

    amended = services.invoice_change_lines(
        invoice=invoice, quantities=_quantities(order, 1, 2), shipping=Decimal("5"), actor=user, reason="Short shipped"
    )
    event = amended.events.first()
    assert event.action == "amended" and event.actor == user
    assert "Short shipped" in event.message and "52.80 → 28.80" in event.message
    assert amended.total == Decimal("28.80")


def test_status_flow_draft_issued_paid_and_refusals(vendor):
    invoice = invoice_create(order=order_create(vendor=vendor), issue=False)

    with pytest.raises(InvoicingError, match="Only an issued invoice"):
        services.invoice_mark_paid(invoice=invoice)
    issued = services.invoice_issue(invoice=invoice)
    with pytest.raises(InvoicingError, match="Only a draft"):
        services.invoice_issue(invoice=issued)
    paid = services.invoice_mark_paid(invoice=issued)
    with pytest.raises(InvoicingError, match="cannot be voided"):
        services.invoice_void(invoice=paid, reason="oops")
    with pytest.raises(InvoicingError, match="cannot be changed"):
        services.invoice_change_lines(invoice=paid, quantities={}, shipping=Decimal("0"), reason="x")
    assert [event.action for event in paid.events.all()] == ["paid", "issued", "created"]


def test_adjustments_only_on_issued_or_paid_invoices(vendor):
    draft = invoice_create(order=order_create(vendor=vendor), issue=False)
    with pytest.raises(InvoicingError, match="issued or paid"):
        services.adjustment_add(invoice=draft, kind="credit", amount=Decimal("1.00"), reason="Damaged")

    issued = services.invoice_issue(invoice=draft)
    adjustment = services.adjustment_add(invoice=issued, kind="credit", amount=Decimal("3.50"), reason="Damaged")

    assert adjustment.amount == Decimal("3.50")
    assert issued.events.first().message == "Credit adjustment of 3.50: Damaged"


def test_purchase_order_refuses_another_accounts_vendor(account, other_account):
    foreign = VendorFactory(account=other_account)
    with pytest.raises(InvoicingError, match="does not belong"):
        orders.purchase_order_create(account=account, vendor=foreign, lines=[], ordered_on=datetime.date.today())
