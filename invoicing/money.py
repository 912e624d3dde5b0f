"""Money arithmetic: Decimal only, tax rounded per line to the cent (as Xero does)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


def line_amounts(*, quantity: int, unit_cost: Decimal, tax_rate: Decimal, include_tax: bool) -> LineAmounts:
    """Net, tax and gross of one line.

    Exclusive prices: tax = rate × net. Inclusive prices: the line amount is gross and
    tax = gross × rate / (100 + rate). Either way the tax is rounded on the line, to the cent.
    """
    line_amount = round_money(Decimal(quantity) * unit_cost)
    if include_tax:
        tax = round_money(line_amount * tax_rate / (HUNDRED + tax_rate))
        return LineAmounts(net=line_amount - tax, tax=tax, gross=line_amount)
    tax = round_money(line_amount * tax_rate / HUNDRED)
    return LineAmounts(net=line_amount, tax=tax, gross=line_amount + tax)


# The largest amount an invoice, its lines and its totals can hold (MONEY: 14 digits, 2 after the point).
MONEY_LIMIT = Decimal("999999999999.99")
MONEY_LIMIT_WORDS = f"{MONEY_LIMIT:,}"
