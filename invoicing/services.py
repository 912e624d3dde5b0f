"""Purchase order and purchase invoice workflows."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoicing.dates import date_problem
from invoicing.errors import InvoicingError
from invoicing.models import (
    AdjustmentKind,
    InvoiceAdjustment,
    InvoiceEvent,
    InvoiceStatus,
    LineKind,
    PurchaseInvoice,
    PurchaseInvoiceLine,
    PurchaseOrder,
    PurchaseOrderLine,
)
from invoicing.money import line_amounts, round_money
from invoicing.orders import order_invoiced_quantities, order_invoiced_shipping
from onport import events
from onport.models import Account
from onport.services import sequence_next
from onport.submits import submit_claim, submit_done


def _check_quantities(
    *, order: PurchaseOrder, quantities: Mapping[int, int], excluding: PurchaseInvoice | None = None
) -> list[PurchaseOrderLine]:
    order_lines = {line.id: line for line in order.lines.all()}
    unknown = set(quantities) - set(order_lines)
    if unknown:
        raise InvoicingError("Some lines are not on this purchase order.")
    invoiced = order_invoiced_quantities(order=order, excluding=excluding)
    problems = []
    for line_id, quantity in quantities.items():
        line = order_lines[line_id]
        left = line.quantity - invoiced.get(line_id, 0)
        if quantity < 0:
            problems.append(f"{line.sku}: the quantity cannot be negative.")
        elif quantity > left:
            problems.append(
                f"{line.sku}: you asked to invoice {quantity}, but only {left} of the {line.quantity} ordered "
                "are left to invoice."
            )
    if problems:
        raise InvoicingError(problems)
    return [order_lines[line_id] for line_id, quantity in sorted(quantities.items()) if quantity > 0]


def _build_lines(
    *, invoice: PurchaseInvoice, order_lines: list[PurchaseOrderLine], quantities: Mapping[int, int], shipping: Decimal
) -> list[PurchaseInvoiceLine]:
    lines = []
    for order_line in order_lines:
        amounts = line_amounts(
            quantity=quantities[order_line.id],
            unit_cost=order_line.unit_cost,
            tax_rate=order_line.tax_rate,
            include_tax=invoice.amounts_include_tax,
        )
        lines.append(
            PurchaseInvoiceLine(
                account=invoice.account,
                invoice=invoice,
                kind=LineKind.PRODUCT,
                order_line=order_line,
                sku=order_line.sku,
                description=order_line.product_name,
                quantity=quantities[order_line.id],
                unit_cost=order_line.unit_cost,
                tax_rate=order_line.tax_rate,
                net_amount=amounts.net,
                tax_amount=amounts.tax,
                gross_amount=amounts.gross,
            )
        )
    if shipping > 0:
        tax_rate = invoice.order.shipping_tax_rate
        amounts = line_amounts(
            quantity=1, unit_cost=shipping, tax_rate=tax_rate, include_tax=invoice.amounts_include_tax
        )
        lines.append(
            PurchaseInvoiceLine(
                account=invoice.account,
                invoice=invoice,
                kind=LineKind.SHIPPING,
                description="Shipping",
                quantity=1,
                unit_cost=shipping,
                tax_rate=tax_rate,
                net_amount=amounts.net,
                tax_amount=amounts.tax,
                gross_amount=amounts.gross,
            )
        )
    return lines


def _replace_lines(*, invoice: PurchaseInvoice, lines: list[PurchaseInvoiceLine]) -> None:
    invoice.lines.all().delete()
    PurchaseInvoiceLine.objects.bulk_create(lines)
    invoice.subtotal = sum((line.net_amount for line in lines), Decimal("0.00"))
    invoice.tax_total = sum((line.tax_amount for line in lines), Decimal("0.00"))
    invoice.total = invoice.subtotal + invoice.tax_total


def _record(invoice: PurchaseInvoice, *, actor, action: str, message: str, **details) -> None:
    InvoiceEvent.objects.create(
        account=invoice.account, invoice=invoice, actor=actor, action=action, message=message, details=details
    )


def invoice_create(
    *,
    account: Account,
    order: PurchaseOrder,
    quantities: Mapping[int, int],
    shipping: Decimal | None = None,
    issue_date: datetime.date | None = None,
    vendor_invoice_number: str = "",
    actor=None,
    submit_token: str = "",
) -> PurchaseInvoice:
    """A draft invoice for some or all of the order's remaining quantities (with the vendor's own number, if given).

    `shipping` defaults to all the shipping not yet invoiced. The order row is locked so two
    invoices created at once can never invoice more than was ordered.
    """
    with transaction.atomic():
        claim = submit_claim(account=account, token=submit_token)
        order = PurchaseOrder.objects.select_for_update().select_related("vendor").get(account=account, pk=order.pk)
        order_lines = _check_quantities(order=order, quantities=quantities)
        shipping_left = order.shipping_cost - order_invoiced_shipping(order=order)
        shipping = shipping_left if shipping is None else round_money(shipping)
        if shipping < 0 or shipping > shipping_left:
            raise InvoicingError(f"Shipping can be at most {shipping_left} (what is left of the order's shipping).")
        if not order_lines and shipping == 0:
            raise InvoicingError("Choose at least one line (or shipping) to invoice.")
        issue_date = issue_date or timezone.localdate()
        if problem := date_problem(issue_date, what="The issue date"):
            raise InvoicingError(problem)
        _check_vendor_number(order.vendor, vendor_invoice_number.strip())
        invoice = PurchaseInvoice(
            account=account,
            order=order,
            vendor=order.vendor,
            kind=order.kind,
            number=f"INV-{sequence_next(account=account, name='invoice'):06d}",
            vendor_invoice_number=vendor_invoice_number.strip(),
            issue_date=issue_date,
            due_date=issue_date + datetime.timedelta(days=order.vendor.payment_terms_days),
            currency=order.currency,
            amounts_include_tax=order.vendor.prices_include_tax,
            created_by=actor,
        )
        invoice.full_clean()
        invoice.save()
        _replace_lines(
            invoice=invoice,
            lines=_build_lines(invoice=invoice, order_lines=order_lines, quantities=quantities, shipping=shipping),
        )
        invoice.save(update_fields=["subtotal", "tax_total", "total", "updated_at"])
        _record(invoice, actor=actor, action="created", message=f"Draft invoice created for {order.number}.")
        submit_done(claim, result=invoice)
    return invoice


def _check_vendor_number(vendor, number: str, *, excluding: PurchaseInvoice | None = None) -> None:
    """The vendor's number is theirs once: a second invoice with it is refused, naming the first."""
    if not number:
        return
    same = PurchaseInvoice.objects.filter(account_id=vendor.account_id, vendor=vendor, vendor_invoice_number=number)
    if excluding is not None:
        same = same.exclude(pk=excluding.pk)
    first = same.first()
    if first is not None:
        raise InvoicingError(f"{vendor.name}'s invoice number {number} is already on invoice {first.number}.")


def invoice_vendor_number_set(*, invoice: PurchaseInvoice, number: str, actor=None) -> PurchaseInvoice:
    """Record (or correct) the vendor's own invoice number; kept in the invoice's history."""
    number = number.strip()
    with transaction.atomic():
        invoice = PurchaseInvoice.objects.select_for_update().select_related("vendor").get(pk=invoice.pk)
        if invoice.vendor_invoice_number == number:
            return invoice
        if invoice.status == InvoiceStatus.VOID:
            raise InvoicingError(f"Invoice {invoice.number} is void: its numbers stay as they were.")
        _check_vendor_number(invoice.vendor, number, excluding=invoice)
        before, invoice.vendor_invoice_number = invoice.vendor_invoice_number, number
        invoice.full_clean()
        invoice.save(update_fields=["vendor_invoice_number", "updated_at"])
        said = f"Vendor's invoice number set to {number}" if number else "Vendor's invoice number removed"
        _record(
            invoice,
            actor=actor,
            action="vendor_number",
            message=f"{said}{f' (was {before})' if before else ''}.",
            before=before,
            after=number,
        )
        events.publish_on_commit(events.VendorNumberSet(invoice_id=invoice.pk))
    return invoice


def invoice_change_lines(
    *, invoice: PurchaseInvoice, quantities: Mapping[int, int], shipping: Decimal, actor=None, reason: str = ""
) -> PurchaseInvoice:
    """Change what an invoice bills. Drafts change freely; an issued invoice needs a reason, recorded."""
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
        raise InvoicingError(f"A {invoice.get_status_display().lower()} invoice cannot be changed.")
    if invoice.status == InvoiceStatus.ISSUED and not reason.strip():
        raise InvoicingError("Say why this issued invoice is being amended; the reason is kept in its history.")
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=invoice.order_id, account=invoice.account)
        invoice = PurchaseInvoice.objects.select_for_update().select_related("order").get(pk=invoice.pk)
        order_lines = _check_quantities(order=order, quantities=quantities, excluding=invoice)
        shipping = round_money(shipping)
        shipping_left = order.shipping_cost - order_invoiced_shipping(order=order, excluding=invoice)
        if shipping < 0 or shipping > shipping_left:
            raise InvoicingError(f"Shipping can be at most {shipping_left} (what is left of the order's shipping).")
        if not order_lines and shipping == 0:
            raise InvoicingError("An invoice must bill at least one line or shipping.")
        before = str(invoice.total)
        _replace_lines(
            invoice=invoice,
            lines=_build_lines(invoice=invoice, order_lines=order_lines, quantities=quantities, shipping=shipping),
        )
        invoice.save(update_fields=["subtotal", "tax_total", "total", "updated_at"])
        if invoice.status == InvoiceStatus.ISSUED:
            message = f"Amended: total {before} → {invoice.total}. Reason: {reason.strip()}"
            _record(invoice, actor=actor, action="amended", message=message, before=before, after=str(invoice.total))
            events.publish_on_commit(events.InvoiceAmended(invoice_id=invoice.pk))
        else:
            _record(invoice, actor=actor, action="edited", message=f"Lines changed; total {invoice.total}.")
    return invoice


def _transition(invoice: PurchaseInvoice, *, allowed: set[str], target: str, refusal: str) -> PurchaseInvoice:
    invoice = PurchaseInvoice.objects.select_for_update().get(pk=invoice.pk, account=invoice.account_id)
    if invoice.status not in allowed:
        raise InvoicingError(refusal.format(status=invoice.get_status_display().lower()))
    invoice.status = target
    return invoice


def invoice_issue(*, invoice: PurchaseInvoice, actor=None) -> PurchaseInvoice:
    with transaction.atomic():
        invoice = _transition(
            invoice,
            allowed={InvoiceStatus.DRAFT},
            target=InvoiceStatus.ISSUED,
            refusal="Only a draft can be issued; this invoice is {status}.",
        )
        invoice.issued_at = timezone.now()
        invoice.save(update_fields=["status", "issued_at", "updated_at"])
        _record(invoice, actor=actor, action="issued", message="Invoice issued.")
        events.publish_on_commit(events.InvoiceIssued(invoice_id=invoice.pk))
    return invoice


def invoice_mark_paid(*, invoice: PurchaseInvoice, actor=None, paid_by: str = "") -> PurchaseInvoice:
    """Issued → paid; `paid_by` names what paid it (a payout run) in the invoice's history."""
    with transaction.atomic():
        invoice = _transition(
            invoice,
            allowed={InvoiceStatus.ISSUED},
            target=InvoiceStatus.PAID,
            refusal="Only an issued invoice can be marked paid; this invoice is {status}.",
        )
        invoice.paid_at = timezone.now()
        invoice.save(update_fields=["status", "paid_at", "updated_at"])
        _record(invoice, actor=actor, action="paid", message=f"Marked as paid{f' by {paid_by}' if paid_by else ''}.")
        events.publish_on_commit(events.InvoicePaid(invoice_id=invoice.pk))
    return invoice


def invoice_payout_hold_set(*, invoice: PurchaseInvoice, reason: str, actor=None) -> PurchaseInvoice:
    """Keep the invoice out of payout runs (a dispute), with why; a blank reason releases it. In its history."""
    reason = " ".join((reason or "").split())
    if len(reason) > 200:
        raise InvoicingError(f"Keep the reason to 200 characters (it has {len(reason)}).")
    with transaction.atomic():
        invoice = PurchaseInvoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.payout_hold == reason:
            return invoice
        if reason and invoice.status != InvoiceStatus.ISSUED:
            raise InvoicingError(
                f"Only an issued invoice can be held from payouts; this invoice is {invoice.get_status_display().lower()}."
            )
        invoice.payout_hold = reason
        invoice.save(update_fields=["payout_hold", "updated_at"])
        message = f"Held from payout runs: {reason}" if reason else "Released for payout runs."
        _record(invoice, actor=actor, action="payout_hold", message=message, reason=reason)
    return invoice


def invoice_void(*, invoice: PurchaseInvoice, reason: str, actor=None) -> PurchaseInvoice:
    if not reason.strip():
        raise InvoicingError("Say why the invoice is void; the reason is kept in its history.")
    with transaction.atomic():
        invoice = _transition(
            invoice,
            allowed={InvoiceStatus.DRAFT, InvoiceStatus.ISSUED},
            target=InvoiceStatus.VOID,
            refusal="A {status} invoice cannot be voided.",
        )
        invoice.voided_at = timezone.now()
        invoice.save(update_fields=["status", "voided_at", "updated_at"])
        _record(invoice, actor=actor, action="voided", message=f"Voided. Reason: {reason.strip()}")
        events.publish_on_commit(events.InvoiceVoided(invoice_id=invoice.pk))
    return invoice


def adjustment_add(
    *, invoice: PurchaseInvoice, kind: str, amount: Decimal, reason: str, actor=None, submit_token: str = ""
) -> InvoiceAdjustment:
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
        raise InvoicingError("Adjustments are made on issued or paid invoices.")
    adjustment = InvoiceAdjustment(
        account=invoice.account, invoice=invoice, kind=kind, amount=amount, reason=reason.strip(), created_by=actor
    )
    adjustment.full_clean()
    with transaction.atomic():
        claim = submit_claim(account=invoice.account, token=submit_token)
        adjustment.save()
        submit_done(claim, result=invoice)
        label = AdjustmentKind(kind).label.split(" (")[0]
        _record(invoice, actor=actor, action="adjusted", message=f"{label} adjustment of {amount}: {reason.strip()}")
        events.publish_on_commit(events.AdjustmentAdded(adjustment_id=adjustment.pk))
    return adjustment
