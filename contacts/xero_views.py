"""A vendor's Xero contact, on the dropship provider's Tax tab and the replenishment supplier's edit page.

Finance and admins map contacts (Contacts is finance work); viewers see the mapping read-only. The
Xero account is always the one chosen in Setup › Accounting, never taken from the request.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounting.setup.selectors import accounting_xero_account
from contacts.forms import XeroContactNameForm, XeroOverridesForm
from contacts.models import Vendor
from contacts.selectors import vendor_get
from integrations import vendor_links
from integrations.models import VendorXeroLink
from integrations.vendor_link_selectors import (
    auto_match_proposals,
    vendor_xero_panel,
    xero_contact_get,
    xero_contact_search,
)
from integrations.xero_lists import ListsUnavailable, xero_lists_get
from onport.permissions import account_required
from onport.request_values import clean_text

NO_XERO_ACCOUNT = "No Xero account is chosen for accounting yet: an admin chooses it in Setup › Accounting."


def vendor_page_url(vendor: Vendor) -> str:
    if vendor.is_dropship:
        return reverse("contacts:vendor_settings", args=[vendor.pk, "tax"]) + "#xero-contact"
    return reverse("contacts:vendor_edit", args=[vendor.pk]) + "#xero-contact"


def vendor_xero_context(request, vendor: Vendor) -> dict:
    """The context of the Xero contact section of a vendor page."""
    xero_account = accounting_xero_account(account=request.account)
    can_map = request.membership.can("finance")
    panel = vendor_xero_panel(
        vendor=vendor,
        xero_account=xero_account,
        query=clean_text(request.GET.get("xero_q"), max_length=100) if can_map else "",
    )
    overrides_form, lists_problem = None, ""
    if panel.link is not None:
        lists = None
        if can_map and panel.is_connected:
            try:
                lists = xero_lists_get(xero_account=xero_account)
            except ListsUnavailable as unavailable:
                lists_problem = unavailable.message
        overrides_form = XeroOverridesForm(link=panel.link, lists=lists, read_only=not can_map)
    return {
        "xero": panel,
        "xero_can_map": can_map,
        "xero_overrides_form": overrides_form,
        "xero_lists_problem": lists_problem,
    }


def _target(request, vendor_id: int):
    """The vendor (404 unless the acting account's) and the accounting Xero account (None if unchosen)."""
    return vendor_get(account=request.account, vendor_id=vendor_id), accounting_xero_account(account=request.account)


@account_required("finance")
@require_GET
def vendor_xero_search(request, vendor_id: int):
    """The picker's results (htmx swaps them in while the user types)."""
    vendor, xero_account = _target(request, vendor_id)
    query = clean_text(request.GET.get("xero_q"), max_length=100)
    results = xero_contact_search(xero_account=xero_account, vendor=vendor, query=query) if xero_account else []
    context = {"vendor": vendor, "results": results, "query": query.strip(), "xero_can_map": True}
    return render(request, "contacts/includes/xero_contact_results.html", context)


@account_required("finance")
@require_POST
def vendor_xero_link(request, vendor_id: int):
    vendor, xero_account = _target(request, vendor_id)
    if xero_account is None:
        messages.error(request, NO_XERO_ACCOUNT)
        return redirect(vendor_page_url(vendor))
    contact = xero_contact_get(
        xero_account=xero_account, contact_id=clean_text(request.POST.get("contact_id"), max_length=64)
    )
    try:
        vendor_links.vendor_xero_link_set(
            vendor=vendor,
            xero_account=xero_account,
            contact=contact,
            user=request.user,
            shared_confirmed=request.POST.get("shared") == "confirmed",
        )
    except vendor_links.ContactInUse as in_use:
        return render(
            request,
            "contacts/vendor_xero_shared.html",
            {"vendor": vendor, "in_use": in_use, "back": vendor_page_url(vendor)},
            status=409,
        )
    except vendor_links.LinkRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"“{vendor.name}” is linked to the Xero contact “{contact.name}”.")
    return redirect(vendor_page_url(vendor))


@account_required("finance")
@require_POST
def vendor_xero_unlink(request, vendor_id: int):
    vendor, xero_account = _target(request, vendor_id)
    if xero_account is not None:
        vendor_links.vendor_xero_link_remove(vendor=vendor, xero_account=xero_account)
        messages.success(request, f"“{vendor.name}” is no longer linked to a Xero contact in {xero_account.name}.")
    return redirect(vendor_page_url(vendor))


@account_required("finance")
@require_POST
def vendor_xero_create(request, vendor_id: int):
    """Create in Xero: the vendor's name, or the other name typed after Xero refused it."""
    vendor, xero_account = _target(request, vendor_id)
    if xero_account is None:
        messages.error(request, NO_XERO_ACCOUNT)
        return redirect(vendor_page_url(vendor))
    form = XeroContactNameForm(request.POST or None)
    if request.POST.get("name") and not form.is_valid():  # a name typed but unusable: say so, create nothing
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(vendor_page_url(vendor))
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        link = vendor_links.vendor_xero_contact_create(
            vendor=vendor, xero_account=xero_account, user=request.user, name=name
        )
    except vendor_links.ContactNameClash as clash:
        suggestion = f"{clash.name} ({vendor.country or vendor.currency})"
        context = {
            "vendor": vendor,
            "clash": clash,
            "xero_account": xero_account,
            "form": XeroContactNameForm(initial={"name": suggestion}),
            "back": vendor_page_url(vendor),
        }
        return render(request, "contacts/vendor_xero_clash.html", context, status=409)
    except vendor_links.LinkRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"“{link.contact_name}” was created in Xero ({xero_account.tenant_name}) and linked.")
    return redirect(vendor_page_url(vendor))


@account_required("finance")
@require_POST
def vendor_xero_overrides(request, vendor_id: int):
    vendor, xero_account = _target(request, vendor_id)
    link = VendorXeroLink.objects.filter(vendor=vendor, xero_account=xero_account).first() if xero_account else None
    if link is None:
        messages.error(request, "Link a Xero contact first; the account code and tax type belong to that link.")
        return redirect(vendor_page_url(vendor))
    try:
        vendor_links.vendor_xero_overrides_update(
            link=link,
            account_code=request.POST.get("account_code_override", ""),
            tax_type=request.POST.get("tax_type_override", ""),
        )
    except ValidationError as refused:
        for problems in refused.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    except ListsUnavailable as unavailable:
        messages.error(request, f"{unavailable.message} Nothing was saved.")
    else:
        messages.success(request, f"Xero coding for “{vendor.name}” saved.")
    return redirect(vendor_page_url(vendor))


@account_required("finance")
@require_http_methods(["GET", "POST"])
def vendor_xero_auto_match(request):
    """Contacts › Vendors › Auto-match: link vendors to the Xero contact with their email or tax number."""
    xero_account = accounting_xero_account(account=request.account)
    if request.method == "POST" and xero_account is not None:
        created = vendor_links.auto_match_apply(
            xero_account=xero_account, chosen=request.POST.getlist("match"), user=request.user
        )
        messages.success(request, f"{created} vendor{'s' if created != 1 else ''} linked to their Xero contact.")
        return redirect("contacts:vendor_list")
    proposals = auto_match_proposals(account=request.account, xero_account=xero_account) if xero_account else []
    context = {"xero_account": xero_account, "proposals": proposals}
    return render(request, "contacts/vendor_xero_auto_match.html", context)
