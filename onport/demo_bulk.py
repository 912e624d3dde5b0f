"""A large account for benchmarks: many issued invoices written with bulk inserts."""

import datetime
from decimal import Decimal

from django.db import transaction

from contacts.models import Vendor, VendorKind
from invoicing.models import InvoiceStatus, LineKind, PurchaseInvoice, PurchaseInvoiceLine, PurchaseOrder, PurchaseOrderLine
from invoicing.money import line_amounts
from onport.models import Account, Plan
from onport.services import sequence_reserve

CHUNK = 1000
LINES_PER_INVOICE = 5
SHIPPING = Decimal("6.50")
TAX_RATE = Decimal("20.00")


def bulk_account_seed(*, name: str, invoices: int, vendors: int = 40) -> Account:
    """An account with `invoices` issued invoices (5 product lines + shipping each), one PO per invoice."""
    account, _ = Account.objects.get_or_create(name=name, defaults={"plan": Plan.ADVANCE})
    vendor_rows = list(account.vendors.all()) or _vendors(account, vendors)
    first_po = sequence_reserve(account=account, name="purchase_order", count=invoices)
    first_invoice = sequence_reserve(account=account, name="invoice", count=invoices)
    for start in range(0, invoices, CHUNK):
        with transaction.atomic():
            _chunk(account, vendor_rows, range(start, min(start + CHUNK, invoices)), first_po, first_invoice)
    return account


def _vendors(account: Account, count: int) -> list[Vendor]:
    return Vendor.objects.bulk_create(
        Vendor(
            account=account,
            kind=VendorKind.DROPSHIP if index % 2 else VendorKind.REPLENISHMENT,
            name=f"Bulk Vendor {index:03d}",
            email=f"ap@bulk-vendor-{index:03d}.test",
            currency="GBP",
            tax_number=f"GB{900000000 + index}",
        )
        for index in range(count)
    )


def _chunk(account, vendors, indexes, first_po, first_invoice) -> None:
    day0 = datetime.date(2026, 1, 1)
    orders = PurchaseOrder.objects.bulk_create(
        PurchaseOrder(
            account=account,
            vendor=vendors[index % len(vendors)],
            kind=vendors[index % len(vendors)].kind,
            number=f"PO-{1000 + first_po + index}",
            currency="GBP",
            shipping_cost=SHIPPING,
            shipping_tax_rate=TAX_RATE,
            ordered_on=day0 + datetime.timedelta(days=index % 300),
        )
        for index in indexes
    )
    order_lines = PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(
            account=account,
            order=order,
            sku=f"BULK-{position}",
            product_name=f"Bulk product {position}",
            quantity=position + 1,
            unit_cost=Decimal("3.3333") + position,
            tax_rate=TAX_RATE,
        )
        for order in orders
        for position in range(LINES_PER_INVOICE)
    )
    invoices = []
    for order, index in zip(orders, indexes):
        invoice = PurchaseInvoice(
            account=account, order=order, vendor=order.vendor, kind=order.kind,
            number=f"INV-{first_invoice + index:06d}", status=InvoiceStatus.ISSUED,
            issue_date=order.ordered_on, due_date=order.ordered_on + datetime.timedelta(days=30), currency="GBP",
        )
        invoices.append(invoice)
    PurchaseInvoice.objects.bulk_create(invoices)
    invoice_lines = []
    for order_index, invoice in enumerate(invoices):
        mine = order_lines[order_index * LINES_PER_INVOICE : (order_index + 1) * LINES_PER_INVOICE]
        rows = [(LineKind.PRODUCT, line, line.sku, line.product_name, line.quantity, line.unit_cost) for line in mine]
        rows.append((LineKind.SHIPPING, None, "", "Shipping", 1, SHIPPING))
        for kind, order_line, sku, description, quantity, unit_cost in rows:
            amounts = line_amounts(quantity=quantity, unit_cost=unit_cost, tax_rate=TAX_RATE, include_tax=False)
            invoice_lines.append(
                PurchaseInvoiceLine(
                    account=account, invoice=invoice, kind=kind, order_line=order_line, sku=sku,
                    description=description, quantity=quantity, unit_cost=unit_cost, tax_rate=TAX_RATE,
                    net_amount=amounts.net, tax_amount=amounts.tax, gross_amount=amounts.gross,
                )
            )
            invoice.subtotal += amounts.net
            invoice.tax_total += amounts.tax
        invoice.total = invoice.subtotal + invoice.tax_total
    PurchaseInvoiceLine.objects.bulk_create(invoice_lines)
    PurchaseInvoice.objects.bulk_update(invoices, ["subtotal", "tax_total", "total"])
