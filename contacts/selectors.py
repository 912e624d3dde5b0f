from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from contacts.models import Vendor, VendorKind
from onport.models import Account


def vendor_get(*, account: Account, vendor_id: int) -> Vendor:
    """The account's vendor, or 404 — the same for another account's vendor as for a missing one."""
    return get_object_or_404(Vendor.objects.for_account(account), pk=vendor_id)


def vendor_list(*, account: Account, kind: str | None = None, query: str = "") -> QuerySet[Vendor]:
    vendors = Vendor.objects.for_account(account)
    if kind:
        vendors = vendors.filter(kind=kind)
    if query:
        vendors = vendors.filter(name__icontains=query)
    return vendors.order_by("name")


def dropship_provider_get(*, account: Account, vendor_id: int) -> Vendor:
    """The account's dropship provider, or 404 (a replenishment supplier's id included)."""
    return get_object_or_404(Vendor.objects.for_account(account).filter(kind=VendorKind.DROPSHIP), pk=vendor_id)
