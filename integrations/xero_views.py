"""Integrations > Xero: the Xero accounts of the acting account (admins only)."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from integrations import selectors, services
from integrations.contact_import import xero_tenant_choose
from integrations.forms import XeroAccountForm
from integrations.models import XeroAccount
from integrations.services import ConnectError
from onport.permissions import account_required


def _xero_account(request, pk: int) -> XeroAccount:
    return selectors.xero_account_get(account=request.account, xero_account_id=pk)


def _panel_version(xero_account: XeroAccount) -> str:
    """Changes whenever anything the status panel shows changes (updated_at misses queryset updates)."""
    shown = [
        xero_account.status,
        xero_account.tenant_id,
        xero_account.problem,
        xero_account.available_tenants,
        str(xero_account.token_expires_at),
        xero_account.has_grant,
        xero_account.short_code,
    ]
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:16]


def _panel(request, xero_account: XeroAccount, template: str, **extra):
    return render(request, template, {"xero_account": xero_account, "version": _panel_version(xero_account), **extra})


def _callback_uri(request) -> str:
    """The redirect URI registered with the Xero app: fixed, from PUBLIC_BASE_URL (not the Host header)."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('integrations:xero_callback')}"


@account_required("admin")
def xero_account_list(request):
    return render(
        request,
        "integrations/xero/xeroaccount_list.html",
        {"xero_accounts": selectors.xero_accounts_list(account=request.account)},
    )


@account_required("admin")
def xero_account_create(request):
    form = XeroAccountForm(request.POST or None, account=request.account)
    if request.method == "POST" and form.is_valid():
        try:
            xero_account = services.xero_account_create(account=request.account, name=form.cleaned_data["name"])
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, f"Xero account “{xero_account.name}” created. Press Connect to link it to Xero.")
            return redirect(xero_account)
    status = 400 if form.errors else 200
    return render(request, "integrations/xero/xeroaccount_form.html", {"form": form}, status=status)


@account_required("admin")
def xero_account_detail(request, pk: int):
    xero_account = _xero_account(request, pk)
    contacts = selectors.xero_contacts_summary(xero_account=xero_account)
    day_usage = selectors.xero_day_usage(xero_account=xero_account)
    return _panel(
        request, xero_account, "integrations/xero/xeroaccount_detail.html", contacts=contacts, day_usage=day_usage
    )


@account_required("admin")
@require_POST
def xero_account_rename(request, pk: int):
    xero_account = _xero_account(request, pk)
    try:
        services.xero_account_rename(xero_account=xero_account, name=request.POST.get("name", ""))
    except services.XeroAccountRefused as refused:
        messages.error(request, f"{refused.message} The name was not changed.")
    else:
        messages.success(request, f"Renamed to “{xero_account.name}”.")
    return redirect(xero_account)


@account_required("admin")
@require_POST
def xero_account_remove(request, pk: int):
    xero_account = _xero_account(request, pk)
    try:
        services.xero_account_remove(xero_account=xero_account)
    except services.XeroAccountRefused as refused:
        messages.error(request, f"“{xero_account.name}” was not removed: {refused.message}")
        return redirect(xero_account)
    messages.success(request, f"Xero account “{xero_account.name}” removed.")
    return redirect("integrations:xero_account_list")


@account_required("admin")
@require_GET
def xero_account_status(request, pk: int):
    """The status panel, polled by the page; 204 while nothing changed so the page keeps what was typed."""
    xero_account = _xero_account(request, pk)
    if request.GET.get("since") == _panel_version(xero_account):
        return HttpResponse(status=204)
    return _panel(request, xero_account, "integrations/xero/xeroaccount_status.html", polled=True)


@account_required("admin")
@require_POST
def xero_connect(request, pk: int):
    xero_account = _xero_account(request, pk)
    url = services.xero_connect_start(xero_account=xero_account, user=request.user, redirect_uri=_callback_uri(request))
    return redirect(url)


@login_required
@require_GET
def xero_callback(request):
    """Xero sends the admin back here; the signed state says which Xero account it was for."""
    try:
        xero_account = services.xero_connect_complete(
            user=request.user,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            redirect_uri=_callback_uri(request),
        )
    except ConnectError as error:
        return render(request, "integrations/xero/callback_failed.html", {"problem": error.message}, status=400)
    # The consent ran in a tab of its own ("Another tab will be open"): no redirect into a second copy of Onport.
    return render(request, "integrations/xero/callback_done.html", {"xero_account": xero_account})


@account_required("admin")
@require_POST
def xero_choose_tenant(request, pk: int):
    xero_account = _xero_account(request, pk)
    try:
        xero_account = xero_tenant_choose(xero_account=xero_account, tenant_id=request.POST.get("tenant", ""))
    except ConnectError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{xero_account.name} now syncs to {xero_account.tenant_name}. Its contacts are being "
            "imported, so vendors can be linked to them.",
        )
    return redirect(xero_account)


@account_required("admin")
@require_POST
def xero_disconnect(request, pk: int):
    xero_account = _xero_account(request, pk)
    try:
        services.xero_account_disconnect(xero_account=xero_account)
    except ConnectError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{xero_account.name} is disconnected from Xero. Its history is kept.")
    return redirect(xero_account)
