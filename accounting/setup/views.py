from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounting.setup import selectors, services
from accounting.sync.backfill import backfill_waiting
from accounting.setup.forms import FORM_ID, AccountingSettingsForm
from integrations.xero_lists import xero_lists_for_page
from onport.permissions import account_required


@account_required("admin")
@require_GET
def setup_index(request):
    """Setup: the account (name, plan), its team, and a link to Setup > Accounting."""
    # Scoped through the acting account's own relation: only its members are listed.
    team = request.account.memberships.select_related("user").order_by("user__email")
    xero_account = selectors.accounting_xero_account(account=request.account)
    context = {"account": request.account, "team": team, "accounting_xero_account": xero_account}
    return render(request, "accounting/setup_index.html", context)


def _settings_form(request, settings, *, data=None, reload=False):
    """The form with choices from Xero's live lists (cached a few minutes), or without them when unreachable."""
    lists, unavailable = xero_lists_for_page(xero_account=settings.xero_account, fresh=reload)
    rates = selectors.tax_rates_in_use(account=request.account, xero_account=settings.xero_account)
    mappings = selectors.tax_rate_mappings(xero_account=settings.xero_account) if settings.xero_account else {}
    form = AccountingSettingsForm(
        data,
        settings=settings,
        lists=lists,
        rates=rates,
        mappings=mappings,
        bank_accounts=lists.bank_accounts() if lists is not None else None,
        xero_accounts=selectors.xero_accounts_connected(account=request.account),
    )
    return form, unavailable


def _render(request, settings, form, unavailable, status=200):
    context = {
        "settings": settings,
        "form": form,
        "form_id": FORM_ID,
        "unavailable": unavailable,
        "has_choices": form.fields["xero_account"].queryset.exists(),
        "earlier_invoices": backfill_waiting(account=request.account).count() if settings.xero_account_id else None,
    }
    return render(request, "accounting/setup_accounting.html", context, status=status)


@account_required("admin")
@require_http_methods(["GET", "POST"])
def setup_accounting(request):
    """Setup > Accounting: when invoices sync to Xero and how the bills are coded."""
    if request.method == "GET":
        settings = selectors.accounting_settings_read(account=request.account)
        form, unavailable = _settings_form(request, settings, reload=bool(request.GET.get("reload")))
        return _render(request, settings, form, unavailable)
    settings = services.accounting_settings_get(account=request.account)
    form, unavailable = _settings_form(request, settings, data=request.POST)
    if form.is_valid():
        try:
            saved = services.accounting_settings_update(settings=settings, data=form.to_input())
        except services.SettingsRefused as refused:
            form.add_refusal(refused)
        else:
            messages.success(request, _saved_words(saved))
            return redirect("accounting:setup_accounting")
    settings.refresh_from_db()
    return _render(request, settings, form, unavailable, status=400)


def _saved_words(saved: services.SettingsSaved) -> str:
    if saved.switched:
        xero_account = saved.settings.xero_account
        stopped = " Automatic sync is off until they are chosen." if saved.auto_sync_stopped else ""
        return (
            f"Invoices now sync to {xero_account.name} ({xero_account.tenant_name}). "
            f"Choose its account codes and tax types below.{stopped}"
        )
    words = "Accounting settings saved."
    if saved.requeued:
        words += (
            f" {saved.requeued} invoice{'s' if saved.requeued != 1 else ''} that waited on these settings "
            f"{'is' if saved.requeued == 1 else 'are'} on {'its' if saved.requeued == 1 else 'their'} way to Xero again."
        )
    return words
