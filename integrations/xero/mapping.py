"""Pure functions from our bill to Xero's: no database, no HTTP (tested on their own).

The accounting side fills a `BillInput`; this module alone knows how Xero spells it.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xero_python.accounting import (
    Contact,
    CreditNote,
    CurrencyCode,
    Invoice,
    LineAmountTypes,
    LineItem,
    LineItemTracking,
)
from xero_python.api_client import serialize


@dataclass(frozen=True)
class LineTracking:
    """One tracking category's option on a line, by id and by Xero's current names (a name that no longer agrees
    with its id is refused, so the names come from Onport's latest copy of Xero's list)."""

    category_id: str
    category_name: str
    option_id: str
    option_name: str


@dataclass(frozen=True)
class BillLine:
    description: str
    quantity: int
    unit_amount: Decimal
    account_code: str
    tax_type: str  # empty with line amount type NoTax
    tracking: tuple[LineTracking, ...] = ()


def _line_item(line: BillLine, *, places: Decimal | None = None) -> LineItem:
    """The SDK's LineItem; `places` rounds the unit amount as sent (None: as it is)."""
    item = LineItem(
        description=line.description,
        quantity=float(line.quantity),
        unit_amount=float(line.unit_amount.quantize(places) if places else line.unit_amount),
        account_code=line.account_code,
        **({"tax_type": line.tax_type} if line.tax_type else {}),
    )
    if line.tracking:
        item.tracking = [
            LineItemTracking(
                tracking_category_id=entry.category_id,
                tracking_option_id=entry.option_id,
                name=entry.category_name,
                option=entry.option_name,
            )
            for entry in line.tracking
        ]
    return item


@dataclass(frozen=True)
class BillInput:
    contact_id: str
    number: str
    date: datetime.date
    due_date: datetime.date
    currency: str
    line_amount_type: str  # Exclusive | Inclusive | NoTax
    status: str  # DRAFT | SUBMITTED | AUTHORISED
    url: str
    lines: tuple[BillLine, ...]
    # Xero's CurrencyRate: units of `currency` per one unit of the organisation's base currency. None (omitted):
    # a base-currency bill, or Xero's own day rate.
    currency_rate: Decimal | None = None


def unit_decimals(bill: BillInput) -> int:
    """4 when a unit amount has more than 2 decimals (Xero then needs unitdp=4), else 2."""
    return 4 if any(line.unit_amount != line.unit_amount.quantize(Decimal("0.01")) for line in bill.lines) else 2


def bill_model(bill: BillInput, *, xero_id: str | None = None) -> Invoice:
    """The SDK's Invoice for a bill (ACCPAY). Only the ContactID is sent: other contact fields would edit the contact."""
    places = Decimal("0.0001") if unit_decimals(bill) == 4 else Decimal("0.01")
    lines = [_line_item(line, places=places) for line in bill.lines]
    invoice = Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=bill.contact_id),
        invoice_number=bill.number,
        date=bill.date,
        due_date=bill.due_date,
        currency_code=CurrencyCode[bill.currency],
        line_amount_types=LineAmountTypes(bill.line_amount_type),
        status=bill.status,
        url=bill.url,
        line_items=lines,
    )
    if bill.currency_rate is not None:
        invoice.currency_rate = float(bill.currency_rate)
    if xero_id:
        invoice.invoice_id = xero_id
    return invoice


@dataclass(frozen=True)
class LineTotal:
    unit_amount: Decimal  # as sent: to the bill's unit decimals
    amount: Decimal
    tax: Decimal


@dataclass(frozen=True)
class BillTotals:
    lines: tuple[LineTotal, ...]
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal


def bill_totals(bill: BillInput, *, line_rates: tuple[Decimal, ...]) -> BillTotals:
    """The bill's amounts as Xero computes them from what is sent: unit amounts to the bill's decimals, each line to
    the cent, tax per line at its tax type's rate (percent, in `line_rates`) rounded half up, then summed."""
    cent, places = Decimal("0.01"), Decimal("0.0001") if unit_decimals(bill) == 4 else Decimal("0.01")
    lines = []
    for line, rate in zip(bill.lines, line_rates, strict=True):
        unit = line.unit_amount.quantize(places)  # as bill_model sends it
        amount = (line.quantity * unit).quantize(cent, rounding=ROUND_HALF_UP)
        share = Decimal(0) if bill.line_amount_type == "NoTax" else rate / 100
        tax = amount * share / (1 + share) if bill.line_amount_type == "Inclusive" else amount * share
        lines.append(LineTotal(unit_amount=unit, amount=amount, tax=tax.quantize(cent, rounding=ROUND_HALF_UP)))
    lines_total = sum((line.amount for line in lines), Decimal("0.00"))
    total_tax = sum((line.tax for line in lines), Decimal("0.00"))
    inclusive = bill.line_amount_type == "Inclusive"
    return BillTotals(
        lines=tuple(lines),
        sub_total=lines_total - total_tax if inclusive else lines_total,
        total_tax=total_tax,
        total=lines_total if inclusive else lines_total + total_tax,
    )


def fingerprint(bill: BillInput) -> str:
    """A hash of the canonical payload: equal fingerprints mean Xero already has exactly this bill."""
    canonical = json.dumps(serialize(bill_model(bill)), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def deep_link(*, short_code: str, bill_id: str) -> str:
    """Xero's link to the bill, opening the right organisation (XERO.md: deep links)."""
    return (
        f"https://go.xero.com/organisationlogin/default.aspx?shortcode={short_code}"
        f"&redirecturl=/AccountsPayable/Edit.aspx?InvoiceID={bill_id}"
    )


@dataclass(frozen=True)
class CreditNoteInput:
    """A supplier credit note (ACCPAYCREDIT): what the vendor owes back against a bill."""

    contact_id: str
    date: datetime.date
    currency: str
    line_amount_type: str
    status: str
    number: str  # Onport's key, also in the line description: Xero drops Reference and Url on ACCPAYCREDIT
    lines: tuple[BillLine, ...]
    currency_rate: Decimal | None = None  # as on BillInput


def credit_note_model(note: CreditNoteInput) -> CreditNote:
    model = CreditNote(
        type="ACCPAYCREDIT",
        contact=Contact(contact_id=note.contact_id),
        date=note.date,
        currency_code=CurrencyCode[note.currency],
        line_amount_types=LineAmountTypes(note.line_amount_type),
        status=note.status,
        credit_note_number=note.number,
        line_items=[_line_item(line) for line in note.lines],
    )
    if note.currency_rate is not None:
        model.currency_rate = float(note.currency_rate)
    return model


def credit_note_fingerprint(note: CreditNoteInput) -> str:
    canonical = json.dumps(serialize(credit_note_model(note)), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def credit_note_link(*, short_code: str, credit_note_id: str) -> str:
    return (
        f"https://go.xero.com/organisationlogin/default.aspx?shortcode={short_code}"
        f"&redirecturl=/AccountsPayable/ViewCreditNote.aspx?creditNoteID={credit_note_id}"
    )


def currency_known(code: str) -> bool:
    """Whether xero-python can send this currency (its CurrencyCode lists what it knows; a new one would
    fail before any call)."""
    return code.upper() in CurrencyCode.__members__
