"""Setup > Accounting › Tracking: which option of each Xero tracking category a bill's lines get.

Rules are saved only against Xero's list read afresh (the option must exist and be active), and every read of that
list refreshes Onport's copy of it (`XeroTrackingOption`), which the preflight checks a bill's options against
without calling Xero: an option archived in Xero since holds the bill with the fix, before Xero refuses it.
"""

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounting.setup.models import AccountingSettings, TrackingRule, TrackingRuleKind, XeroTrackingOption
from accounting.sync.sweep import waiting_rows_rearm
from accounting.sync.tracking import PRECEDENCE, rule_words
from contacts.models import Vendor, VendorKind
from integrations.models import XeroAccount
from integrations.services import xero_client
from integrations.xero.errors import XeroError
from integrations.xero.tracking import TrackingCategory, TrackingOption, tracking_categories
from invoicing.models import PurchaseOrder
from onport.errors import ApplicationError
from onport.models import Account

PAGE = "Setup > Accounting › Tracking"


class TrackingUnavailable(ApplicationError):
    """Xero could not be asked for its tracking categories now; the message says so in plain words."""


class TrackingRuleRefused(ApplicationError):
    """The rule was not saved; the message says why and what to do."""


def tracking_copy_refresh(*, xero_account: XeroAccount) -> list[TrackingCategory]:
    """The organisation's tracking categories live from Xero (archived ones too); Onport's copy is replaced by them."""
    if not xero_account.is_ready:
        raise TrackingUnavailable(
            f"The Xero account “{xero_account.name}” is not connected, so its tracking categories cannot be read. "
            "Reconnect it under Integrations › Xero."
        )
    try:
        categories = tracking_categories(xero_client(xero_account, max_wait=10.0))
    except XeroError as error:
        raise TrackingUnavailable(
            f"Xero could not be reached for the tracking categories of "
            f"{xero_account.tenant_name or xero_account.name}: {error.message} The saved rules are kept; "
            "try “reload from Xero” in a minute."
        ) from error
    now = timezone.now()
    rows = [
        XeroTrackingOption(
            xero_account=xero_account,
            category_id=category.category_id,
            category_name=category.name,
            category_status=category.status,
            option_id=option.option_id,
            option_name=option.name,
            option_status=option.status,
            read_at=now,
        )
        for category in categories
        for option in category.options
    ]
    with transaction.atomic():
        XeroTrackingOption.objects.filter(xero_account=xero_account).delete()
        XeroTrackingOption.objects.bulk_create(rows)
    return categories


def tracking_copy(*, xero_account: XeroAccount) -> list[TrackingCategory]:
    """The categories as Onport last read them (no call to Xero), archived ones included."""
    categories: dict[str, TrackingCategory] = {}
    options: dict[str, list[TrackingOption]] = {}
    for row in XeroTrackingOption.objects.filter(xero_account=xero_account):
        categories.setdefault(
            row.category_id,
            TrackingCategory(
                category_id=row.category_id, name=row.category_name, status=row.category_status, options=()
            ),
        )
        options.setdefault(row.category_id, []).append(
            TrackingOption(option_id=row.option_id, name=row.option_name, status=row.option_status)
        )
    return [
        TrackingCategory(category_id=c.category_id, name=c.name, status=c.status, options=tuple(options[c.category_id]))
        for c in categories.values()
    ]


@dataclass(frozen=True)
class TrackingRuleInput:
    """An admin's rule: `applies_to` is "default", "vendor_kind:<kind>", "vendor:<id>", "sales_channel" or "brand";
    `match` is the sales channel or brand it matches (those two only)."""

    option_id: str
    applies_to: str
    match: str = ""


def tracking_rule_save(*, settings: AccountingSettings, data: TrackingRuleInput) -> TrackingRule:
    """Save a rule (replacing the one with the same category and match), checked against Xero's list read now."""
    xero_account = settings.xero_account
    if xero_account is None:
        raise TrackingRuleRefused("Choose the Xero account in Setup > Accounting first: tracking comes from it.")
    kind, vendor, value = _match_of(settings.account, data)
    categories = tracking_copy_refresh(xero_account=xero_account)
    found = [(c, o) for c in categories for o in c.options if o.option_id == data.option_id.strip().lower()]
    if not found:
        raise TrackingRuleRefused(
            "That tracking option is not in Xero any more (deleted, or the list changed): choose one from the list."
        )
    category, option = found[0]
    if not category.is_active:
        raise TrackingRuleRefused(f"The tracking category “{category.name}” is archived in Xero: restore it first.")
    if not option.is_active:
        raise TrackingRuleRefused(
            f"The option “{option.name}” of “{category.name}” is archived in Xero: choose an active one."
        )
    with transaction.atomic():
        rule = (
            TrackingRule.objects.select_for_update()
            .filter(xero_account=xero_account, category_id=category.category_id, kind=kind, vendor=vendor)
            .filter(value__iexact=value)
            .first()
        ) or TrackingRule(
            account=settings.account, xero_account=xero_account, category_id=category.category_id, kind=kind
        )
        rule.vendor, rule.value = vendor, value
        rule.category_name, rule.option_id, rule.option_name = category.name, option.option_id, option.name
        rule.full_clean()
        rule.save()
        waiting_rows_rearm(account=settings.account)  # bills held for an archived option may go now
    return rule


def _match_of(account: Account, data: TrackingRuleInput) -> tuple[str, Vendor | None, str]:
    applies_to, match = data.applies_to.strip(), " ".join(data.match.split())
    if applies_to == TrackingRuleKind.DEFAULT:
        return TrackingRuleKind.DEFAULT, None, ""
    if applies_to in (TrackingRuleKind.SALES_CHANNEL, TrackingRuleKind.BRAND):
        if not match:
            what = "sales channel" if applies_to == TrackingRuleKind.SALES_CHANNEL else "brand"
            raise TrackingRuleRefused(f"Enter the {what} this rule matches, as it is written on purchase orders.")
        if len(match) > 60:
            raise TrackingRuleRefused("A sales channel or brand has at most 60 characters.")
        return applies_to, None, match
    prefix, _, rest = applies_to.partition(":")
    if prefix == TrackingRuleKind.VENDOR_KIND and rest in VendorKind.values:
        return TrackingRuleKind.VENDOR_KIND, None, rest
    if prefix == TrackingRuleKind.VENDOR and rest.isdigit():
        vendor = Vendor.objects.for_account(account).filter(pk=int(rest)).first()
        if vendor is not None:
            return TrackingRuleKind.VENDOR, vendor, ""
    raise TrackingRuleRefused("Choose which bills the rule applies to.")


def tracking_rule_delete(*, account: Account, rule_id: int) -> None:
    with transaction.atomic():
        deleted, _ = TrackingRule.objects.filter(account=account, pk=rule_id).delete()
        if not deleted:
            raise Http404
        waiting_rows_rearm(account=account)


def tracking_rules(*, xero_account: XeroAccount) -> list[TrackingRule]:
    return list(TrackingRule.objects.filter(xero_account=xero_account).select_related("vendor"))


def tracking_values_seen(*, account: Account) -> dict[str, list[str]]:
    """The sales channels and brands written on the account's purchase orders (offered when writing a rule)."""
    orders = PurchaseOrder.objects.for_account(account)
    return {
        field: sorted(set(orders.exclude(**{field: ""}).values_list(field, flat=True).distinct()[:200]), key=str.lower)
        for field in ("sales_channel", "brand")
    }


@dataclass(frozen=True)
class RuleRow:
    rule: TrackingRule
    words: str  # which bills it is for
    problem: str  # why bills it applies to are held now ("" when none)


@dataclass(frozen=True)
class CategoryRules:
    category_id: str
    name: str
    status: str  # ACTIVE | ARCHIVED | GONE (no longer in Xero)
    active_options: tuple[str, ...]
    rows: tuple[RuleRow, ...]


def tracking_overview(*, categories: list[TrackingCategory], rules: list[TrackingRule]) -> list[CategoryRules]:
    """Each category (active ones first) with its rules, most specific first, and what Xero says of their options."""
    by_id = {category.category_id: category for category in categories}
    shown: list[CategoryRules] = []
    ids = [c.category_id for c in sorted(categories, key=lambda c: (not c.is_active, c.name.casefold()))]
    ids += sorted({rule.category_id for rule in rules} - set(ids))
    for category_id in ids:
        category = by_id.get(category_id)
        own = sorted(
            (rule for rule in rules if rule.category_id == category_id),
            key=lambda rule: (PRECEDENCE.index(rule.kind), rule_words(rule).casefold()),
        )
        if category is not None and not category.is_active and not own:
            continue  # an archived category nobody maps: nothing to say
        rows = tuple(RuleRow(rule=rule, words=rule_words(rule), problem=_rule_problem(category, rule)) for rule in own)
        shown.append(
            CategoryRules(
                category_id=category_id,
                name=category.name if category else own[0].category_name,
                status=category.status if category else "GONE",
                active_options=tuple(o.name for o in category.options if o.is_active) if category else (),
                rows=rows,
            )
        )
    return shown


def _rule_problem(category: TrackingCategory | None, rule: TrackingRule) -> str:
    if category is None:
        return "This category is no longer in Xero: delete the rule."
    if not category.is_active:
        return "This category is archived in Xero: bills this rule applies to wait until you delete it or restore it."
    option = category.option(rule.option_id)
    if option is None:
        return f"The option “{rule.option_name}” is no longer in Xero: choose another."
    if not option.is_active:
        return (
            f"The option “{option.name}” is archived in Xero: bills this rule applies to wait until you choose another."
        )
    return ""
