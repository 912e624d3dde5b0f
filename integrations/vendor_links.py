"""Vendor ↔ Xero contact links, one per vendor per Xero account: link, unlink, create the contact in
Xero, per-vendor coding overrides, and the bulk auto-match by email and tax number."""

import hashlib

from django.core.exceptions import ValidationError

from contacts.models import Vendor
from integrations.contact_import import xero_contacts_upsert
from integrations.models import VendorXeroLink, XeroAccount, XeroContact, XeroContactStatus
from integrations.xero import contacts as xero_contacts
from integrations.services import xero_client
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroError, XeroValidationError
from integrations.vendor_link_selectors import auto_match_proposals, contact_linked_elsewhere
from integrations.xero_lists import xero_lists_get
from onport.errors import ApplicationError

ARCHIVED_WARNING = "archived in Xero — bills to it will be refused; pick another contact or un-archive it in Xero"


class LinkRefused(ApplicationError):
    """The vendor cannot be linked to this contact; the message says why."""


class ContactNameClash(ApplicationError):
    """Xero already has an active contact with this name: link it, or create under another name."""

    def __init__(self, *, name: str, existing: XeroContact | None):
        super().__init__(
            f"Xero already has a contact called “{name}”, and Xero needs contact names to be unique. "
            "Link that contact to this vendor, or create the contact under a different name."
        )
        self.name = name
        self.existing = existing


def _check_same_account(vendor: Vendor, xero_account: XeroAccount) -> None:
    if vendor.account_id != xero_account.account_id:
        raise ValueError("The vendor and the Xero account belong to different accounts.")


class ContactInUse(LinkRefused):
    """Another vendor is linked to this contact already; linking a second one needs the user's confirmation."""

    def __init__(self, *, contact: XeroContact, other: Vendor):
        super().__init__(
            f"“{contact.name}” is already the Xero contact of vendor “{other.name}”. Linked to both, the two "
            "vendors' bills go to one supplier in Xero. Link it anyway only if they really are one supplier."
        )
        self.contact, self.other = contact, other


def vendor_xero_link_set(
    *, vendor: Vendor, xero_account: XeroAccount, contact: XeroContact, user=None, shared_confirmed: bool = False
) -> VendorXeroLink:
    """Link the vendor to this contact in this Xero account (replacing its previous contact there).

    A contact another vendor uses already is linked only with `shared_confirmed` (ContactInUse otherwise).
    """
    _check_same_account(vendor, xero_account)
    if contact.xero_account_id != xero_account.pk:
        raise ValueError("The contact belongs to another Xero account.")
    if contact.status != XeroContactStatus.ACTIVE:
        raise LinkRefused(f"“{contact.name}” is {ARCHIVED_WARNING}.")
    other = contact_linked_elsewhere(xero_account=xero_account, contact_id=contact.contact_id, vendor=vendor)
    if other is not None and not shared_confirmed:
        raise ContactInUse(contact=contact, other=other)
    link, _ = VendorXeroLink.objects.update_or_create(
        vendor=vendor,
        xero_account=xero_account,
        defaults={
            "account_id": vendor.account_id,
            "contact_id": contact.contact_id,
            "contact_name": contact.name,
            "renamed_from": "",
            "linked_by": user,
        },
    )
    return link


def vendor_xero_link_remove(*, vendor: Vendor, xero_account: XeroAccount) -> None:
    _check_same_account(vendor, xero_account)
    VendorXeroLink.objects.filter(vendor=vendor, xero_account=xero_account).delete()


def _contact_number(vendor: Vendor) -> str:
    """Our external key on the Xero contact ("Contact Code" in Xero): unique per Onport vendor."""
    return f"ONPORT-{vendor.pk}"


def _idempotency_key(vendor: Vendor, xero_account: XeroAccount, fields: tuple[str, ...]) -> str:
    digest = hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:24]
    return f"onport-contact-{xero_account.pk}-{vendor.pk}-{digest}"


def _cached(xero_account: XeroAccount, row: xero_contacts.XeroContactRow) -> XeroContact:
    xero_contacts_upsert(xero_account=xero_account, rows=[row])
    return XeroContact.objects.get(xero_account=xero_account, contact_id=row.contact_id)


def vendor_xero_contact_create(
    *, vendor: Vendor, xero_account: XeroAccount, user=None, name: str = ""
) -> VendorXeroLink:
    """Create the vendor as a contact in Xero (name, email, tax number, currency) and link it.

    Raises ContactNameClash when an active Xero contact has the name, LinkRefused for anything else
    Xero or the connection refused.
    """
    _check_same_account(vendor, xero_account)
    if not xero_account.is_ready:
        raise LinkRefused(
            f"The Xero account “{xero_account.name}” is not connected. Reconnect it under Integrations › Xero first."
        )
    name = (name or vendor.name).strip()
    if not name:
        raise LinkRefused("Type the name the contact should have in Xero.")
    if len(name) > 255:
        raise LinkRefused("A Xero contact name can have at most 255 characters.")
    fields = (name, vendor.email, vendor.tax_number, vendor.currency, _contact_number(vendor))
    client = xero_client(xero_account)
    try:
        row = xero_contacts.contact_create(
            client,
            name=name,
            email=vendor.email,
            tax_number=vendor.tax_number,
            currency=vendor.currency,
            contact_number=_contact_number(vendor),
            idempotency_key=_idempotency_key(vendor, xero_account, fields),
        )
    except xero_contacts.ContactNameTaken:
        raise ContactNameClash(name=name, existing=_namesake(client, xero_account, name)) from None
    except xero_contacts.ContactNumberTaken:
        return _relink_earlier_contact(client, vendor, xero_account, user)
    except XeroValidationError as error:
        raise LinkRefused(f"Xero refused the new contact: {error.message}") from error
    except XeroError as error:
        raise LinkRefused(f"The contact was not created: {error.message}") from error
    return vendor_xero_link_set(vendor=vendor, xero_account=xero_account, contact=_cached(xero_account, row), user=user)


def _namesake(client: XeroClient, xero_account: XeroAccount, name: str) -> XeroContact | None:
    """The active contact holding the name: from the imported list, else asked of Xero."""
    local = XeroContact.objects.filter(
        xero_account=xero_account, name__iexact=name, status=XeroContactStatus.ACTIVE
    ).first()
    if local is not None:
        return local
    try:
        row = xero_contacts.contact_find_by_name(client, name=name)
    except XeroError:
        return None
    return _cached(xero_account, row) if row else None


def _relink_earlier_contact(client: XeroClient, vendor: Vendor, xero_account: XeroAccount, user) -> VendorXeroLink:
    """Onport created this vendor's contact before (it carries our contact number): link that one again."""
    try:
        row = xero_contacts.contact_get(client, contact_id_or_number=_contact_number(vendor))
    except XeroError as error:
        raise LinkRefused(f"The contact was not created: {error.message}") from error
    if row is None:
        raise LinkRefused(
            "Xero says this vendor's contact code is taken, but cannot find that contact. Try again later."
        )
    contact = _cached(xero_account, row)
    if contact.status != XeroContactStatus.ACTIVE:
        raise LinkRefused(
            f"Onport created “{contact.name}” in Xero for this vendor before, and it is archived there: "
            "un-archive it in Xero, refresh the contacts and link it."
        )
    return vendor_xero_link_set(vendor=vendor, xero_account=xero_account, contact=contact, user=user)


def vendor_xero_overrides_update(*, link: VendorXeroLink, account_code: str, tax_type: str) -> VendorXeroLink:
    """The vendor's own account code for product lines and tax type, checked against Xero's live lists.

    Raises ValidationError (per field, plain words) or xero_lists.ListsUnavailable.
    """
    account_code, tax_type = account_code.strip(), tax_type.strip()
    if account_code or tax_type:
        lists = xero_lists_get(xero_account=link.xero_account, fresh=True)
        errors = {}
        if account_code and (problem := lists.account_problem(account_code)):
            errors["account_code_override"] = problem
        if tax_type and (problem := lists.tax_problem(tax_type)):
            errors["tax_type_override"] = problem
        if errors:
            raise ValidationError(errors)
    link.account_code_override, link.tax_type_override = account_code, tax_type
    link.full_clean()
    link.save(update_fields=["account_code_override", "tax_type_override", "updated_at"])
    return link


def auto_match_apply(*, xero_account: XeroAccount, chosen: list[str], user=None) -> int:
    """Create the links the admin ticked ("vendor_id:contact_id"), if they are still proposed now."""
    proposals = {p.value: p for p in auto_match_proposals(account=xero_account.account, xero_account=xero_account)}
    links = [
        VendorXeroLink(
            account_id=xero_account.account_id,
            vendor=proposal.vendor,
            xero_account=xero_account,
            contact_id=proposal.contact_id,
            contact_name=proposal.contact_name,
            linked_by=user,
        )
        for value in dict.fromkeys(chosen)
        if (proposal := proposals.get(value))
    ]
    linked = VendorXeroLink.objects.filter(xero_account=xero_account)
    before = linked.count()
    VendorXeroLink.objects.bulk_create(links, ignore_conflicts=True)  # a vendor linked meanwhile keeps its link
    return linked.count() - before
