"""The line items of bills and credit notes: accounts, quantities, tax types and rates, amounts, tracking, as Xero
checks them (every problem is added to `messages`, like Xero lists all of an element's errors)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from .accounting import ApiContext
from .formats import parse_decimal, round_money, round_places
from .totals import line_amount, line_tax, quantize_quantity, unit_places
from .tracking import build_tracking, stored_pairs

LINE_INPUT_FIELDS = ("Description", "Quantity", "UnitAmount", "ItemCode", "AccountCode", "AccountID", "TaxType",
                     "Tracking", "DiscountRate")


def find_account(ctx: ApiContext, code: str | None, account_id: str | None) -> dict[str, Any] | None:
    accounts = ctx.org["accounts"].values()
    if code:
        return next((a for a in accounts if (a.get("Code") or "").lower() == str(code).lower()), None)
    if account_id:
        return ctx.org["accounts"].get(str(account_id).lower())
    return None


def build_lines(ctx: ApiContext, raw_lines: list[Any] | None, existing: dict[str, Any] | None, line_amount_types: str,
                 purchases: bool, approving: bool, messages: list[str]) -> list[dict[str, Any]]:
    previous = {line["LineItemID"]: line for line in (existing or {}).get("LineItems", [])}
    if raw_lines is None:  # not sent: keep the lines, recompute (LineAmountTypes may have changed)
        raw_lines = [{**{k: v for k, v in line.items() if k in LINE_INPUT_FIELDS}, "LineItemID": line_id,
                      **({"TaxAmount": line["TaxAmount"]} if line.get("_tax_overridden") else {})}
                     for line_id, line in previous.items()]
    if not isinstance(raw_lines, list):
        messages.append("LineItems must be a list.")
        return []
    lines = []
    for raw in raw_lines:
        if not isinstance(raw, dict):
            messages.append("Each line item must be an object.")
            continue
        base = previous.get(str(raw.get("LineItemID") or "").lower())
        merged = {**({k: v for k, v in base.items() if k in LINE_INPUT_FIELDS} if base else {}), **raw}
        lines.append(_build_line(ctx, merged, base, line_amount_types, purchases, approving, messages))
    return lines


def _build_line(ctx: ApiContext, raw: dict[str, Any], base: dict[str, Any] | None, line_amount_types: str,
                purchases: bool, approving: bool, messages: list[str]) -> dict[str, Any]:
    description = (raw.get("Description") or "").strip()
    if not description and not raw.get("ItemCode"):
        messages.append("The description field is mandatory for each line item.")
    numbers: dict[str, Decimal | None] = {}
    for key in ("Quantity", "UnitAmount", "LineAmount", "TaxAmount", "DiscountRate"):
        value = raw.get(key)
        try:
            numbers[key] = None if value is None else parse_decimal(value)
        except ValueError:
            messages.append(f"{key} must be a number.")
            numbers[key] = None
    quantity = quantize_quantity(numbers["Quantity"] if numbers["Quantity"] is not None else Decimal("1"))
    if numbers["UnitAmount"] is None and numbers["LineAmount"] is not None and quantity:
        unit = numbers["LineAmount"] / quantity
    else:
        unit = numbers["UnitAmount"] or Decimal("0")
    unit = round_places(unit, unit_places(ctx.unitdp()))
    amount = line_amount(quantity, unit, numbers["DiscountRate"])
    if numbers["LineAmount"] is not None:
        given = round_money(numbers["LineAmount"])
        if numbers["UnitAmount"] is not None and given != amount:
            messages.append(f"The LineAmount {given} of '{description}' does not equal "
                            f"Quantity × UnitAmount ({amount}).")
        amount = given
    account = find_account(ctx, raw.get("AccountCode"), raw.get("AccountID"))
    account_label = raw.get("AccountCode") or raw.get("AccountID")
    unusable = (account is None or account["Status"] != "ACTIVE" or account["Type"] == "BANK"
                or bool(account.get("SystemAccount")))
    if account_label and unusable:
        messages.append(f"Account code '{account_label}' is not a valid code for this document.")
        account = None
    elif not account_label and approving:
        messages.append("The account code field is mandatory for each line item.")
    tax_rate = _line_tax_rate(ctx, raw, account, line_amount_types, purchases, messages)
    tracking = build_tracking(ctx, raw.get("Tracking"), stored_pairs(base), description, messages)
    rate = tax_rate["EffectiveRate"] if tax_rate else Decimal("0")
    tax = line_tax(amount, rate, line_amount_types)
    tax_overridden = False
    if numbers["TaxAmount"] is not None:
        given_tax = round_money(numbers["TaxAmount"])
        if given_tax != tax:
            if line_amount_types == "NoTax" or not rate or given_tax < 0 or given_tax > abs(amount):
                messages.append(f"The TaxAmount {given_tax} of '{description}' is not valid "
                                f"for a line of {amount} at {rate}%.")
            else:
                tax, tax_overridden = given_tax, True
    line = {
        "LineItemID": base["LineItemID"] if base else str(uuid.uuid4()), "Description": description,
        "Quantity": quantity, "UnitAmount": unit, "TaxType": tax_rate["TaxType"] if tax_rate else raw.get("TaxType"),
        "TaxAmount": tax, "LineAmount": amount, "Tracking": tracking,
        "_tax_overridden": tax_overridden,
    }
    if account:
        line["AccountCode"], line["AccountID"] = account["Code"], account["AccountID"]
    for key in ("ItemCode",):
        if raw.get(key):
            line[key] = raw[key]
    if numbers["DiscountRate"]:
        line["DiscountRate"] = numbers["DiscountRate"]
    return line


def _line_tax_rate(ctx: ApiContext, raw: dict[str, Any], account: dict[str, Any] | None, line_amount_types: str,
                   purchases: bool, messages: list[str]) -> dict[str, Any] | None:
    rates = ctx.org["tax_rates"]
    applies = "CanApplyToExpenses" if purchases else "CanApplyToRevenue"
    code = raw.get("TaxType")
    if not code:
        no_tax = ("NONE" if "NONE" in rates else "BASEXCLUDED") if line_amount_types == "NoTax" else None
        candidates = [no_tax, account.get("TaxType") if account else None, _default_tax_type(ctx, purchases)]
        code = next((c for c in candidates
                     if c and c in rates and rates[c]["Status"] == "ACTIVE" and rates[c][applies]), None)
        return rates.get(code) if code else None
    rate = rates.get(code)
    if rate is None or rate["Status"] != "ACTIVE":
        messages.append(f"Tax rate must be valid. The TaxType code '{code}' does not exist or is not active.")
        return None
    if not rate[applies]:
        where = f"account code '{account['Code']}'" if account else "this document"
        messages.append(f"The TaxType code '{code}' cannot be used with {where}.")
        return None
    return rate


def _default_tax_type(ctx: ApiContext, purchases: bool) -> str:
    uk = "INPUT2" in ctx.org["tax_rates"]
    if purchases:
        return "INPUT2" if uk else "INPUT"
    return "OUTPUT2" if uk else "OUTPUT"
