"""The bank files of a payout run: SEPA pain.001 (sepaxml) for EUR, CSV for other currencies."""

import csv
import io

from accounting.payouts.bank import domestic_account
from accounting.payouts.errors import PayoutRefused
from accounting.payouts.models import (
    PayoutLine,
    PayoutRun,
    PayoutSettings,
    VendorBankDetails,
)
from onport.csv_files import spreadsheet_safe

SEPA_CURRENCY = "EUR"


def sepa_file(
    *, run: PayoutRun, setup: PayoutSettings, lines: list[PayoutLine], details: dict[int, VendorBankDetails]
) -> bytes:
    from sepaxml import SepaTransfer
    from sepaxml.validation import ValidationError as SepaInvalid

    if not (setup.payer_name and setup.payer_iban):
        raise PayoutRefused(
            "EUR payouts are SEPA transfers: enter your account holder name and IBAN in Setup > Payouts first."
        )
    config = {"name": setup.payer_name, "IBAN": setup.payer_iban, "batch": True, "currency": SEPA_CURRENCY}
    if setup.payer_bic:
        config["BIC"] = setup.payer_bic
    transfer = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    for line in lines:
        bank = details[line.vendor_id]
        payment = {
            "name": bank.holder_name,
            "IBAN": bank.iban,
            "amount": int((line.amount * 100).to_integral_value()),
            "execution_date": run.payment_date,
            "description": _description(run, line),
            "endtoend_id": line.end_to_end_id,
        }
        if bank.bic:
            payment["BIC"] = bank.bic
        transfer.add_payment(payment)
    try:
        return transfer.export(validate=True)
    except SepaInvalid:
        raise PayoutRefused(
            "The SEPA file could not be made: a name or bank detail has characters banks refuse. "
            "Check the vendors' account holder names and bank details."
        ) from None


SEPA_REMITTANCE_LENGTH = 140  # the unstructured remittance (Ustrd) a SEPA bank carries


def remittance(invoice) -> str:
    """How the vendor recognises an invoice: Onport's number, their own, the PO and the customer's sales order."""
    parts = [invoice.number]
    if invoice.vendor_invoice_number:
        parts.append(f"your ref {invoice.vendor_invoice_number}")
    parts.append(invoice.order.number)
    if invoice.order.sales_order_reference:
        parts.append(f"order {invoice.order.sales_order_reference}")
    return " ".join(parts)


def _description(run: PayoutRun, line: PayoutLine) -> str:
    """The run's reference and each paid invoice, in SEPA's characters (no ";" or "…"), cut with "..." where the
    bank's 140 characters end."""
    text = f"{run.reference} " + ", ".join(remittance(item.invoice) for item in line.items.all() if item.payable)
    return text if len(text) <= SEPA_REMITTANCE_LENGTH else text[: SEPA_REMITTANCE_LENGTH - 3] + "..."


CSV_COLUMNS = [
    "payment_date",
    "reference",
    "end_to_end_id",
    "vendor",
    "account_holder",
    "country",
    "iban",
    "bic",
    "account_number",
    "bank_code",
    "currency",
    "amount",
    "invoices",
]


def csv_file(*, run: PayoutRun, lines: list[PayoutLine], details: dict[int, VendorBankDetails]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        bank = details[line.vendor_id]
        account_number, bank_code = domestic_account(bank)
        writer.writerow(
            [
                spreadsheet_safe(str(value))
                for value in (
                    run.payment_date.isoformat(),
                    run.reference,
                    line.end_to_end_id,
                    line.vendor.name,
                    bank.holder_name,
                    bank.country,
                    bank.iban,
                    bank.bic,
                    account_number,
                    bank_code,
                    line.currency,
                    f"{line.amount:.2f}",
                    ", ".join(remittance(item.invoice) for item in line.items.all() if item.payable),
                )
            ]
        )
    return out.getvalue()
