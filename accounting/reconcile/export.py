"""Reconcile with Xero as a CSV: the lines of the page, then the totals per vendor and overall."""

import csv
import io

from onport.csv_files import spreadsheet_safe
from accounting.reconcile.models import Reconciliation

COLUMNS = [
    "Invoice",
    "Vendor",
    "What differs",
    "Explanation",
    "What to do",
    "Onport amount",
    "Xero amount",
    "Xero bill number",
    "Xero bill id",
]


def _amount(value) -> str:
    return "" if value is None else f"{value:.2f}"


def reconciliation_csv(reconciliation: Reconciliation, lines) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (
                    line.invoice.number if line.invoice else "",
                    line.vendor.name if line.vendor else "",
                    line.get_difference_display(),
                    line.explanation,
                    line.what_to_do,
                    _amount(line.onport_amount),
                    _amount(line.xero_amount),
                    line.xero_number,
                    line.xero_id,
                )
            ]
        )
    writer.writerow([])
    writer.writerow(["Vendor", "Onport payable", "Xero amount due", "Agrees"])
    for total in reconciliation.vendor_totals.all():
        writer.writerow(
            [
                spreadsheet_safe(total.vendor_name),
                _amount(total.onport_payable),
                _amount(total.xero_amount_due),
                "yes" if total.agrees else "no",
            ]
        )
    writer.writerow(
        [
            "All vendors",
            _amount(reconciliation.onport_payable),
            _amount(reconciliation.xero_amount_due),
            "yes" if reconciliation.onport_payable == reconciliation.xero_amount_due else "no",
        ]
    )
    return out.getvalue()
