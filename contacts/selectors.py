from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from contacts.models import Vendor, VendorKind
from integrations.models import VendorXeroLink, XeroAccount, XeroContact, XeroContactStatus
from onport.models import Account

XERO_STATES = ("mapped", "unmapped", "archived")


def vendor_get(*, account: Account, vendor_id: int) -> Vendor:
    """The account's vendor, or 404 — the same for another account's vendor as for a missing one."""
    return get_object_or_404(Vendor.objects.for_account(account), pk=vendor_id)


def vendor_list(
    *,
    account: Account,
    kind: str | None = None,
    query: str = "",
    xero_account: XeroAccount | None = None,
    xero_state: str = "",
) -> QuerySet[Vendor]:
    """The account's vendors; with a Xero account, each carries `xero_state` (mapped / unmapped /
    archived) and `xero_contact_name`, computed in the same query (no query per vendor)."""
    vendors: QuerySet[Vendor] = Vendor.objects.for_account(account)
    if kind:
        vendors = vendors.filter(kind=kind)
    if query:
        vendors = vendors.filter(name__icontains=query)
    if xero_account is not None:
        vendors = _with_xero_state(vendors, xero_account, only=xero_state if xero_state in XERO_STATES else "")
    return vendors.order_by("name")


def _with_xero_state(vendors: QuerySet[Vendor], xero_account: XeroAccount, *, only: str = "") -> QuerySet[Vendor]:
    """The vendors with their `xero_state` in this Xero account (and only those in state `only`, if given)."""
    link = VendorXeroLink.objects.filter(vendor=OuterRef("pk"), xero_account=xero_account)
    contact = XeroContact.objects.filter(xero_account=xero_account, contact_id=OuterRef("xero_contact_id"))
    vendors = vendors.annotate(
        xero_contact_id=Subquery(link.values("contact_id")[:1]),
        xero_contact_name=Subquery(link.values("contact_name")[:1]),
    )
    vendors = vendors.annotate(xero_contact_status=Subquery(contact.values("status")[:1]))
    stated = vendors.annotate(
        xero_state=Case(
            When(xero_contact_id__isnull=True, then=Value("unmapped")),
            When(
                xero_contact_status__in=[XeroContactStatus.ARCHIVED, XeroContactStatus.GDPRREQUEST],
                then=Value("archived"),
            ),
            default=Value("mapped"),
            output_field=CharField(),
        )
    )
    return stated.filter(xero_state=only) if only else stated


def dropship_provider_get(*, account: Account, vendor_id: int) -> Vendor:
    """The account's dropship provider, or 404 (a replenishment supplier's id included)."""
    return get_object_or_404(Vendor.objects.for_account(account).filter(kind=VendorKind.DROPSHIP), pk=vendor_id)
