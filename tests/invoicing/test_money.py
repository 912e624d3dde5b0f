from decimal import Decimal

import pytest

from invoicing.money import line_amounts, round_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01"), ("10", "10.00")],
)
def test_round_money_rounds_half_up_to_the_cent(value, expected):
    assert round_money(Decimal(value)) == Decimal(expected)


def test_exclusive_line_rounds_tax_on_the_line():
    # 3 × 3.3333 = 9.9999 → 10.00 net; 20 % tax = 2.00
    amounts = line_amounts(quantity=3, unit_cost=Decimal("3.3333"), tax_rate=Decimal("20"), include_tax=False)
    assert (amounts.net, amounts.tax, amounts.gross) == (Decimal("10.00"), Decimal("2.00"), Decimal("12.00"))


def test_exclusive_tax_half_cent_goes_up():
    # 1 × 0.125 → 0.13 net (half up); tax 17.5 % of 0.13 = 0.02275 → 0.02
    amounts = line_amounts(quantity=1, unit_cost=Decimal("0.125"), tax_rate=Decimal("17.5"), include_tax=False)
    assert (amounts.net, amounts.tax) == (Decimal("0.13"), Decimal("0.02"))


def test_inclusive_line_extracts_tax_from_the_gross():
    # 12.00 gross at 20 % → tax 2.00, net 10.00; 9.99 gross → tax 1.665 → 1.67, net 8.32
    whole = line_amounts(quantity=1, unit_cost=Decimal("12.00"), tax_rate=Decimal("20"), include_tax=True)
    odd = line_amounts(quantity=1, unit_cost=Decimal("9.99"), tax_rate=Decimal("20"), include_tax=True)
    assert (whole.net, whole.tax, whole.gross) == (Decimal("10.00"), Decimal("2.00"), Decimal("12.00"))
    assert (odd.net, odd.tax, odd.gross) == (Decimal("8.32"), Decimal("1.67"), Decimal("9.99"))


def test_per_line_rounding_differs_from_rounding_the_total():
    # Three lines of 0.05 at 10 %: per line 0.01 tax each (0.005 → 0.01) = 0.03; on the total it would be 0.02.
    lines = [line_amounts(quantity=1, unit_cost=Decimal("0.05"), tax_rate=Decimal("10"), include_tax=False)] * 3
    assert sum(line.tax for line in lines) == Decimal("0.03")
