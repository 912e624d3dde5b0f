"""From an adjustment on a synced invoice to what Xero gets: a credit note (credit) or its own bill (debit).

Both wait for the invoice's bill; both are coded like its product lines. The amount is taken as it was
entered, tax included (line amounts "Inclusive"), so the document's total equals the adjustment.
"""

from accounting.bill_input import CodingContext, invoice_url
from accounting.models import AccountingSync, BillStatus, LineAmountType, SyncKind
from integrations.xero.mapping import BillInput, BillLine, CreditNoteInput
from invoicing.models import AdjustmentKind, InvoiceAdjustment, LineKind

WAITING_FOR_BILL = "Waits for the invoice's bill to be in Xero."


def adjustment_reference(adjustment: InvoiceAdjustment) -> str:
    return f"ONPORT-ADJ-{adjustment.pk}"


def adjustment_url(adjustment: InvoiceAdjustment) -> str:
    return f"{invoice_url(adjustment.invoice)}#adjustment-{adjustment.pk}"


def debit_bill_number(adjustment: InvoiceAdjustment) -> str:
    position = InvoiceAdjustment.objects.filter(invoice_id=adjustment.invoice_id, pk__lte=adjustment.pk).count()
    return f"{adjustment.invoice.number}-ADJ{position}"


def sync_kind_for(adjustment: InvoiceAdjustment) -> str:
    return SyncKind.CREDIT_NOTE if adjustment.kind == AdjustmentKind.CREDIT else SyncKind.DEBIT_BILL


def adjustment_input(row: AccountingSync, context: CodingContext, bill: AccountingSync | None):
    """The credit note or bill for this adjustment row, or the reason it cannot go yet (plain words)."""
    adjustment, invoice = row.adjustment, row.invoice
    if bill is None or not bill.xero_id:
        return WAITING_FOR_BILL
    link = context.links.get(invoice.vendor_id)
    setup = context.settings
    if link is None:
        return f"Vendor '{invoice.vendor.name}' is not linked to a Xero contact."
    products = [line for line in invoice.lines.all() if line.kind == LineKind.PRODUCT]
    no_tax = setup.line_amount_type == LineAmountType.NO_TAX
    tax_type = "" if no_tax else (link.tax_type_override or context.tax_types.get(products[0].tax_rate.normalize(), ""))
    if not no_tax and not tax_type:
        return f"Choose the Xero tax type for the {products[0].tax_rate.normalize()} % tax rate in Setup > Accounting."
    line = BillLine(
        description=f"Adjustment to {invoice.number}: {adjustment.reason}",
        quantity=1,
        unit_amount=adjustment.amount,
        account_code=link.account_code_override or setup.product_account_code,
        tax_type=tax_type,
    )
    amounts = LineAmountType.NO_TAX if no_tax else LineAmountType.INCLUSIVE
    date = adjustment.created_at.date()
    if adjustment.kind == AdjustmentKind.CREDIT:
        status = BillStatus.AUTHORISED if bill.xero_status in ("AUTHORISED", "PAID") else setup.bill_status
        return CreditNoteInput(contact_id=link.contact_id, date=date, currency=invoice.currency, line_amount_type=amounts,
                               status=status, reference=adjustment_reference(adjustment), lines=(line,))
    return BillInput(contact_id=link.contact_id, number=debit_bill_number(adjustment), date=date,
                     due_date=invoice.due_date if invoice.due_date > date else date, currency=invoice.currency,
                     line_amount_type=amounts, status=setup.bill_status, url=adjustment_url(adjustment), lines=(line,))
