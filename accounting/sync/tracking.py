"""Which tracking options a bill's lines get, and what stops them, without calling Xero.

Per tracking category the most specific rule of Setup > Accounting › Tracking that matches the invoice wins: the
vendor, then the order's sales channel, its brand, the vendor's kind, then the category's default. The chosen
option is checked against Onport's copy of Xero's list: an option or category archived (or deleted) in Xero holds
the bill with the fix, instead of Xero refusing it.
"""

from dataclasses import dataclass

from accounting.outbox.results import Problem
from accounting.setup.models import TrackingRule, TrackingRuleKind, XeroTrackingOption
from contacts.models import VendorKind
from integrations.models import XeroAccount
from integrations.xero.mapping import LineTracking
from invoicing.models import PurchaseInvoice

PRECEDENCE = (
    TrackingRuleKind.VENDOR,
    TrackingRuleKind.SALES_CHANNEL,
    TrackingRuleKind.BRAND,
    TrackingRuleKind.VENDOR_KIND,
    TrackingRuleKind.DEFAULT,
)
PAGE = "Setup > Accounting › Tracking"


@dataclass(frozen=True)
class TrackingContext:
    """A Xero account's rules and Onport's copy of its options (two queries, for any number of invoices)."""

    rules: tuple[TrackingRule, ...]
    options: dict[str, XeroTrackingOption]  # by option id

    @classmethod
    def load(cls, *, xero_account: XeroAccount) -> "TrackingContext":
        rules = tuple(TrackingRule.objects.filter(xero_account=xero_account).select_related("vendor"))
        if not rules:
            return cls(rules=(), options={})
        copy = XeroTrackingOption.objects.filter(xero_account=xero_account)
        return cls(rules=rules, options={row.option_id: row for row in copy})


def rule_words(rule: TrackingRule) -> str:
    """Which bills a rule is for, in a finance person's words."""
    if rule.kind == TrackingRuleKind.VENDOR:
        return f"vendor '{rule.vendor.name if rule.vendor else '?'}'"
    if rule.kind == TrackingRuleKind.SALES_CHANNEL:
        return f"sales channel '{rule.value}'"
    if rule.kind == TrackingRuleKind.BRAND:
        return f"brand '{rule.value}'"
    if rule.kind == TrackingRuleKind.VENDOR_KIND:
        kinds: dict[str, str] = {
            VendorKind.DROPSHIP: "dropship providers",
            VendorKind.REPLENISHMENT: "replenishment suppliers",
        }
        return kinds.get(rule.value, rule.value)
    return "every bill"


def _matches(rule: TrackingRule, invoice: PurchaseInvoice) -> bool:
    order = invoice.order
    if rule.kind == TrackingRuleKind.VENDOR:
        return rule.vendor_id == invoice.vendor_id
    if rule.kind == TrackingRuleKind.SALES_CHANNEL:
        return _same(order.sales_channel, rule.value)
    if rule.kind == TrackingRuleKind.BRAND:
        return _same(order.brand, rule.value)
    if rule.kind == TrackingRuleKind.VENDOR_KIND:
        return rule.value == invoice.kind
    return rule.kind == TrackingRuleKind.DEFAULT


def _same(written: str, rule_value: str) -> bool:
    return bool(written) and " ".join(written.split()).casefold() == rule_value.casefold()


def chosen_rules(rules: tuple[TrackingRule, ...], invoice: PurchaseInvoice) -> list[TrackingRule]:
    """The winning rule of each category that has one matching this invoice, in the categories' name order."""
    best: dict[str, TrackingRule] = {}
    for rule in rules:
        if not _matches(rule, invoice):
            continue
        held = best.get(rule.category_id)
        if held is None or PRECEDENCE.index(rule.kind) < PRECEDENCE.index(held.kind):
            best[rule.category_id] = rule
    return sorted(best.values(), key=lambda rule: rule.category_name.casefold())


@dataclass(frozen=True)
class BillTracking:
    entries: tuple[LineTracking, ...]
    rules: tuple[str, ...]  # per entry: which rule chose it ("Sales channel: Online (sales channel 'Online')")
    problems: tuple[Problem, ...]


def bill_tracking(context: TrackingContext, invoice: PurchaseInvoice) -> BillTracking:
    entries, words, problems = [], [], []
    for rule in chosen_rules(context.rules, invoice):
        copy = context.options.get(rule.option_id)
        where = f"chosen in {PAGE} for {rule_words(rule)}"
        if copy is None or copy.category_id != rule.category_id:
            problems.append(
                Problem(
                    f"The tracking option '{rule.option_name}' of '{rule.category_name}', {where}, is no longer in "
                    f"Xero — choose another option there, then sync again."
                )
            )
            continue
        if copy.category_status != "ACTIVE":
            problems.append(
                Problem(
                    f"The tracking category '{copy.category_name}' is archived in Xero, but {PAGE} still sets "
                    f"'{copy.option_name}' for {rule_words(rule)} — delete that rule there or restore the category "
                    "in Xero, then sync again."
                )
            )
            continue
        if copy.option_status != "ACTIVE":
            problems.append(
                Problem(
                    f"The tracking option '{copy.option_name}' of '{copy.category_name}', {where}, is archived in "
                    "Xero — choose another option there or restore it in Xero, then sync again."
                )
            )
            continue
        entries.append(
            LineTracking(
                category_id=copy.category_id,
                category_name=copy.category_name,
                option_id=copy.option_id,
                option_name=copy.option_name,
            )
        )
        words.append(f"{copy.category_name}: {copy.option_name} ({rule_words(rule)})")
    return BillTracking(entries=tuple(entries), rules=tuple(words), problems=tuple(problems))
