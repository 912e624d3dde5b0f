"""Integrations › Xero › a Xero account › Contacts: refresh the imported contacts and watch the import (admins)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.contact_import import contact_import_start
from integrations import selectors
from integrations.models import XeroAccount
from onport.permissions import account_required


def _xero_account(request, pk: int) -> XeroAccount:
    return selectors.xero_account_get(account=request.account, xero_account_id=pk)


@account_required("admin")
@require_POST
def xero_contacts_refresh(request, pk: int):
    xero_account = _xero_account(request, pk)
    if not xero_account.is_ready:
        messages.error(request, "Connect this Xero account and choose its Tenant before importing its contacts.")
        return redirect(xero_account)
    _, started = contact_import_start(xero_account=xero_account)
    if started:
        messages.success(request, "Refreshing contacts from Xero. This page shows the progress.")
    else:
        messages.info(request, "Contacts are already being refreshed from Xero.")
    return redirect(f"{xero_account.get_absolute_url()}#xero-contacts")


@account_required("admin")
@require_GET
def xero_contacts_status(request, pk: int):
    """The Contacts section alone, polled by the page while an import runs."""
    return render(
        request,
        "integrations/xero/contact_import_panel.html",
        selectors.xero_contacts_summary(xero_account=_xero_account(request, pk)),
    )
