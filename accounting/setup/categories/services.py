"""Setup > Accounting › Product categories: categories, the SKUs in each, and each category's account code in the
Xero account of Setup > Accounting.

A code is checked against Xero's lists read afresh when it is saved (like Setup > Accounting's own codes): one Xero
would refuse is never stored. After a change, the bills that waited on their coding are checked again.
"""

from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounting.setup.models import AccountingSettings, CategoryAccountCode
from accounting.sync.sweep import waiting_rows_rearm
from integrations.xero_lists import ListsUnavailable, xero_lists_get
from invoicing.models import Product, ProductCategory
from onport.errors import ApplicationError
from onport.models import Account
from onport.validators import has_control_characters

SKU_MAX = cast(int, Product._meta.get_field("sku").max_length)
NAME_MAX = cast(int, ProductCategory._meta.get_field("name").max_length)


class CategoryRefused(ApplicationError):
    """Nothing was changed; the message says why (a finance person's words)."""


class CategoryCodesRefused(ApplicationError):
    """No code was saved: `errors` (by category id) say what Xero would refuse, `message` the rest."""

    def __init__(self, *, message: str = "", errors: dict[int, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


@dataclass(frozen=True)
class SkusAssigned:
    added: list[str] = field(default_factory=list)  # had no category before
    moved: dict[str, str] = field(default_factory=dict)  # SKU → the category it was taken from
    already: list[str] = field(default_factory=list)  # were in this category already


def _clean_name(*, account: Account, name: str, renaming: ProductCategory | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise CategoryRefused("Give the category a name.")
    if len(name) > NAME_MAX or has_control_characters(name):
        raise CategoryRefused(f"Use at most {NAME_MAX} letters, digits, spaces and punctuation for the name.")
    taken = ProductCategory.objects.for_account(account).filter(name__iexact=name)
    if renaming is not None:
        taken = taken.exclude(pk=renaming.pk)
    if (existing := taken.first()) is not None:
        raise CategoryRefused(f"There is already a category named '{existing.name}': choose another name.")
    return name


def _save(category: ProductCategory, **kwargs) -> None:
    try:
        category.full_clean()
        with transaction.atomic():
            category.save(**kwargs)
    except (ValidationError, IntegrityError) as error:  # another admin took the name a moment ago
        raise CategoryRefused(f"There is already a category named '{category.name}': choose another name.") from error


def product_category_create(*, account: Account, name: str) -> ProductCategory:
    category = ProductCategory(account=account, name=_clean_name(account=account, name=name))
    _save(category)
    return category


def product_category_rename(*, category: ProductCategory, name: str) -> ProductCategory:
    category.name = _clean_name(account=category.account, name=name, renaming=category)
    _save(category, update_fields=["name"])
    return category


@transaction.atomic
def product_category_delete(*, category: ProductCategory) -> int:
    """Delete the category and its account codes; its SKUs stay, without a category (their lines then get the
    default code). Returns how many SKUs were in it."""
    count = category.products.count()
    account = category.account
    category.delete()
    waiting_rows_rearm(account=account)
    return count


def _clean_skus(skus: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(sku.strip() for sku in skus if sku.strip()))
    wrong = [sku for sku in cleaned if len(sku) > SKU_MAX or has_control_characters(sku)]
    if wrong:
        raise CategoryRefused(
            f"These are not SKUs Onport can keep (at most {SKU_MAX} characters, no tabs): {', '.join(wrong[:5])}. "
            "Nothing was changed."
        )
    if not cleaned:
        raise CategoryRefused("Choose or type at least one SKU (one per line).")
    return cleaned


@transaction.atomic
def products_assign(*, account: Account, category: ProductCategory | None, skus: list[str]) -> SkusAssigned:
    """Put these SKUs in `category` (None: take them out of theirs). A SKU in another category moves, and the
    result says from where; a SKU Onport has not seen yet is added."""
    if category is not None and category.account_id != account.pk:
        raise CategoryRefused("Choose one of your own categories.")
    skus = _clean_skus(skus)
    existing = {
        product.sku: product
        for product in Product.objects.for_account(account)
        .filter(sku__in=skus)
        .select_related("category")
        .select_for_update(of=("self",))
    }
    result = SkusAssigned()
    changed = []
    for sku in skus:
        product = existing.get(sku)
        old = product.category if product else None
        if old == category:
            if category is not None:
                result.already.append(sku)
            continue
        if old is not None:
            result.moved[sku] = old.name
        elif category is not None:
            result.added.append(sku)
        if product is not None:
            product.category = category
            changed.append(product)
    Product.objects.bulk_update(changed, ["category"])
    new = [Product(account=account, sku=sku, category=category) for sku in skus if sku not in existing]
    if new and category is not None:
        # another admin adding the same SKU at the same moment: the last one's category wins, no error
        Product.objects.bulk_create(
            new, update_conflicts=True, unique_fields=["account", "sku"], update_fields=["category"]
        )
    if changed or (new and category is not None):
        waiting_rows_rearm(account=account)
    return result


def category_codes_update(*, settings: AccountingSettings, codes: dict[int, str]) -> int:
    """Save each category's account code (by category id; "" = the default) for the Xero account of Setup >
    Accounting, or raise CategoryCodesRefused (nothing saved). Returns how many bills go to Xero again."""
    xero_account = settings.xero_account
    if xero_account is None:
        raise CategoryCodesRefused(message="Choose the Xero account in Setup > Accounting first: codes come from it.")
    categories = set(ProductCategory.objects.for_account(settings.account).values_list("pk", flat=True))
    codes = {category_id: code.strip() for category_id, code in codes.items() if category_id in categories}
    chosen = {category_id: code for category_id, code in codes.items() if code}
    if chosen:
        try:
            lists = xero_lists_get(xero_account=xero_account, fresh=True)
        except ListsUnavailable as unavailable:
            raise CategoryCodesRefused(message=f"{unavailable.message} Nothing was saved.") from unavailable
        errors = {
            category_id: problem for category_id, code in chosen.items() if (problem := lists.account_problem(code))
        }
        if errors:
            raise CategoryCodesRefused(
                message="Nothing was saved: Xero would refuse some of these account codes (see below).", errors=errors
            )
    with transaction.atomic():
        saved = CategoryAccountCode.objects.filter(xero_account=xero_account, category_id__in=codes)
        saved.exclude(category_id__in=chosen).delete()
        for category_id, code in chosen.items():
            mapping = CategoryAccountCode(
                account=settings.account, xero_account=xero_account, category_id=category_id, account_code=code
            )
            mapping.full_clean(validate_unique=False, validate_constraints=False)
            CategoryAccountCode.objects.update_or_create(
                xero_account=xero_account,
                category_id=category_id,
                defaults={"account": settings.account, "account_code": code},
            )
        return waiting_rows_rearm(account=settings.account)
