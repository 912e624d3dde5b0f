"""Line and document totals, the way Xero rounds: tax per line to 2 dp, then summed (Decimal, ROUND_HALF_UP)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .formats import CENT, FOUR_PLACES, round_money, round_places

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def unit_places(unitdp: int) -> Decimal:
    return FOUR_PLACES if unitdp == 4 else CENT


def line_amount(quantity: Decimal, unit_amount: Decimal, discount_rate: Decimal | None) -> Decimal:
    gross = quantity * unit_amount
    if discount_rate:
        gross = gross * (HUNDRED - discount_rate) / HUNDRED
    return round_money(gross)


def line_tax(amount: Decimal, rate_percent: Decimal, line_amount_types: str) -> Decimal:
    """Exclusive: amount × rate; Inclusive: the tax inside the amount; NoTax: nothing."""
    if line_amount_types == "NoTax" or not rate_percent:
        return Decimal("0.00")
    rate = rate_percent / HUNDRED
    if line_amount_types == "Inclusive":
        return round_money(amount * rate / (1 + rate))
    return round_money(amount * rate)


def document_totals(lines: list[dict[str, Any]], line_amount_types: str) -> dict[str, Decimal]:
    lines_total = sum((line["LineAmount"] for line in lines), Decimal("0.00"))
    total_tax = sum((line["TaxAmount"] for line in lines), Decimal("0.00"))
    if line_amount_types == "Inclusive":
        sub_total, total = lines_total - total_tax, lines_total
    else:
        sub_total, total = lines_total, lines_total + total_tax
    return {"SubTotal": round_money(sub_total), "TotalTax": round_money(total_tax), "Total": round_money(total)}


def settle_amounts(document: dict[str, Any]) -> None:
    """AmountDue from Total, AmountPaid and AmountCredited (kept ≥ 0)."""
    paid = document.get("AmountPaid", ZERO)
    credited = document.get("AmountCredited", ZERO)
    document["AmountDue"] = round_money(max(document["Total"] - paid - credited, ZERO))


def quantize_quantity(value: Decimal) -> Decimal:
    return round_places(value, FOUR_PLACES)
