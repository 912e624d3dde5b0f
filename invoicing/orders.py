"""Purchase orders: creating them, and what their invoices have used up so far."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from contacts.models import Vendor
from invoicing.dates import date_problem
from invoicing.errors import InvoicingError
from invoicing.models import (
    LineKind,
    PurchaseInvoice,
    PurchaseInvoiceLine,
    PurchaseOrder,
    PurchaseOrderLine,
)
from invoicing.money import MONEY_LIMIT, MONEY_LIMIT_WORDS, line_amounts
from onport.models import Account
from onport.services import sequence_next
from onport.submits import submit_claim, submit_done


@dataclass(frozen=True)
class OrderLineInput:
    sku: str
    product_name: str
    quantity: int
    unit_cost: Decimal
    tax_rate: Decimal


def purchase_order_create(
    *,
    account: Account,
    vendor: Vendor,
    lines: Iterable[OrderLineInput],
    ordered_on: datetime.date,
    shipping_cost: Decimal = Decimal("0.00"),
    shipping_tax_rate: Decimal = Decimal("0.00"),
    sales_order_reference: str = "",
    sales_channel: str = "",
    brand: str = "",
    submit_token: str = "",
) -> PurchaseOrder:
    lines = list(lines)
    if vendor.account_id != account.id:
        raise InvoicingError("That vendor does not belong to this account.")
    if not lines:
        raise InvoicingError("A purchase order needs at least one line.")
    if problem := date_problem(ordered_on, what="The order date"):
        raise InvoicingError(problem)
    _check_total_fits(vendor=vendor, lines=lines, shipping_cost=shipping_cost, shipping_tax_rate=shipping_tax_rate)
    with transaction.atomic():
        claim = submit_claim(account=account, token=submit_token)
        number = f"PO-{1000 + sequence_next(account=account, name='purchase_order')}"
        order = PurchaseOrder(
            account=account,
            vendor=vendor,
            kind=vendor.kind,
            number=number,
            sales_order_reference=sales_order_reference,
            sales_channel=sales_channel.strip(),
            brand=brand.strip(),
            currency=vendor.currency,
            shipping_cost=shipping_cost,
            shipping_tax_rate=shipping_tax_rate,
            ordered_on=ordered_on,
        )
        order.full_clean()
        order.save()
        order_lines = [PurchaseOrderLine(account=account, order=order, **line.__dict__) for line in lines]
        for line in order_lines:
            line.full_clean(exclude=["order"])
        PurchaseOrderLine.objects.bulk_create(order_lines)
        submit_done(claim, result=order)
    return order


def _check_total_fits(
    *, vendor: Vendor, lines: list[OrderLineInput], shipping_cost: Decimal, shipping_tax_rate: Decimal
) -> None:
    """The order, invoiced in full, must fit an invoice's amounts (so it can always be invoiced)."""
    include_tax = vendor.prices_include_tax
    total = sum(
        (
            line_amounts(
                quantity=line.quantity, unit_cost=line.unit_cost, tax_rate=line.tax_rate, include_tax=include_tax
            ).gross
            for line in lines
        ),
        Decimal("0.00"),
    )
    total += line_amounts(
        quantity=1, unit_cost=shipping_cost, tax_rate=shipping_tax_rate, include_tax=include_tax
    ).gross
    if total > MONEY_LIMIT:
        raise InvoicingError(
            f"This order would come to {total:,} {vendor.currency}: an invoice holds at most "
            f"{MONEY_LIMIT_WORDS}. Check the quantities and unit costs, or split it into several orders."
        )


def order_invoiced_quantities(*, order: PurchaseOrder, excluding: PurchaseInvoice | None = None) -> dict[int, int]:
    """Quantities already invoiced per order line, by invoices that are not void."""
    lines = PurchaseInvoiceLine.objects.filter(
        order_line__order=order, invoice__in=PurchaseInvoice.objects.counting_towards_order()
    )
    if excluding is not None:
        lines = lines.exclude(invoice=excluding)
    rows = lines.values("order_line_id").annotate(invoiced=Sum("quantity"))
    return {row["order_line_id"]: row["invoiced"] for row in rows}


def order_invoiced_shipping(*, order: PurchaseOrder, excluding: PurchaseInvoice | None = None) -> Decimal:
    lines = PurchaseInvoiceLine.objects.filter(
        kind=LineKind.SHIPPING, invoice__order=order, invoice__in=PurchaseInvoice.objects.counting_towards_order()
    )
    if excluding is not None:
        lines = lines.exclude(invoice=excluding)
    return lines.aggregate(total=Sum("unit_cost"))["total"] or Decimal("0.00")
