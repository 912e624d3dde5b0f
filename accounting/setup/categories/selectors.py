"""Reads for Setup > Accounting › Product categories, and the category codes the preflight codes lines with."""

from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import get_object_or_404

from accounting.setup.models import CategoryAccountCode
from integrations.models import XeroAccount
from invoicing.models import Product, ProductCategory, PurchaseOrderLine
from onport.models import Account

SKUS_OFFERED = 200  # uncategorised SKUs offered on the page at most (the rest can be typed)


@dataclass(frozen=True)
class CategoryCode:
    """The account code a SKU's category gives its lines in one Xero account."""

    category: str  # the category's name, for the rule Preview bill shows
    account_code: str


def product_category_get(*, account: Account, category_id: int) -> ProductCategory:
    """The account's category, or 404 (another account's id included)."""
    return get_object_or_404(ProductCategory.objects.for_account(account), pk=category_id)


def product_categories_list(*, account: Account, xero_account: XeroAccount | None = None) -> list[ProductCategory]:
    """The account's categories by name, each with `sku_count`, `skus` (its SKUs, sorted) and `account_code` (its
    saved code for `xero_account`, "" for none)."""
    categories = list(ProductCategory.objects.for_account(account).annotate(sku_count=Count("products")))
    codes = category_account_codes(xero_account=xero_account) if xero_account is not None else {}
    skus: dict[int, list[str]] = {category.pk: [] for category in categories}
    for category_id, sku in (
        Product.objects.for_account(account).filter(category__isnull=False).values_list("category_id", "sku")
    ):
        skus[category_id].append(sku)
    for category in categories:
        category.skus = skus[category.pk]
        category.account_code = codes.get(category.pk, "")
    return categories


def skus_uncategorised(*, account: Account, limit: int = SKUS_OFFERED) -> list[str]:
    """SKUs seen on the account's purchase order lines that are in no category yet (what the page offers)."""
    categorised = Product.objects.for_account(account).filter(category__isnull=False).values("sku")
    seen = (
        PurchaseOrderLine.objects.filter(account=account)
        .exclude(sku="")
        .exclude(sku__in=categorised)
        .values_list("sku", flat=True)
        .distinct()
        .order_by("sku")
    )
    return list(seen[:limit])


def category_account_codes(*, xero_account: XeroAccount) -> dict[int, str]:
    """The saved account code of each category (by id) for this Xero account."""
    return dict(
        CategoryAccountCode.objects.filter(xero_account=xero_account).values_list("category_id", "account_code")
    )


def category_codes_by_sku(*, xero_account: XeroAccount, skus: set[str]) -> dict[str, CategoryCode]:
    """Those of `skus` whose category has an account code for this Xero account, in one query (the preflight's:
    the SKUs of the invoices at hand, not the whole catalogue)."""
    if not skus:
        return {}
    rows = Product.objects.filter(
        account_id=xero_account.account_id, sku__in=skus, category__account_codes__xero_account=xero_account
    ).values_list("sku", "category__name", "category__account_codes__account_code")
    return {sku: CategoryCode(category=name, account_code=code) for sku, name, code in rows}
