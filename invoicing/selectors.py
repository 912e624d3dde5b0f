import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from invoicing.models import (
    InvoiceDocument,
    InvoiceEvent,
    LineKind,
    PurchaseInvoice,
    PurchaseOrder,
    PurchaseOrderLine,
)
from invoicing.money import line_amounts, round_money
from invoicing.orders import order_invoiced_quantities, order_invoiced_shipping
from onport.models import Account


@dataclass(frozen=True)
class InvoiceSearch:
    """The "search invoices" form's criteria; every field is optional."""

    number: str = ""
    vendor_id: int | None = None
    kind: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


def invoice_search(*, account: Account, search: InvoiceSearch) -> QuerySet[PurchaseInvoice]:
    invoices = PurchaseInvoice.objects.for_account(account).select_related("vendor", "order")
    if search.number:  # Onport's number or the vendor's own (each has a trigram index on PostgreSQL)
        number = search.number.strip()
        invoices = invoices.filter(Q(number__icontains=number) | Q(vendor_invoice_number__icontains=number))
    if search.vendor_id:
        invoices = invoices.filter(vendor_id=search.vendor_id)
    if search.kind:
        invoices = invoices.filter(kind=search.kind)
    if search.status:
        invoices = invoices.filter(status=search.status)
    if search.date_from:
        invoices = invoices.filter(issue_date__gte=search.date_from)
    if search.date_to:
        invoices = invoices.filter(issue_date__lte=search.date_to)
    if search.amount_min is not None:
        invoices = invoices.filter(total__gte=search.amount_min)
    if search.amount_max is not None:
        invoices = invoices.filter(total__lte=search.amount_max)
    return invoices.order_by("-issue_date", "-id")


def invoice_find(*, account: Account, invoice_id: int) -> PurchaseInvoice:
    """The account's invoice alone (for an action), or 404 — another account's id included."""
    return get_object_or_404(PurchaseInvoice.objects.for_account(account).select_related("vendor"), pk=invoice_id)


def invoice_get(*, account: Account, invoice_id: int) -> PurchaseInvoice:
    """The account's invoice with what its page shows, or 404 (another account's id included)."""
    invoices = PurchaseInvoice.objects.for_account(account).select_related("vendor", "order", "created_by")
    invoices = invoices.prefetch_related(
        "lines", "adjustments", Prefetch("events", queryset=InvoiceEvent.objects.select_related("actor"))
    )
    return get_object_or_404(invoices, pk=invoice_id)


def order_list(*, account: Account, kind: str = "", query: str = "") -> QuerySet[PurchaseOrder]:
    orders = PurchaseOrder.objects.for_account(account).select_related("vendor")
    if kind:
        orders = orders.filter(kind=kind)
    if query:
        orders = orders.filter(number__icontains=query.strip()) | orders.filter(
            sales_order_reference__icontains=query.strip()
        )
    return orders.order_by("-ordered_on", "-id")


def order_totals(*, orders: list[PurchaseOrder]) -> dict[int, Decimal]:
    """What each order comes to, tax and shipping included, rounded per line as invoices are (one query)."""
    include_tax = {order.pk: order.vendor.prices_include_tax for order in orders}
    totals = {
        order.pk: line_amounts(
            quantity=1,
            unit_cost=order.shipping_cost,
            tax_rate=order.shipping_tax_rate,
            include_tax=include_tax[order.pk],
        ).gross
        for order in orders
    }
    lines = PurchaseOrderLine.objects.filter(order__in=list(include_tax)).values_list(
        "order_id", "quantity", "unit_cost", "tax_rate"
    )
    for order_id, quantity, unit_cost, tax_rate in lines:
        totals[order_id] += line_amounts(
            quantity=quantity, unit_cost=unit_cost, tax_rate=tax_rate, include_tax=include_tax[order_id]
        ).gross
    return totals


def order_get(*, account: Account, order_id: int) -> PurchaseOrder:
    orders = PurchaseOrder.objects.for_account(account).select_related("vendor")
    return get_object_or_404(orders.prefetch_related("lines", "invoices"), pk=order_id)


@dataclass(frozen=True)
class OrderLineProgress:
    line: PurchaseOrderLine
    invoiced: int

    @property
    def remaining(self) -> int:
        return self.line.quantity - self.invoiced


def order_progress(*, order: PurchaseOrder) -> tuple[list[OrderLineProgress], Decimal]:
    """Per line, how much is invoiced and left; and the shipping left to invoice."""
    invoiced = order_invoiced_quantities(order=order)
    lines = [OrderLineProgress(line=line, invoiced=invoiced.get(line.id, 0)) for line in order.lines.all()]
    return lines, order.shipping_cost - order_invoiced_shipping(order=order)


@dataclass(frozen=True)
class OrderOverview:
    """What the order page shows: the order, each line's progress and the shipping left to invoice."""

    order: PurchaseOrder
    lines: list[OrderLineProgress]
    shipping_left: Decimal

    @property
    def fully_invoiced(self) -> bool:
        return self.shipping_left <= 0 and all(progress.remaining <= 0 for progress in self.lines)


def order_overview(*, account: Account, order_id: int) -> OrderOverview:
    order = order_get(account=account, order_id=order_id)
    lines, shipping_left = order_progress(order=order)
    return OrderOverview(order=order, lines=lines, shipping_left=round_money(shipping_left))


@dataclass(frozen=True)
class InvoiceLineChoice:
    """One order line as the invoice's edit form offers it."""

    line: PurchaseOrderLine
    on_invoice: int  # billed by this invoice now
    available: int  # the most this invoice may bill: what is left on the order plus its own


@dataclass(frozen=True)
class InvoiceLineChoices:
    lines: list[InvoiceLineChoice]
    shipping: Decimal  # billed by this invoice now
    shipping_available: Decimal


def invoice_line_choices(*, invoice: PurchaseInvoice) -> InvoiceLineChoices:
    """For editing or amending an invoice: every line of its order, with what it may bill."""
    order = invoice.order
    others = order_invoiced_quantities(order=order, excluding=invoice)
    billed = {line.order_line_id: line.quantity for line in invoice.lines.all() if line.order_line_id}
    shipping = sum((line.unit_cost for line in invoice.lines.all() if line.kind == LineKind.SHIPPING), Decimal("0.00"))
    choices = [
        InvoiceLineChoice(
            line=line, on_invoice=billed.get(line.id, 0), available=line.quantity - others.get(line.id, 0)
        )
        for line in order.lines.all()
    ]
    shipping_available = order.shipping_cost - order_invoiced_shipping(order=order, excluding=invoice)
    return InvoiceLineChoices(
        lines=choices, shipping=round_money(shipping), shipping_available=round_money(shipping_available)
    )


def invoice_uploaded_document(*, invoice: PurchaseInvoice) -> InvoiceDocument | None:
    """The vendor's file of the invoice, without its content (the page names it; the download reads it)."""
    return InvoiceDocument.objects.filter(invoice=invoice).only("file_name", "size", "invoice_id").first()
