"""A large account for benchmarks: many issued invoices written with bulk inserts."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from contacts.models import Vendor, VendorKind
from invoicing.models import (
    InvoiceStatus,
    LineKind,
    PurchaseInvoice,
    PurchaseInvoiceLine,
    PurchaseOrder,
    PurchaseOrderLine,
)
from invoicing.money import line_amounts
from onport.models import Account, NumberSequence, Plan
from onport.services import sequence_reserve

CHUNK = 1000
LINES_PER_INVOICE = 5
SHIPPING = Decimal("6.50")
TAX_RATE = Decimal("20.00")


def bulk_account_seed(*, name: str, invoices: int, vendors: int = 40) -> Account:
    """An account with `invoices` issued invoices (5 product lines + shipping each), one PO per invoice."""
    account, _ = Account.objects.get_or_create(name=name, defaults={"plan": Plan.ADVANCE})
    vendor_rows = list(account.vendors.all()) or Vendor.objects.bulk_create(
        _vendor(account, index) for index in range(vendors)
    )
    first_po = sequence_reserve(account=account, name="purchase_order", count=invoices)
    first_invoice = sequence_reserve(account=account, name="invoice", count=invoices)
    books = _Books(account, vendor_rows, first_po, first_invoice)
    for start in range(0, invoices, CHUNK):
        with transaction.atomic():
            _chunk([(books, index) for index in range(start, min(start + CHUNK, invoices))])
    return account


def bulk_accounts_seed(*, names: list[str], invoices: int, vendors: int = 40) -> list[Account]:
    """New accounts like `bulk_account_seed`'s, written in a few statements for all of them (benchmarks across
    thousands of organisations); their number sequences end where `sequence_reserve` would have left them."""
    accounts = Account.objects.bulk_create([Account(name=name, plan=Plan.ADVANCE) for name in names], batch_size=CHUNK)
    vendor_rows = Vendor.objects.bulk_create(
        [_vendor(account, index) for account in accounts for index in range(vendors)], batch_size=CHUNK
    )
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(account=account, name=sequence, last_value=invoices)
            for account in accounts
            for sequence in ("purchase_order", "invoice")
        ],
        batch_size=CHUNK,
    )
    slots = [
        (_Books(account, vendor_rows[number * vendors : (number + 1) * vendors], 1, 1), index)
        for number, account in enumerate(accounts)
        for index in range(invoices)
    ]
    for start in range(0, len(slots), CHUNK):
        with transaction.atomic():
            _chunk(slots[start : start + CHUNK])
    return accounts


@dataclass(frozen=True)
class _Books:
    """One account's vendors and the first PO and invoice numbers reserved for its bulk invoices."""

    account: Account
    vendors: list[Vendor]
    first_po: int
    first_invoice: int


def _vendor(account: Account, index: int) -> Vendor:
    return Vendor(
        account=account,
        kind=VendorKind.DROPSHIP if index % 2 else VendorKind.REPLENISHMENT,
        name=f"Bulk Vendor {index:03d}",
        email=f"ap@bulk-vendor-{index:03d}.test",
        currency="GBP",
        tax_number=f"GB{900000000 + index}",
    )


# Every bulk invoice has the same lines: their amounts are worked out once.
PRODUCT_LINES = [
    (f"BULK-{position}", f"Bulk product {position}", position + 1, Decimal("3.3333") + position)
    for position in range(LINES_PER_INVOICE)
]
PRODUCT_AMOUNTS = [
    line_amounts(quantity=quantity, unit_cost=unit_cost, tax_rate=TAX_RATE, include_tax=False)
    for _, _, quantity, unit_cost in PRODUCT_LINES
]
SHIPPING_AMOUNTS = line_amounts(quantity=1, unit_cost=SHIPPING, tax_rate=TAX_RATE, include_tax=False)
SUBTOTAL = sum((amounts.net for amounts in [*PRODUCT_AMOUNTS, SHIPPING_AMOUNTS]), Decimal("0"))
TAX_TOTAL = sum((amounts.tax for amounts in [*PRODUCT_AMOUNTS, SHIPPING_AMOUNTS]), Decimal("0"))


def _chunk(slots: list[tuple[_Books, int]]) -> None:
    """The POs, PO lines, invoices and invoice lines of these (account's books, invoice index) slots.
    Related rows are named by id: assigning objects costs more than the inserts at this size."""
    day0 = datetime.date(2026, 1, 1)
    orders = PurchaseOrder.objects.bulk_create(
        PurchaseOrder(
            account_id=books.account.pk,
            vendor_id=books.vendors[index % len(books.vendors)].pk,
            kind=books.vendors[index % len(books.vendors)].kind,
            number=f"PO-{1000 + books.first_po + index}",
            currency="GBP",
            shipping_cost=SHIPPING,
            shipping_tax_rate=TAX_RATE,
            ordered_on=day0 + datetime.timedelta(days=index % 300),
        )
        for books, index in slots
    )
    order_lines = PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(
            account_id=order.account_id,
            order_id=order.pk,
            sku=sku,
            product_name=product_name,
            quantity=quantity,
            unit_cost=unit_cost,
            tax_rate=TAX_RATE,
        )
        for order in orders
        for sku, product_name, quantity, unit_cost in PRODUCT_LINES
    )
    invoices = PurchaseInvoice.objects.bulk_create(
        PurchaseInvoice(
            account_id=order.account_id,
            order_id=order.pk,
            vendor_id=order.vendor_id,
            kind=order.kind,
            number=f"INV-{books.first_invoice + index:06d}",
            status=InvoiceStatus.ISSUED,
            issue_date=order.ordered_on,
            due_date=order.ordered_on + datetime.timedelta(days=30),
            currency="GBP",
            subtotal=SUBTOTAL,
            tax_total=TAX_TOTAL,
            total=SUBTOTAL + TAX_TOTAL,
        )
        for order, (books, index) in zip(orders, slots)
    )
    invoice_lines = []
    for order_index, invoice in enumerate(invoices):
        mine = order_lines[order_index * LINES_PER_INVOICE : (order_index + 1) * LINES_PER_INVOICE]
        rows = [
            (LineKind.PRODUCT, line, line.sku, line.product_name, line.quantity, line.unit_cost, amounts)
            for line, amounts in zip(mine, PRODUCT_AMOUNTS)
        ]
        rows.append((LineKind.SHIPPING, None, "", "Shipping", 1, SHIPPING, SHIPPING_AMOUNTS))
        for kind, order_line, sku, description, quantity, unit_cost, amounts in rows:
            invoice_lines.append(
                PurchaseInvoiceLine(
                    account_id=invoice.account_id,
                    invoice_id=invoice.pk,
                    kind=kind,
                    order_line_id=order_line.pk if order_line else None,
                    sku=sku,
                    description=description,
                    quantity=quantity,
                    unit_cost=unit_cost,
                    tax_rate=TAX_RATE,
                    net_amount=amounts.net,
                    tax_amount=amounts.tax,
                    gross_amount=amounts.gross,
                )
            )
    PurchaseInvoiceLine.objects.bulk_create(invoice_lines)
