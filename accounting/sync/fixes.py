"""The catalogue of Xero's refusals: each one Onport can meet, in a finance person's words — what happened, where
to fix it (the page this reader may use) and what happens after the fix.

Matched on Xero's own messages (XERO.md §"Common 400 messages"), which the Sync log keeps as they came; a
refusal the catalogue does not know is shown as Xero wrote it.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from accounting.outbox.models import Reason
from accounting.setup.models import AccountingSettings, CategoryAccountCode, TaxRateMapping

SETUP = "Setup › Accounting"


@dataclass(frozen=True)
class Fix:
    kind: str
    happened: str  # what Xero refused, in finance words
    todo: str  # what to do, for this reader
    link_label: str
    url: str
    after: str  # what happens once it is fixed
    stale_list: bool = False  # the refusal means Onport's copy of Xero's accounts or tax rates is out of date


@dataclass(frozen=True)
class Reader:
    """Who reads the fix, and what the account has set up: loaded once per page (three queries)."""

    can_finance: bool
    can_admin: bool
    default_codes: frozenset[str]
    mapped_tax_types: frozenset[str]
    category_codes: frozenset[str] = frozenset()  # the codes of Setup > Accounting › Product categories

    @classmethod
    def load(cls, *, account, membership) -> "Reader":
        setup = AccountingSettings.objects.filter(account=account).first()
        codes = {setup.product_account_code, setup.shipping_account_code} if setup else set()
        taxes = TaxRateMapping.objects.filter(account=account).values_list("tax_type", flat=True)
        categories = CategoryAccountCode.objects.filter(account=account).values_list("account_code", flat=True)
        return cls(
            can_finance=membership.can("finance"),
            can_admin=membership.can("admin"),
            default_codes=frozenset(code for code in codes if code),
            mapped_tax_types=frozenset(taxes),
            category_codes=frozenset(categories),
        )


@dataclass(frozen=True)
class Refusal:
    kind: str
    values: dict[str, str]


PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("account_code", re.compile(r"Account code '(?P<code>[^']+)' is not a valid code for this document")),
    ("tax_unknown", re.compile(r"The TaxType code '(?P<tax>[^']+)' does not exist or is not active")),
    (
        "tax_not_allowed",
        re.compile(
            r"The TaxType code '(?P<tax>[^']+)' cannot be used with (?:account code '(?P<code>[^']+)'|this document)"
        ),
    ),
    ("lock_date", re.compile(r"date cannot be before the (?P<which>period|end of year) lock date")),
    ("contact_archived", re.compile(r"The contact '(?P<name>.+?)' is archived")),
    ("contact_archived", re.compile(r"The Xero contact '(?P<name>.+?)' of vendor '.+?' is archived in Xero")),
    ("not_linked", re.compile(r"Vendor '.+?' is not linked to a Xero contact")),
    ("codes_missing", re.compile(r"Choose the account codes for product and shipping lines")),
    ("tax_unmapped", re.compile(r"Choose the Xero tax type for the (?P<rate>[\d.]+) % tax rate")),
    ("contact_missing", re.compile(r"Contact must be valid")),
    ("currency", re.compile(r"Organisation is not subscribed to currency (?P<currency>[A-Z]{3})")),
    ("currency", re.compile(r"has not enabled (?P<currency>[A-Z]{3}) in Xero")),  # Onport's own check, same fix
    ("currency_rate", re.compile(r"No Onport rate for (?P<currency>[A-Z]{3}) on or before (?P<day>[\d-]+)")),
    ("not_modifiable", re.compile(r"not of valid status for modification")),
    # Xero's refusals of a line's Tracking, and Onport's own preflight words for an option archived since
    ("tracking", re.compile(r"The Tracking(?:Category|OptionID) '|Setup > Accounting › Tracking")),
)
# Refusals that mean Onport's copy of Xero's accounts, tax rates, currencies or tracking options is out of date
STALE_LISTS = {"account_code", "tax_unknown", "tax_not_allowed", "currency", "tracking"}


def refusal_of(message: str, reason: str = "") -> Refusal | None:
    """Which catalogue entry Xero's message is (the first that matches), with the values it names."""
    if reason == Reason.NOT_MODIFIABLE:
        return Refusal("not_modifiable", {})
    if reason == Reason.HAS_PAYMENTS:
        return Refusal("has_payments", {})
    if reason == Reason.RECONNECT:
        return Refusal("reconnect", {})
    for kind, pattern in PATTERNS:
        found = pattern.search(message or "")
        if found:
            return Refusal(kind, {key: value for key, value in found.groupdict().items() if value})
    return None


def means_stale_lists(message: str) -> bool:
    refusal = refusal_of(message)
    return refusal is not None and refusal.kind in STALE_LISTS


def means_lock_date(message: str) -> bool:
    refusal = refusal_of(message)
    return refusal is not None and refusal.kind == "lock_date"


def fix_for(sync, *, reader: Reader) -> Fix | None:
    """The fix of a refused (or stuck) document of the Sync log, for this reader; None when there is none to give."""
    refusal = refusal_of(sync.last_error, sync.reason)
    if refusal is None:
        return None
    return ENTRIES[refusal.kind](sync, refusal.values, reader)


def _vendor_page(vendor) -> str:
    tab = (
        reverse("contacts:vendor_settings", args=[vendor.pk, "tax"])
        if vendor.is_dropship
        else reverse("contacts:vendor_edit", args=[vendor.pk])
    )
    return tab + "#xero-contact"


def _vendor_tab(vendor) -> str:
    return f"{vendor.name}'s Tax tab" if vendor.is_dropship else f"{vendor.name}'s contact page"


def _ask(reader: Reader, todo: str) -> str:
    return todo if reader.can_finance else f"Ask someone with finance access to do this: {todo[0].lower()}{todo[1:]}"


AFTER_SAVE = "Once it is saved, Onport sends the bill again by itself (within a minute)."
AFTER_XERO = "Once it is done in Xero, press sync accounting on the invoice to send the bill again."
AFTER_RATE = "Saving sends the bills waiting on it again at once."


def _coding(sync, *, what: str, own: bool, reader: Reader, happened: str) -> Fix:
    """Account codes and tax types: the vendor's own on its tab, the defaults in Setup (admins) — finance, who
    cannot open Setup, can give the vendor its own instead."""
    vendor = sync.invoice.vendor
    if own:
        return Fix(
            "coding",
            happened,
            _ask(
                reader,
                f"Choose another {what} for {vendor.name} (or clear its own, to "
                f"use the default), under “Xero contact” on {_vendor_tab(vendor)}.",
            ),
            f"Open {_vendor_tab(vendor)}",
            _vendor_page(vendor),
            AFTER_SAVE,
            stale_list=True,
        )
    if reader.can_admin:
        return Fix(
            "coding",
            happened,
            f"Choose another {what} in {SETUP}: its list has been read again from Xero.",
            f"Open {SETUP}",
            reverse("accounting:setup_accounting"),
            AFTER_SAVE,
            stale_list=True,
        )
    return Fix(
        "coding",
        happened,
        _ask(
            reader,
            (
                f"Give {vendor.name} a {what} of its own under “Xero contact” on {_vendor_tab(vendor)}, or ask an admin to "
                f"change the default in {SETUP}."
            ),
        ),
        f"Open {_vendor_tab(vendor)}",
        _vendor_page(vendor),
        AFTER_SAVE,
        stale_list=True,
    )


def _account_code(sync, values, reader: Reader) -> Fix:
    code = values["code"]
    happened = (
        f"Xero no longer accepts account {code} on bills: it was archived or deleted in Xero, or bills cannot use it."
    )
    if code in reader.category_codes and code not in reader.default_codes:
        return _category_code(code, reader=reader, happened=happened)
    return _coding(sync, what="account code", own=code not in reader.default_codes, reader=reader, happened=happened)


def _category_code(code: str, *, reader: Reader, happened: str) -> Fix:
    """A product category's code (Setup > Accounting › Product categories, admins only)."""
    page = f"{SETUP} › Product categories"
    todo = f"Choose another account code for the product categories coded to {code} in {page}"
    return Fix(
        "coding",
        happened,
        f"{todo}: its list has been read again from Xero."
        if reader.can_admin
        else f"Ask an admin to {todo[0].lower()}{todo[1:]}.",
        f"Open {page}",
        reverse("accounting:setup_categories"),
        AFTER_SAVE,
        stale_list=True,
    )


def _tax_unknown(sync, values, reader: Reader) -> Fix:
    tax = values["tax"]
    return _coding(
        sync,
        what="tax type",
        own=tax not in reader.mapped_tax_types,
        reader=reader,
        happened=(f"Xero no longer has an active tax rate {tax}: it was archived or deleted in Xero."),
    )


def _tax_not_allowed(sync, values, reader: Reader) -> Fix:
    tax, code = values["tax"], values.get("code")
    with_what = f"with account {code}" if code else "on bills"
    return _coding(
        sync,
        what="tax type",
        own=tax not in reader.mapped_tax_types,
        reader=reader,
        happened=(
            f"Xero will not use tax rate {tax} {with_what}: it is not a rate for purchases, or not for that account."
        ),
    )


def _lock_date(sync, values, reader: Reader) -> Fix:
    lock = sync.xero_account.lock_date
    closed = f"up to {lock:%-d %b %Y}" if lock else "for the bill's date"
    happened = (
        f"Xero's books are closed {closed} (its {values['which']} lock date), and this bill is dated "
        f"{bill_date(sync):%-d %b %Y}: Xero accepts no bill in a closed period."
    )
    first = f" ({first_open_day(lock):%-d %b %Y})" if lock else ""
    todo = _ask(
        reader,
        f"Post the bill on the first open day{first}, on the invoice page; the invoice keeps its "
        "own date. Or ask whoever keeps the books to move the lock date in Xero.",
    )
    return Fix(
        "lock_date",
        happened,
        todo,
        "Post on the first open day",
        sync.invoice.get_absolute_url() + "#post-on-open-day",
        "The bill goes to Xero with that date; the invoice's sync history says who chose it and why.",
    )


def _contact_archived(sync, values, reader: Reader) -> Fix:
    vendor = sync.invoice.vendor
    return Fix(
        "contact",
        f"The vendor's contact in Xero, {values['name']}, is archived: Xero accepts no bill for it.",
        _ask(
            reader,
            f"Restore the contact in Xero (Contacts › Archived), or link {vendor.name} to another "
            f"contact under “Xero contact” on {_vendor_tab(vendor)}.",
        ),
        f"Open {_vendor_tab(vendor)}",
        _vendor_page(vendor),
        "Linking another contact sends the bill again by itself; after restoring the contact in Xero, press "
        "sync accounting on the invoice.",
    )


def _contact_missing(sync, values, reader: Reader) -> Fix:
    vendor = sync.invoice.vendor
    return Fix(
        "contact",
        "The vendor's contact no longer exists in Xero (it was deleted or merged into another).",
        _ask(
            reader, f"Link {vendor.name} to its contact in Xero again, under “Xero contact” on {_vendor_tab(vendor)}."
        ),
        f"Open {_vendor_tab(vendor)}",
        _vendor_page(vendor),
        "Linking the contact sends the bill again by itself.",
    )


def _currency(sync, values, reader: Reader) -> Fix:
    currency = values["currency"]
    organisation = sync.xero_account.tenant_name or "The Xero organisation"
    return Fix(
        "currency",
        f"{organisation} has not enabled {currency} in Xero, so it takes no bill in {currency}.",
        f"Ask an adviser or admin of the Xero organisation to add {currency} in Xero › Settings › Currencies "
        "(it needs a Xero plan with multi-currency).",
        "Open the invoice",
        sync.invoice.get_absolute_url() + "#sync-panel",
        AFTER_XERO,
    )


def _tracking(sync, values, reader: Reader) -> Fix:
    page = f"{SETUP} › Tracking"
    todo = (
        f"Choose another option for the rule in {page} (its list has been read again from Xero), or restore the "
        "option in Xero."
        if reader.can_admin
        else f"Ask an admin to choose another option for the rule in {page}, or to restore the option in Xero."
    )
    return Fix(
        "tracking",
        "A tracking option the bill's lines get is archived or no longer in Xero, so Xero takes no bill with it.",
        todo,
        f"Open {page}",
        reverse("accounting:setup_tracking"),
        AFTER_SAVE,
        stale_list=True,
    )


def _currency_rate(sync, values, reader: Reader) -> Fix:
    currency, page = values["currency"], f"{SETUP} › Currencies"
    happened = (
        f"Bills in {currency} go with Onport's rate, and Onport has none for {currency} on or before "
        f"{datetime.date.fromisoformat(values['day']):%-d %b %Y}, the invoice's date."
    )
    todo = f"Add a {currency} rate from that date or earlier in {page}, or switch to Xero's day rate there."
    if reader.can_admin:
        return Fix("setup", happened, todo, f"Open {page}", reverse("accounting:setup_currencies"), AFTER_RATE)
    return Fix("setup", happened, f"Ask an admin to do this (only admins can open it): {todo}", "", "", AFTER_RATE)


def _not_modifiable(sync, values, reader: Reader) -> Fix:
    return Fix(
        "in_xero",
        "The bill in Xero is paid (in part or in full) or voided, so Xero lets no one change it.",
        _ask(
            reader,
            "Correct it in Xero, or add an adjustment to the invoice in Onport (it goes to Xero as a "
            "credit note or a second bill).",
        ),
        "View the bill in Xero",
        sync.xero_url,
        "Onport does not send this change again; the invoice page keeps saying the bill differs from Onport.",
    )


def _has_payments(sync, values, reader: Reader) -> Fix:
    return Fix(
        "in_xero",
        "The bill has payments or credit notes allocated in Xero, so Xero will not void it.",
        _ask(reader, "Remove the payment (or the allocation) in Xero, then press Retry failed on the Sync log."),
        "View the bill in Xero",
        sync.xero_url,
        "The bill is then voided in Xero, as it is in Onport.",
    )


def _not_linked(sync, values, reader: Reader) -> Fix:
    vendor = sync.invoice.vendor
    return Fix(
        "contact",
        f"{vendor.name} is not linked to a contact in Xero, so Onport does not know whose bill it is.",
        _ask(
            reader,
            f"Link {vendor.name} to its Xero contact (or create it in Xero) under “Xero contact” on "
            f"{_vendor_tab(vendor)}.",
        ),
        f"Open {_vendor_tab(vendor)}",
        _vendor_page(vendor),
        "Linking the contact sends the bill again by itself.",
    )


def _codes_missing(sync, values, reader: Reader) -> Fix:
    happened = "No account codes are chosen for bills' product and shipping lines yet."
    if reader.can_admin:
        return Fix(
            "setup",
            happened,
            f"Choose them in {SETUP}.",
            f"Open {SETUP}",
            reverse("accounting:setup_accounting"),
            "Saving sends the bills waiting on it again at once.",
        )
    return Fix(
        "setup",
        happened,
        f"Ask an admin to choose them in {SETUP} (only admins can open it).",
        "",
        "",
        "Saving sends the bills waiting on it again at once.",
    )


def _tax_unmapped(sync, values, reader: Reader) -> Fix:
    return _coding(
        sync,
        what="tax type",
        own=False,
        reader=reader,
        happened=f"No Xero tax type is chosen for Onport's {values['rate']} % tax rate.",
    )


def _reconnect(sync, values, reader: Reader) -> Fix:
    xero_account = sync.xero_account
    happened = f"Xero stopped accepting Onport's connection to {xero_account.tenant_name or xero_account.name}."
    if reader.can_admin:
        return Fix(
            "connection",
            happened,
            "Press Connect on the Xero account and allow Onport again.",
            f"Open {xero_account.name}",
            xero_account.get_absolute_url(),
            "Every paused bill goes on by itself once it is connected again.",
        )
    return Fix(
        "connection",
        happened,
        "Ask an admin to connect Xero again under Integrations › Xero.",
        "",
        "",
        "Every paused bill goes on by itself once it is connected again.",
    )


ENTRIES: dict[str, Callable[..., Fix]] = {
    "account_code": _account_code,
    "tax_unknown": _tax_unknown,
    "tax_not_allowed": _tax_not_allowed,
    "lock_date": _lock_date,
    "contact_archived": _contact_archived,
    "contact_missing": _contact_missing,
    "currency": _currency,
    "currency_rate": _currency_rate,
    "not_modifiable": _not_modifiable,
    "has_payments": _has_payments,
    "not_linked": _not_linked,
    "codes_missing": _codes_missing,
    "tax_unmapped": _tax_unmapped,
    "reconnect": _reconnect,
    "tracking": _tracking,
}


# What happened does not depend on who reads it (only what to do and where does).
ANYONE = Reader(can_finance=True, can_admin=True, default_codes=frozenset(), mapped_tax_types=frozenset())


def in_words(sync, message: str, reason: str = "") -> str:
    """What happened to the document, in the catalogue's words when it knows the refusal (for emails)."""
    refusal = refusal_of(message, reason)
    return ENTRIES[refusal.kind](sync, refusal.values, ANYONE).happened if refusal else message


def bill_date(sync) -> datetime.date:
    return sync.posting_date or sync.invoice.issue_date


def first_open_day(lock: datetime.date) -> datetime.date:
    return lock + datetime.timedelta(days=1)
