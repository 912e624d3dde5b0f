"""Contacts: list with Xero's filters, create (PUT), create-or-update (POST), update one."""

from __future__ import annotations

import re
import uuid
from typing import Any

from werkzeug.wrappers import Response

from .accounting import (
    ApiContext,
    ElementInvalid,
    envelope,
    not_found,
    paginate,
    query_documents,
    run_batch,
)

WRITABLE_FIELDS = (
    "ContactNumber", "AccountNumber", "ContactStatus", "Name", "FirstName", "LastName", "CompanyNumber",
    "EmailAddress", "ContactPersons", "BankAccountDetails", "TaxNumber", "TaxNumberType",
    "AccountsReceivableTaxType", "AccountsPayableTaxType", "Addresses", "Phones", "DefaultCurrency",
    "SalesDefaultLineAmountType", "PurchasesDefaultLineAmountType", "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode", "PaymentTerms", "XeroNetworkKey", "BatchPayments", "Discount",
)
SUMMARY_FIELDS = (
    "ContactID", "ContactNumber", "AccountNumber", "ContactStatus", "Name", "FirstName", "LastName",
    "CompanyNumber", "EmailAddress", "TaxNumber", "DefaultCurrency", "IsSupplier", "IsCustomer",
    "UpdatedDateUTC", "HasAttachments", "HasValidationErrors",
)
SEARCHED_FIELDS = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTACT_STATUSES = {"ACTIVE", "ARCHIVED", "GDPRREQUEST"}


def _same_name(left: str | None, right: str | None) -> bool:
    return (left or "").strip().casefold() == (right or "").strip().casefold()


def get_contacts(ctx: ApiContext) -> Response:
    contacts = list(ctx.org["contacts"].values())
    ids = {contact_id.lower() for contact_id in ctx.id_list("IDs")}
    if ids:
        contacts = [contact for contact in contacts if contact["ContactID"] in ids]
    mentions_status = "contactstatus" in (ctx.arg("where") or "").lower()
    if not ctx.flag("includeArchived") and not mentions_status:
        contacts = [contact for contact in contacts if contact["ContactStatus"] != "ARCHIVED"]
    term = (ctx.arg("searchTerm") or "").strip().casefold()
    if term:
        contacts = [c for c in contacts if any(term in (c.get(name) or "").casefold() for name in SEARCHED_FIELDS)]
    contacts = query_documents(ctx, contacts, default_order="Name")
    page, pagination, _ = paginate(ctx, contacts)
    if ctx.flag("summaryOnly"):
        page = [{key: contact[key] for key in SUMMARY_FIELDS if key in contact} for contact in page]
    return envelope(ctx, "Contacts", page, pagination=pagination)


def get_contact(ctx: ApiContext, contact_id: str) -> Response:
    contact = ctx.org["contacts"].get(contact_id.lower())
    if contact is None:
        contact = next((c for c in ctx.org["contacts"].values() if c.get("ContactNumber") == contact_id), None)
    if contact is None:
        raise not_found()
    return envelope(ctx, "Contacts", [contact])


def _contacts_batch(ctx: ApiContext, apply: Any) -> Response:
    return run_batch(ctx, "Contacts", ctx.elements("Contacts"), apply, has_errors_key="HasValidationErrors",
                     id_key="ContactID")


def put_contacts(ctx: ApiContext) -> Response:
    return _contacts_batch(ctx, lambda element: save_contact(ctx, element, create_only=True))


def post_contacts(ctx: ApiContext) -> Response:
    return _contacts_batch(ctx, lambda element: save_contact(ctx, element, create_only=False))


def post_contact(ctx: ApiContext, contact_id: str) -> Response:
    def apply(element: dict[str, Any]) -> dict[str, Any]:
        return save_contact(ctx, {**element, "ContactID": contact_id}, create_only=False)

    return _contacts_batch(ctx, apply)


def save_contact(ctx: ApiContext, element: dict[str, Any], *, create_only: bool) -> dict[str, Any]:
    contacts = ctx.org["contacts"]
    existing = None
    contact_id = (element.get("ContactID") or "").lower()
    if contact_id and not create_only:
        existing = contacts.get(contact_id)
        if existing is None:
            raise ElementInvalid([f"The contact with ContactID {element['ContactID']} could not be found."])
    elif element.get("ContactNumber") and not create_only:
        existing = next((c for c in contacts.values() if c.get("ContactNumber") == element["ContactNumber"]), None)
    changes = {key: element[key] for key in WRITABLE_FIELDS if key in element}
    candidate = {**(existing or {}), **changes}
    candidate.setdefault("ContactStatus", "ACTIVE")
    _validate(ctx, candidate, own_id=existing["ContactID"] if existing else None)
    if existing is None:
        candidate = {
            "ContactID": str(uuid.uuid4()), "ContactPersons": [], "Addresses": [], "Phones": [],
            "IsSupplier": False, "IsCustomer": False, "HasAttachments": False, "HasValidationErrors": False,
            "DefaultCurrency": ctx.organisation["BaseCurrency"], **candidate,
        }
    candidate["UpdatedDateUTC"] = ctx.now
    contacts[candidate["ContactID"]] = candidate
    ctx.changed()
    return dict(candidate)


def _validate(ctx: ApiContext, contact: dict[str, Any], own_id: str | None) -> None:
    messages = []
    name = (contact.get("Name") or "").strip()
    if not name:
        messages.append("The contact name must be specified.")
    elif len(name) > 255:
        messages.append("The contact name must be 255 characters or fewer.")
    if contact["ContactStatus"] not in CONTACT_STATUSES:
        messages.append(f"ContactStatus must be ACTIVE or ARCHIVED, not {contact['ContactStatus']}.")
    number = contact.get("ContactNumber")
    if number and len(number) > 50:
        messages.append("The contact number must be 50 characters or fewer.")
    email = contact.get("EmailAddress")
    if email and not EMAIL_RE.match(email):
        messages.append("Email address must be valid.")
    currency = contact.get("DefaultCurrency")
    if currency and currency not in {c["Code"] for c in ctx.org["currencies"]}:
        messages.append(f"Organisation is not subscribed to currency {currency}")
    for field_name in ("AccountsPayableTaxType", "AccountsReceivableTaxType"):
        tax_type = contact.get(field_name)
        if tax_type and tax_type not in ctx.org["tax_rates"]:
            messages.append("Tax rate must be valid.")
    others = [c for c in ctx.org["contacts"].values() if c["ContactID"] != own_id]
    if name and contact["ContactStatus"] == "ACTIVE" and any(
        c["ContactStatus"] == "ACTIVE" and _same_name(c["Name"], name) for c in others
    ):
        messages.append(
            f"The contact name {name} is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        )
    if number and any(c.get("ContactNumber") == number for c in others):
        messages.append(f"The contact number {number} is already assigned to another contact.")
    if messages:
        raise ElementInvalid(messages)
