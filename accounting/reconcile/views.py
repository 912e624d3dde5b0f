"""Reconcile with Xero: per Xero account, compare a date range's invoices with the bills Xero has."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounting.reconcile import selectors
from accounting.reconcile.export import reconciliation_csv
from accounting.reconcile.forms import ReconcileForm, last_month
from accounting.reconcile.models import ReconciliationState
from accounting.reconcile.services import ReconcileRefused, reconciliation_start
from accounting.setup.selectors import accounting_settings_read
from integrations.selectors import xero_account_get, xero_accounts_list
from onport.permissions import account_required


@account_required("finance")
@require_GET
def reconcile_index(request):
    """The Xero account Setup > Accounting names (or the first one)."""
    chosen = accounting_settings_read(account=request.account).xero_account_id
    xero_account = xero_accounts_list(account=request.account).filter(pk=chosen).first() if chosen else None
    xero_account = xero_account or xero_accounts_list(account=request.account).first()
    if xero_account is None:
        messages.error(request, "Connect a Xero account first (Integrations › Xero).")
        return redirect("invoicing:invoice_list")
    return redirect("reconcile:page", xero_account_id=xero_account.pk)


@account_required("finance")
@require_http_methods(["GET", "POST"])
def reconcile_page(request, xero_account_id: int):
    xero_account = xero_account_get(account=request.account, xero_account_id=xero_account_id)
    latest = selectors.reconciliation_latest(xero_account=xero_account)
    if request.method == "POST":
        form = ReconcileForm(request.POST)
        if form.is_valid():
            try:
                reconciliation_start(
                    xero_account=xero_account,
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                    actor=request.user,
                )
                return redirect("reconcile:page", xero_account_id=xero_account.pk)
            except ReconcileRefused as refused:
                form.add_error(None, str(refused))
    else:
        start, end = (latest.date_from, latest.date_to) if latest else last_month()
        form = ReconcileForm(initial={"date_from": start, "date_to": end})
    return render(
        request,
        "accounting/reconcile/page.html",
        {
            "xero_account": xero_account,
            "xero_accounts": xero_accounts_list(account=request.account),
            "form": form,
            **selectors.xero_awareness(xero_account=xero_account),
            **_results(latest),
        },
    )


@account_required("finance")
@require_GET
def reconcile_status(request, xero_account_id: int, reconciliation_id: int):
    xero_account = xero_account_get(account=request.account, xero_account_id=xero_account_id)
    reconciliation = selectors.reconciliation_get(xero_account=xero_account, reconciliation_id=reconciliation_id)
    return render(
        request, "accounting/reconcile/results.html", {"xero_account": xero_account, **_results(reconciliation)}
    )


@account_required("finance")
@require_GET
def reconcile_csv(request, xero_account_id: int, reconciliation_id: int):
    xero_account = xero_account_get(account=request.account, xero_account_id=xero_account_id)
    reconciliation = selectors.reconciliation_get(xero_account=xero_account, reconciliation_id=reconciliation_id)
    lines = selectors.reconciliation_lines(reconciliation=reconciliation)
    response = HttpResponse(reconciliation_csv(reconciliation, lines), content_type="text/csv; charset=utf-8")
    name = f"reconcile-{xero_account.pk}-{reconciliation.date_from}-{reconciliation.date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _results(reconciliation) -> dict:
    if reconciliation is None:
        return {"reconciliation": None}
    done = reconciliation.state == ReconciliationState.DONE
    return {
        "reconciliation": reconciliation,
        "states": ReconciliationState,
        "lines": list(selectors.reconciliation_lines(reconciliation=reconciliation)) if done else [],
        "vendor_totals": list(reconciliation.vendor_totals.all()) if done else [],
    }
