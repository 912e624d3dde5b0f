"""Xero contacts: read them a page at a time (for the import) and create a supplier contact.

Callers get our frozen dataclasses, never SDK models; every request goes through `XeroClient.call`.
"""

import datetime
from dataclasses import dataclass

from xero_python.accounting import Contact, Contacts, CurrencyCode

from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroNotFound, XeroValidationError
from integrations.xero.sdk import request_timeout
from integrations.xero.url_budget import chunked, fits
from integrations.xero.values import text

PAGE_SIZE = 1000  # Xero's largest page: a 10,000-contact organisation is 10 calls
NAME_TAKEN = "already assigned to another contact"


@dataclass(frozen=True)
class XeroContactRow:
    contact_id: str
    name: str
    email: str
    tax_number: str
    contact_number: str
    status: str  # ACTIVE | ARCHIVED | GDPRREQUEST
    updated_at: datetime.datetime | None


@dataclass(frozen=True)
class ContactsPage:
    page: int
    contacts: tuple[XeroContactRow, ...]
    has_more: bool


class ContactNameTaken(XeroValidationError):
    """Xero refused the name: an active contact already has it (names are unique among active contacts)."""

    def __init__(self, messages: list[str], *, name: str):
        super().__init__(messages)
        self.name = name


class ContactNumberTaken(XeroValidationError):
    """Xero refused the contact number (our external key): a contact already carries it."""

    def __init__(self, messages: list[str], *, contact_number: str):
        super().__init__(messages)
        self.contact_number = contact_number


def contacts_page(client: XeroClient, *, page: int, modified_since: datetime.datetime | None = None) -> ContactsPage:
    """One page of the organisation's contacts, archived ones included, light fields only."""
    tenant_id = client.xero_account.tenant_id
    kwargs = {"if_modified_since": modified_since} if modified_since else {}
    result = client.call(
        lambda: client.accounting.get_contacts(
            tenant_id,
            page=page,
            page_size=PAGE_SIZE,
            include_archived=True,
            summary_only=True,
            _request_timeout=request_timeout(),
            **kwargs,
        ),
        tenant_id=tenant_id,
    )
    rows = tuple(_row(contact) for contact in result.contacts or [])
    pagination = getattr(result, "pagination", None)
    if pagination is not None and pagination.page_count is not None:
        has_more = page < pagination.page_count
    else:
        has_more = len(rows) >= PAGE_SIZE
    return ContactsPage(page=page, contacts=rows, has_more=has_more)


def contact_create(
    client: XeroClient,
    *,
    name: str,
    email: str,
    tax_number: str,
    currency: str,
    contact_number: str,
    idempotency_key: str,
) -> XeroContactRow:
    """PUT /Contacts for one supplier contact. Raises ContactNameTaken / ContactNumberTaken on those clashes."""
    tenant_id = client.xero_account.tenant_id
    try:
        currency_code = CurrencyCode(currency.upper()) if currency else None
    except ValueError:
        raise XeroValidationError([f"Xero does not know the currency “{currency}”."]) from None
    contact = Contact(
        name=name,
        contact_number=contact_number or None,
        email_address=email or None,
        tax_number=tax_number or None,
        default_currency=currency_code,
    )
    result = client.call(
        lambda: client.accounting.create_contacts(
            tenant_id,
            Contacts(contacts=[contact]),
            summarize_errors=False,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant_id,
    )
    created = (result.contacts or [None])[0]
    if created is None:
        raise XeroValidationError(["Xero did not return the new contact."])
    messages = [error.message for error in created.validation_errors or [] if error.message]
    if created.has_validation_errors or messages:
        raise _refusal(messages, name=name, contact_number=contact_number)
    return _row(created)


def contact_find_by_name(client: XeroClient, *, name: str) -> XeroContactRow | None:
    """The active contact with exactly this name (case-insensitive), if Xero has one."""
    tenant_id = client.xero_account.tenant_id
    result = client.call(
        lambda: client.accounting.get_contacts(
            tenant_id, search_term=name, summary_only=True, page=1, _request_timeout=request_timeout()
        ),
        tenant_id=tenant_id,
    )
    wanted = name.strip().casefold()
    rows = [_row(contact) for contact in result.contacts or []]
    return next((row for row in rows if row.status == "ACTIVE" and row.name.strip().casefold() == wanted), None)


def contact_get(client: XeroClient, *, contact_id_or_number: str) -> XeroContactRow | None:
    """One contact by its ContactID or its ContactNumber; None when Xero does not know it."""
    tenant_id = client.xero_account.tenant_id
    try:
        result = client.call(
            lambda: client.accounting.get_contact(tenant_id, contact_id_or_number, _request_timeout=request_timeout()),
            tenant_id=tenant_id,
        )
    except XeroNotFound:
        return None
    return _row(result.contacts[0]) if result.contacts else None


def contacts_by_id(client: XeroClient, contact_ids: list[str]) -> list[XeroContactRow]:
    """Contacts by ContactID, archived ones included, in as few calls as Xero's URL limit allows."""
    tenant_id = client.xero_account.tenant_id
    ids = sorted({contact_id.lower() for contact_id in contact_ids})
    rows: list[XeroContactRow] = []
    params = {"includeArchived": "true", "summaryOnly": "true"}
    for chunk in chunked(ids, fit=lambda chunk: fits("/Contacts", {**params, "IDs": ",".join(chunk)})):
        result = client.lookup(
            lambda: client.accounting.get_contacts(  # run before the loop moves on: `chunk` is this one
                tenant_id,
                i_ds=chunk,
                include_archived=True,
                summary_only=True,
                _request_timeout=request_timeout(),
            ),
            tenant_id=tenant_id,
        )
        rows += [_row(contact) for contact in result.contacts or []]
    return rows


def _refusal(messages: list[str], *, name: str, contact_number: str) -> XeroValidationError:
    for message in messages:
        lowered = message.lower()
        if NAME_TAKEN in lowered and "contact name" in lowered:
            return ContactNameTaken(messages, name=name)
        if NAME_TAKEN in lowered and "contact number" in lowered:
            return ContactNumberTaken(messages, contact_number=contact_number)
    return XeroValidationError(messages)


def _row(contact) -> XeroContactRow:
    return XeroContactRow(
        contact_id=text(contact.contact_id),
        name=text(contact.name),
        email=text(contact.email_address),
        tax_number=text(contact.tax_number),
        contact_number=text(contact.contact_number),
        status=text(contact.contact_status) or "ACTIVE",
        updated_at=contact.updated_date_utc,
    )
