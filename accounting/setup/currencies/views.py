"""Setup > Accounting › Currencies (admins only): the organisation's base and enabled currencies, which rate
foreign-currency bills are sent with, and Onport's rates. One page; each form posts to its own URL and a refused
post shows the page again with the reason beside the input."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounting.setup.currencies import selectors, services
from accounting.setup.currencies.forms import ExchangeRateForm, RateSourceForm
from accounting.setup.selectors import accounting_settings_read
from onport.permissions import account_required

PAGE = "accounting:setup_currencies"


def _page(request, *, status=200, source_form=None, rate_form=None):
    settings = accounting_settings_read(account=request.account)
    xero_account = settings.xero_account
    currencies = None
    if xero_account is not None and xero_account.is_ready:
        currencies = selectors.organisation_currencies(
            xero_account=xero_account, reload=bool(request.GET.get("reload"))
        )
    foreign = currencies.foreign if currencies else []
    context = {
        "settings": settings,
        "xero_account": xero_account,
        "currencies": currencies,
        "source_form": source_form or RateSourceForm(initial={"source": settings.currency_rate_source}),
        "rate_form": rate_form or ExchangeRateForm(),
        "foreign_currencies": foreign,
        "rates": selectors.exchange_rates_list(account=request.account),
    }
    return render(request, "accounting/setup_currencies.html", context, status=status)


@account_required("admin")
@require_GET
def setup_currencies(request):
    return _page(request)


@account_required("admin")
@require_POST
def setup_currency_source(request):
    form = RateSourceForm(request.POST)
    if form.is_valid():
        settings = accounting_settings_read(account=request.account)
        try:
            services.currency_rate_source_set(settings=settings, source=form.cleaned_data["source"])
        except services.RateRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, f"Foreign-currency bills now go with {settings.get_currency_rate_source_display()}."
            )
            return redirect(PAGE)
    return _page(request, status=400, source_form=form)


@account_required("admin")
@require_POST
def setup_exchange_rate_create(request):
    settings = accounting_settings_read(account=request.account)
    form = ExchangeRateForm(request.POST)
    if form.is_valid():
        try:
            rate = services.exchange_rate_create(settings=settings, **form.cleaned_data)
        except services.RateRefused as refused:
            form.add_error(refused.field or None, refused.message)
        else:
            messages.success(
                request,
                f"Rate added: 1 {rate.base_currency} = {rate.rate.normalize():f} {rate.currency} "
                f"from {rate.rate_date:%-d %b %Y}.",
            )
            return redirect(PAGE)
    return _page(request, status=400, rate_form=form)


@account_required("admin")
@require_POST
def setup_exchange_rate_delete(request, rate_id: int):
    rate = selectors.exchange_rate_get(account=request.account, rate_id=rate_id)
    services.exchange_rate_delete(exchange_rate=rate)
    messages.success(request, f"The {rate.currency} rate from {rate.rate_date:%-d %b %Y} was deleted.")
    return redirect(PAGE)
