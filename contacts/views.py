"""Contacts: the vendor list, a new vendor, and each vendor's settings (read-only for viewers)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounting.setup.selectors import accounting_xero_account
from contacts import selectors, services
from contacts.forms import SETTINGS_TABS, VendorCreateForm, VendorFilterForm, VendorForm
from contacts.models import Vendor, VendorKind
from contacts.xero_views import vendor_xero_context
from onport.permissions import account_required

VENDORS_PER_PAGE = 50


def _require_for_post(request, capability: str = "finance") -> None:
    """Reading a page needs "view"; changing anything needs more, checked on every POST."""
    if request.method == "POST" and not request.membership.can(capability):
        raise PermissionDenied(f"Your role ({request.membership.get_role_display()}) cannot change vendors.")


def _vendor_page(vendor: Vendor):
    if vendor.is_dropship:
        return redirect("contacts:vendor_settings", vendor_id=vendor.pk, tab="general")
    return redirect("contacts:vendor_edit", vendor_id=vendor.pk)


@account_required("view")
@require_http_methods(["GET"])
def vendor_list(request):
    form = VendorFilterForm(request.GET)
    criteria = form.cleaned_data if form.is_valid() else {}
    xero_account = accounting_xero_account(account=request.account)
    vendors = selectors.vendor_list(
        account=request.account,
        kind=criteria.get("kind"),
        query=criteria.get("q", ""),
        xero_account=xero_account,
        xero_state=criteria.get("xero", ""),
    )
    page = Paginator(vendors, VENDORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter_form": form, "page": page, "xero_account": xero_account}
    return render(request, "contacts/vendor_list.html", context)


@account_required("finance")
@require_http_methods(["GET", "POST"])
def vendor_create(request):
    if request.method == "POST":
        form = VendorCreateForm(request.POST)
        if form.is_valid():
            try:
                vendor = services.vendor_create(account=request.account, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{vendor.get_kind_display()} “{vendor.name}” created.")
                return _vendor_page(vendor)
    else:
        kind = request.GET.get("kind")
        form = VendorCreateForm(initial={"kind": kind if kind in VendorKind.values else VendorKind.DROPSHIP})
    return render(request, "contacts/vendor_create.html", {"form": form}, status=400 if form.errors else 200)


def _update(request, vendor: Vendor, form) -> bool:
    """Save the form through the service; on refusal the errors land on the form."""
    if not form.is_valid():
        return False
    try:
        services.vendor_update(vendor=vendor, data=form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        vendor.refresh_from_db()  # the page header shows the saved name, not the refused one
        return False
    messages.success(request, f"“{vendor.name}” saved.")
    return True


@account_required("view")
@require_http_methods(["GET", "POST"])
def vendor_edit(request, vendor_id: int):
    """The contact edit page of a replenishment supplier (a dropship provider has settings tabs)."""
    _require_for_post(request)
    vendor = selectors.vendor_get(account=request.account, vendor_id=vendor_id)
    if vendor.is_dropship:
        return _vendor_page(vendor)
    read_only = not request.membership.can("finance")
    form = VendorForm.for_vendor(vendor, request.POST if request.method == "POST" else None, read_only=read_only)
    if request.method == "POST" and _update(request, vendor, form):
        return _vendor_page(vendor)
    context = {"vendor": vendor, "form": form, "read_only": read_only, **vendor_xero_context(request, vendor)}
    return render(request, "contacts/vendor_edit.html", context, status=400 if form.errors else 200)


@account_required("view")
@require_http_methods(["GET", "POST"])
def vendor_settings(request, vendor_id: int, tab: str):
    """Contacts > Dropship provider settings: General, Payments and Tax tabs, each its own form."""
    _require_for_post(request)
    if tab not in SETTINGS_TABS:
        raise Http404("No such settings tab.")
    vendor = selectors.dropship_provider_get(account=request.account, vendor_id=vendor_id)
    read_only = not request.membership.can("finance")
    label, form_class = SETTINGS_TABS[tab]
    form = form_class.for_vendor(vendor, request.POST if request.method == "POST" else None, read_only=read_only)
    if request.method == "POST" and _update(request, vendor, form):
        return redirect("contacts:vendor_settings", vendor_id=vendor.pk, tab=tab)
    context = {
        "vendor": vendor,
        "form": form,
        "tab": tab,
        "tab_label": label,
        "tabs": [(slug, tab_label) for slug, (tab_label, _) in SETTINGS_TABS.items()],
        "read_only": read_only,
    }
    if tab == "tax":
        context.update(vendor_xero_context(request, vendor))
    return render(request, "contacts/vendor_settings.html", context, status=400 if form.errors else 200)
