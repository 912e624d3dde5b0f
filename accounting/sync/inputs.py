"""What Xero gets for an invoice and its adjustments, after checks made without calling Xero (the preflight).

An issued invoice becomes a bill. An adjustment on a synced invoice becomes a credit note (a credit) or a
bill of its own (a debit): both wait for the invoice's bill and are coded like its product lines; the
amount is taken as it was entered, tax included (line amounts "Inclusive"), so the document's total
equals the adjustment.

A problem is returned (a `Problem`: a reason code and a finance person's words with the fix), never raised:
the caller records it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.urls import reverse

from accounting.outbox.models import Reason
from accounting.outbox.results import Problem
from accounting.setup.models import (
    AccountingSettings,
    BillStatus,
    LineAmountType,
    TaxRateMapping,
)
from accounting.setup.categories.selectors import CategoryCode, category_codes_by_sku
from accounting.sync.currencies import CurrencyContext, document_currency
from accounting.sync.models import AccountingSync, SyncKind
from accounting.sync.tracking import TrackingContext, bill_tracking
from integrations.models import (
    VendorXeroLink,
    XeroAccount,
    XeroContact,
    XeroContactStatus,
)
from integrations.xero.mapping import BillInput, BillLine, CreditNoteInput, currency_known
from invoicing.models import (
    AdjustmentKind,
    InvoiceAdjustment,
    InvoiceStatus,
    LineKind,
    PurchaseInvoice,
)


@dataclass(frozen=True)
class CodingContext:
    """Everything the preflight needs for many invoices of one Xero account, loaded in a fixed number of queries."""

    settings: AccountingSettings
    links: dict[int, VendorXeroLink]  # by vendor id
    archived_contacts: set[str]
    tax_types: dict[Decimal, str]  # by Onport tax rate
    tracking: TrackingContext
    currencies: CurrencyContext
    # by SKU: the account code its product category has in this Xero account (SKUs without one are not in it)
    category_codes: dict[str, CategoryCode] = field(default_factory=dict)

    @classmethod
    def load(cls, *, xero_account: XeroAccount, invoices: Iterable[PurchaseInvoice]) -> "CodingContext":
        """For these invoices (their lines prefetched, or read here): their vendors' links and their SKUs' codes."""
        invoices = list(invoices)
        vendor_ids = {invoice.vendor_id for invoice in invoices}
        skus = {line.sku for invoice in invoices for line in invoice.lines.all() if line.sku}
        linked = VendorXeroLink.objects.filter(xero_account=xero_account, vendor_id__in=vendor_ids)
        links = {link.vendor_id: link for link in linked}
        archived = XeroContact.objects.filter(
            xero_account=xero_account, contact_id__in=[link.contact_id for link in links.values()]
        ).exclude(status=XeroContactStatus.ACTIVE)
        mappings = TaxRateMapping.objects.filter(xero_account=xero_account)
        setup = AccountingSettings.objects.get(account_id=xero_account.account_id)
        return cls(
            settings=setup,
            links=links,
            archived_contacts=set(archived.values_list("contact_id", flat=True)),
            tax_types={mapping.rate.normalize(): mapping.tax_type for mapping in mappings},
            tracking=TrackingContext.load(xero_account=xero_account),
            currencies=CurrencyContext.load(xero_account=xero_account, settings=setup),
            category_codes=category_codes_by_sku(xero_account=xero_account, skus=skus),
        )


def invoice_url(invoice: PurchaseInvoice) -> str:
    """The invoice's page in Onport: Xero's "Go to Onport", and how we recognise our bill in Xero."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('invoicing:invoice_detail', args=[invoice.pk])}"


def _currency_problem(invoice: PurchaseInvoice) -> Problem:
    return Problem(
        f"Invoice {invoice.number} is in {invoice.currency}, a currency Onport cannot send to Xero yet. "
        "Contact Onport support."
    )


@dataclass(frozen=True)
class BillDraft:
    """The bill as Onport would send it now, with every problem that stops it (Preview bill shows both) and, per
    line, the rule that chose its account code. A line whose code or tax type is unknown carries "" there."""

    bill: BillInput
    problems: tuple[Problem, ...]
    account_rules: tuple[str, ...]
    tracking_rules: tuple[str, ...] = ()  # each tracking option every line carries, with the rule that chose it


def bill_input(
    invoice: PurchaseInvoice, context: CodingContext, *, posting_date: datetime.date | None = None
) -> BillInput | Problem:
    """The bill for this invoice, or the first problem that stops it (in plain words, with the fix).
    `posting_date`: the bill's date when a person chose another than the invoice's (Xero's lock date)."""
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
        return _not_issued(invoice)
    draft = bill_draft(invoice, context, posting_date=posting_date)
    return draft.problems[0] if draft.problems else draft.bill


def _not_issued(invoice: PurchaseInvoice) -> Problem:
    return Problem(
        f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: only issued invoices are synced."
    )


def bill_draft(
    invoice: PurchaseInvoice, context: CodingContext, *, posting_date: datetime.date | None = None
) -> BillDraft:
    """The bill for this invoice as far as Onport knows it, and all that stops it, in the order they are fixed."""
    setup = context.settings
    problems: list[Problem] = []
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
        problems.append(_not_issued(invoice))
    link = context.links.get(invoice.vendor_id)
    tab = "the Tax tab" if invoice.vendor.is_dropship else "its contact edit page"
    if link is None:
        problems.append(Problem(f"Vendor '{invoice.vendor.name}' is not linked to a Xero contact — link it on {tab}."))
    elif link.contact_id in context.archived_contacts:
        problems.append(
            Problem(
                f"The Xero contact '{link.contact_name}' of vendor '{invoice.vendor.name}' is archived in Xero — "
                f"un-archive it in Xero or link another contact on {tab}."
            )
        )
    if not currency_known(invoice.currency):
        problems.append(_currency_problem(invoice))
    currency = document_currency(context.currencies, invoice)
    problems += currency.problems
    override = link.account_code_override if link else ""
    product_account = override or setup.product_account_code
    product_rule = f"vendor '{invoice.vendor.name}' override" if override else "Setup > Accounting, product lines"
    if not product_account or not setup.shipping_account_code:
        problems.append(Problem("Choose the account codes for product and shipping lines in Setup > Accounting."))
    line_amount_type: str  # a LineAmountType value
    if invoice.amounts_include_tax:
        line_amount_type = LineAmountType.INCLUSIVE
    elif setup.line_amount_type == LineAmountType.NO_TAX and invoice.tax_total:
        problems.append(
            Problem(
                f"Invoice {invoice.number} has {invoice.tax_total} tax but Setup > Accounting sends bills with no tax — "
                "choose tax exclusive amounts there."
            )
        )
        line_amount_type = LineAmountType.EXCLUSIVE
    else:
        line_amount_type = setup.line_amount_type
    tracking = bill_tracking(context.tracking, invoice)
    problems += tracking.problems
    lines, rules, unmapped = [], [], []
    for line in invoice.lines.all():
        tax_type = ""
        if line_amount_type != LineAmountType.NO_TAX:
            tax_type = (link.tax_type_override if link else "") or context.tax_types.get(line.tax_rate.normalize(), "")
            rate = line.tax_rate.normalize()
            if not tax_type and rate not in unmapped:
                unmapped.append(rate)
                problems.append(Problem(f"Choose the Xero tax type for the {rate} % tax rate in Setup > Accounting."))
        is_shipping = line.kind == LineKind.SHIPPING
        account_code, rule = (
            (setup.shipping_account_code, "Setup > Accounting, shipping lines")
            if is_shipping
            else _product_coding(line.sku, override=override, context=context, default=(product_account, product_rule))
        )
        lines.append(
            BillLine(
                description="Shipping" if is_shipping else f"{line.sku} {line.description}".strip(),
                quantity=line.quantity,
                unit_amount=line.unit_cost,
                account_code=account_code,
                tax_type=tax_type,
                tracking=tracking.entries,
            )
        )
        rules.append(rule)
    due_date = (
        invoice.issue_date + datetime.timedelta(days=invoice.vendor.payment_terms_days)
        if setup.due_date_from_terms
        else invoice.due_date
    )
    date = posting_date or invoice.issue_date
    bill = BillInput(
        contact_id=link.contact_id if link else "",
        number=invoice.number,
        date=date,
        due_date=max(due_date, date),
        currency=invoice.currency,
        line_amount_type=line_amount_type,
        # Xero records payments only against approved bills: a paid invoice whose payment Onport records goes approved.
        status=BillStatus.AUTHORISED
        if invoice.status == InvoiceStatus.PAID and setup.record_payments
        else setup.bill_status,
        url=invoice_url(invoice),
        lines=tuple(lines),
        currency_rate=currency.rate,
    )
    return BillDraft(bill=bill, problems=tuple(problems), account_rules=tuple(rules), tracking_rules=tracking.rules)


def category_rule(name: str) -> str:
    """The rule Preview bill names for a line coded by its SKU's product category."""
    return f"product category '{name}' in Setup > Accounting › Product categories"


def _product_coding(sku: str, *, override: str, context: CodingContext, default: tuple[str, str]) -> tuple[str, str]:
    """A product line's account code and the rule that chose it: the vendor's override, else the category of its
    SKU (when that category has a code for this Xero account), else Setup > Accounting's product code."""
    if override:
        return default
    category = context.category_codes.get(sku)
    if category is not None:
        return category.account_code, category_rule(category.category)
    return default


WAITING_FOR_BILL = Problem("Waits for the invoice's bill to be in Xero.", Reason.WAITING_FOR_BILL)


def adjustment_of(row: AccountingSync) -> InvoiceAdjustment:
    """The adjustment of a credit note or adjustment bill row: such a row is always made with one."""
    assert row.adjustment is not None, f"sync {row.pk} is not an adjustment's"
    return row.adjustment


def adjustment_reference(adjustment: InvoiceAdjustment) -> str:
    """Onport's key for a credit note in Xero: its CreditNoteNumber, and in its line description."""
    return f"ONPORT-ADJ-{adjustment.pk}"


def adjustment_url(adjustment: InvoiceAdjustment) -> str:
    return f"{invoice_url(adjustment.invoice)}#adjustment-{adjustment.pk}"


def debit_bill_number(adjustment: InvoiceAdjustment) -> str:
    position = InvoiceAdjustment.objects.filter(invoice_id=adjustment.invoice_id, pk__lte=adjustment.pk).count()
    return f"{adjustment.invoice.number}-ADJ{position}"


def sync_kind_for(adjustment: InvoiceAdjustment) -> str:
    return SyncKind.CREDIT_NOTE if adjustment.kind == AdjustmentKind.CREDIT else SyncKind.DEBIT_BILL


def adjustment_input(
    row: AccountingSync, context: CodingContext, bill: AccountingSync | None
) -> BillInput | CreditNoteInput | Problem:
    """The credit note or bill for this adjustment row, or the reason it cannot go yet (plain words)."""
    adjustment, invoice = adjustment_of(row), row.invoice
    if bill is None or not bill.xero_id:
        return WAITING_FOR_BILL
    link = context.links.get(invoice.vendor_id)
    setup = context.settings
    if link is None:
        return Problem(f"Vendor '{invoice.vendor.name}' is not linked to a Xero contact.")
    if not currency_known(invoice.currency):
        return _currency_problem(invoice)
    currency = document_currency(context.currencies, invoice)
    if currency.problems:
        return currency.problems[0]
    tracking = bill_tracking(context.tracking, invoice)
    if tracking.problems:
        return tracking.problems[0]
    no_tax = setup.line_amount_type == LineAmountType.NO_TAX
    key = f" ({adjustment_reference(adjustment)})" if adjustment.kind == AdjustmentKind.CREDIT else ""
    description = f"Adjustment to {invoice.number}: {adjustment.reason}{key}"
    account_code = link.account_code_override or setup.product_account_code
    if no_tax or link.tax_type_override:
        shares = [(Decimal(0), adjustment.amount)]  # one line: no tax, or the vendor's own tax type
    else:
        shares = split_by_tax_rate(adjustment.amount, invoice.lines.all())
    lines = []
    for rate, amount in shares:
        tax_type = "" if no_tax else (link.tax_type_override or context.tax_types.get(Decimal(rate).normalize(), ""))
        if not no_tax and not tax_type:
            return Problem(
                f"Choose the Xero tax type for the {Decimal(rate).normalize()} % tax rate in Setup > Accounting."
            )
        lines.append(
            BillLine(
                description=description,
                quantity=1,
                unit_amount=amount,
                account_code=account_code,
                tax_type=tax_type,
                tracking=tracking.entries,
            )
        )
    amounts = LineAmountType.NO_TAX if no_tax else LineAmountType.INCLUSIVE
    date = adjustment.created_at.date()
    if adjustment.kind == AdjustmentKind.CREDIT:
        status = BillStatus.AUTHORISED if bill.xero_status in ("AUTHORISED", "PAID") else setup.bill_status
        return CreditNoteInput(
            contact_id=link.contact_id,
            date=date,
            currency=invoice.currency,
            line_amount_type=amounts,
            status=status,
            number=adjustment_reference(adjustment),
            lines=tuple(lines),
            currency_rate=currency.rate,
        )
    return BillInput(
        contact_id=link.contact_id,
        number=debit_bill_number(adjustment),
        date=date,
        due_date=max(date, invoice.due_date),
        currency=invoice.currency,
        line_amount_type=amounts,
        status=setup.bill_status,
        url=adjustment_url(adjustment),
        lines=tuple(lines),
        currency_rate=currency.rate,
    )


def split_by_tax_rate(amount: Decimal, invoice_lines) -> list[tuple[Decimal, Decimal]]:
    """`amount` (tax included) shared across the invoice's tax rates in proportion to their gross amounts,
    in cents that add up to `amount` exactly (largest remainders get the odd cents); (rate, part) by rate."""
    weights: dict[Decimal, Decimal] = {}
    for line in invoice_lines:
        rate = line.tax_rate.normalize()
        weights[rate] = weights.get(rate, Decimal(0)) + line.gross_amount
    total = sum(weights.values(), Decimal(0))
    if len(weights) <= 1 or total <= 0:
        return [(next(iter(weights), Decimal(0)), amount)]
    cent = Decimal("0.01")
    exact = {rate: amount * weight / total for rate, weight in weights.items()}
    parts = {rate: share.quantize(cent, rounding=ROUND_DOWN) for rate, share in exact.items()}
    left = int((amount - sum(parts.values())) / cent)
    for rate in sorted(exact, key=lambda rate: (exact[rate] - parts[rate], weights[rate]), reverse=True)[:left]:
        parts[rate] += cent
    return [(rate, parts[rate]) for rate in sorted(parts, reverse=True) if parts[rate]]
