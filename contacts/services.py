"""Vendor workflows: create a vendor, change its details or settings."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import Vendor, VendorKind
from onport.models import Account

# What a person may change on a vendor (its account and kind are fixed at creation).
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "email",
        "currency",
        "address_line1",
        "address_line2",
        "city",
        "postcode",
        "country",
        "tax_number",
        "payment_terms_days",
        "default_tax_rate",
        "prices_include_tax",
    }
)


def _check_name_free(vendor: Vendor) -> None:
    taken = Vendor.objects.for_account(vendor.account).filter(name__iexact=vendor.name.strip())
    if vendor.pk:
        taken = taken.exclude(pk=vendor.pk)
    if taken.exists():
        raise ValidationError({"name": f"You already have a vendor called “{vendor.name.strip()}”."})


def _save(vendor: Vendor, *, update_fields: list[str] | None = None) -> Vendor:
    vendor.name = vendor.name.strip()
    _check_name_free(vendor)
    vendor.full_clean()
    try:
        with transaction.atomic():
            vendor.save(update_fields=update_fields)
    except IntegrityError:  # another request took the name between the check and the save
        raise ValidationError({"name": f"You already have a vendor called “{vendor.name}”."}) from None
    return vendor


def vendor_create(
    *,
    account: Account,
    kind: str,
    name: str,
    email: str = "",
    currency: str = "GBP",
    address_line1: str = "",
    address_line2: str = "",
    city: str = "",
    postcode: str = "",
    country: str = "",
    tax_number: str = "",
    payment_terms_days: int = 30,
    default_tax_rate: Decimal = Decimal("20.00"),
    prices_include_tax: bool = False,
) -> Vendor:
    if kind not in VendorKind.values:
        raise ValidationError({"kind": "Choose a dropship provider or a replenishment supplier."})
    vendor = Vendor(
        account=account,
        kind=kind,
        name=name,
        email=email,
        currency=currency,
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        postcode=postcode,
        country=country,
        tax_number=tax_number,
        payment_terms_days=payment_terms_days,
        default_tax_rate=default_tax_rate,
        prices_include_tax=prices_include_tax,
    )
    return _save(vendor)


def vendor_update(*, vendor: Vendor, data: Mapping[str, object]) -> Vendor:
    """Change some of the vendor's details (one settings tab, say); only the given fields are saved."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable on a vendor: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(vendor, field, value)
    update_fields = sorted(set(data) | {"updated_at"})
    if "currency" in data or "country" in data:  # clean() normalises them
        update_fields = sorted(set(update_fields) | {"currency", "country"})
    return _save(vendor, update_fields=update_fields)
