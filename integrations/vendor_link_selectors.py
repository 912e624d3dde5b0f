"""Reads for the vendor ↔ Xero contact mapping: search and suggestions over the imported contacts,
the mapping panel of a vendor page, and the auto-match proposals."""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Q
from django.shortcuts import get_object_or_404

from contacts.models import Vendor
from integrations.selectors import contact_import_latest
from integrations.models import VendorXeroLink, XeroAccount, XeroContact, XeroContactImport, XeroContactStatus
from onport.models import Account

SEARCH_LIMIT = 20
SUGGESTION_LIMIT = 5
SIMILAR_NAME = 0.6
# Words too common in company names to find a namesake by.
COMMON_WORDS = {
    "ltd",
    "limited",
    "inc",
    "llc",
    "plc",
    "pty",
    "gmbh",
    "the",
    "and",
    "company",
    "co",
    "group",
    "supplies",
    "supply",
    "trading",
    "traders",
    "wholesale",
    "international",
}


def normalise_tax_number(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (value or "").upper())


def _same_email(left: str, right: str) -> bool:
    return bool(left) and left.strip().casefold() == (right or "").strip().casefold()


def _same_tax_number(left: str, right: str) -> bool:
    return bool(normalise_tax_number(left)) and normalise_tax_number(left) == normalise_tax_number(right)


def _similarity(left: str, right: str) -> float:
    return difflib.SequenceMatcher(None, left.casefold().strip(), (right or "").casefold().strip()).ratio()


@dataclass(frozen=True)
class ContactMatch:
    contact: XeroContact
    reason: str  # why it is offered: "same email", "same tax number", "similar name", ""
    rank: tuple
    linked_to: str = ""  # the other vendor already linked to this contact, if any

    @property
    def is_archived(self) -> bool:
        return self.contact.status != XeroContactStatus.ACTIVE


def _score(contact: XeroContact, vendor: Vendor, name: str) -> ContactMatch:
    """Ranked by exact email, then tax number, then name similarity; archived contacts last."""
    email = _same_email(vendor.email, contact.email)
    tax = _same_tax_number(vendor.tax_number, contact.tax_number)
    similarity = _similarity(name, contact.name)
    reason = (
        "same email" if email else "same tax number" if tax else "similar name" if similarity >= SIMILAR_NAME else ""
    )
    active = contact.status == XeroContactStatus.ACTIVE
    return ContactMatch(contact=contact, reason=reason, rank=(active, email, tax, round(similarity, 3), contact.name))


def xero_contact_get(*, xero_account: XeroAccount, contact_id: str) -> XeroContact:
    """An imported contact of this Xero account, or 404 (another Xero account's contact included)."""
    return get_object_or_404(XeroContact.objects.filter(xero_account=xero_account), contact_id=contact_id)


def xero_contact_search(*, xero_account: XeroAccount, vendor: Vendor, query: str) -> list[ContactMatch]:
    """Imported contacts whose name, email or tax number contains `query`, best first."""
    query = query.strip()[:100]
    if not query:
        return []
    wanted = Q(name__icontains=query) | Q(email__icontains=query) | Q(tax_number__icontains=query)
    compact = normalise_tax_number(query)
    if len(compact) >= 4 and compact != query.upper():
        wanted |= Q(tax_number__icontains=compact)
    candidates = XeroContact.objects.filter(xero_account=xero_account).filter(wanted).order_by("name")[:200]
    matches = [_score(contact, vendor, query) for contact in candidates]
    return _with_other_vendors(sorted(matches, key=lambda match: match.rank, reverse=True)[:SEARCH_LIMIT], vendor)


def xero_contact_suggestions(*, xero_account: XeroAccount, vendor: Vendor) -> list[ContactMatch]:
    """The likeliest contacts for this vendor: same email, same tax number, similar name."""
    wanted = Q(pk__in=[])
    if vendor.email:
        wanted |= Q(email__iexact=vendor.email.strip())
    if vendor.tax_number:
        wanted |= Q(tax_number__iexact=vendor.tax_number.strip())
    words = [w for w in re.findall(r"\w+", vendor.name.casefold()) if len(w) >= 3 and w not in COMMON_WORDS][:3]
    for word in words:
        wanted |= Q(name__icontains=word)
    candidates = XeroContact.objects.filter(xero_account=xero_account).filter(wanted)[:300]
    matches = [_score(contact, vendor, vendor.name) for contact in candidates]
    matches = [match for match in matches if match.reason]
    return _with_other_vendors(sorted(matches, key=lambda match: match.rank, reverse=True)[:SUGGESTION_LIMIT], vendor)


def contact_linked_elsewhere(*, xero_account: XeroAccount, contact_id: str, vendor: Vendor) -> Vendor | None:
    """Another vendor of the account already linked to this contact in this Xero account, if any."""
    link = (
        VendorXeroLink.objects.filter(xero_account=xero_account, contact_id=contact_id)
        .exclude(vendor=vendor)
        .select_related("vendor")
        .order_by("vendor__name")
        .first()
    )
    return link.vendor if link else None


def _with_other_vendors(matches: list[ContactMatch], vendor: Vendor) -> list[ContactMatch]:
    """Say beside each contact which other vendor is already linked to it (one query)."""
    if not matches:
        return matches
    links = (
        VendorXeroLink.objects.filter(
            xero_account_id=matches[0].contact.xero_account_id,
            contact_id__in=[match.contact.contact_id for match in matches],
        )
        .exclude(vendor=vendor)
        .select_related("vendor")
        .order_by("vendor__name")
    )
    others = {}
    for link in links:
        others.setdefault(link.contact_id, link.vendor.name)
    return [replace(match, linked_to=others.get(match.contact.contact_id, "")) for match in matches]


@dataclass
class VendorXeroPanel:
    """What the Xero contact section of a vendor page shows."""

    vendor: Vendor
    xero_account: XeroAccount | None
    link: VendorXeroLink | None = None
    contact: XeroContact | None = None  # the linked contact as last imported
    last_import: XeroContactImport | None = None
    has_contacts: bool = False
    suggestions: list[ContactMatch] = field(default_factory=list)
    query: str = ""
    results: list[ContactMatch] | None = None

    @property
    def is_archived(self) -> bool:
        return self.contact is not None and self.contact.status != XeroContactStatus.ACTIVE

    @property
    def is_connected(self) -> bool:
        return self.xero_account is not None and self.xero_account.is_ready


def vendor_xero_panel(*, vendor: Vendor, xero_account: XeroAccount | None, query: str = "") -> VendorXeroPanel:
    panel = VendorXeroPanel(vendor=vendor, xero_account=xero_account, query=query.strip())
    if xero_account is None:
        return panel
    panel.link = VendorXeroLink.objects.filter(vendor=vendor, xero_account=xero_account).first()
    if panel.link is not None:
        panel.contact = XeroContact.objects.filter(xero_account=xero_account, contact_id=panel.link.contact_id).first()
    panel.last_import = contact_import_latest(xero_account=xero_account)
    panel.has_contacts = XeroContact.objects.filter(xero_account=xero_account).exists()
    if panel.has_contacts and (panel.link is None or panel.is_archived):
        panel.suggestions = xero_contact_suggestions(xero_account=xero_account, vendor=vendor)
    if panel.query:
        panel.results = xero_contact_search(xero_account=xero_account, vendor=vendor, query=panel.query)
    return panel


@dataclass(frozen=True)
class MatchProposal:
    vendor: Vendor
    contact_id: str
    contact_name: str
    contact_email: str
    contact_tax_number: str
    matched_by: str  # "email", "tax number" or "email and tax number"

    @property
    def value(self) -> str:
        return f"{self.vendor.pk}:{self.contact_id}"


def auto_match_proposals(*, account: Account, xero_account: XeroAccount) -> list[MatchProposal]:
    """Unlinked vendors with exactly one active contact of the same email or tax number, that no
    other vendor is linked or proposed to. Anything ambiguous is left for a person to pick."""
    vendors = list(Vendor.objects.for_account(account).exclude(xero_links__xero_account=xero_account).order_by("name"))
    if not vendors:
        return []
    by_email, by_tax, details = defaultdict(set), defaultdict(set), {}
    contacts = (
        XeroContact.objects.filter(xero_account=xero_account, status=XeroContactStatus.ACTIVE)
        .exclude(email="", tax_number="")
        .values_list("contact_id", "name", "email", "tax_number")
    )
    for contact_id, name, email, tax_number in contacts.iterator(chunk_size=2000):
        details[contact_id] = (name, email, tax_number)
        if email:
            by_email[email.strip().casefold()].add(contact_id)
        if normalise_tax_number(tax_number):
            by_tax[normalise_tax_number(tax_number)].add(contact_id)
    linked = set(VendorXeroLink.objects.filter(xero_account=xero_account).values_list("contact_id", flat=True))
    proposals = []
    for vendor in vendors:
        email_ids = by_email.get(vendor.email.strip().casefold(), set()) if vendor.email else set()
        tax_ids = (
            by_tax.get(normalise_tax_number(vendor.tax_number), set())
            if normalise_tax_number(vendor.tax_number)
            else set()
        )
        found = email_ids | tax_ids
        if len(found) != 1 or (contact_id := next(iter(found))) in linked:
            continue
        matched_by = " and ".join(label for label, ids in (("email", email_ids), ("tax number", tax_ids)) if ids)
        name, email, tax_number = details[contact_id]
        proposals.append(
            MatchProposal(
                vendor=vendor,
                contact_id=contact_id,
                contact_name=name,
                contact_email=email,
                contact_tax_number=tax_number,
                matched_by=matched_by,
            )
        )
    proposed = defaultdict(int)
    for proposal in proposals:
        proposed[proposal.contact_id] += 1
    return [proposal for proposal in proposals if proposed[proposal.contact_id] == 1]
