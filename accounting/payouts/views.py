"""Setup > Payouts, vendor bank details, payout runs (review, file, sent) and payout history.

Roles: admins set up payouts, edit bank details, start, approve, download, mark sent or failed, cancel;
finance may view runs and history (bank details masked). Viewers are refused. Every view refuses accounts
below the Advance plan with the upgrade page (403).
"""

from functools import wraps

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounting.payouts import bank, errors, selectors, services
from accounting.payouts import setup as setup_services
from accounting.payouts.currencies import currency_field_name
from accounting.payouts.exports import RUNS_COLUMNS, payout_runs_rows
from accounting.payouts.forms import (
    LineFailedForm,
    PayoutSettingsForm,
    VendorBankDetailsForm,
)
from accounting.payouts.models import PaymentState, PayoutLineStatus, PayoutRunStatus
from integrations.xero.bank_accounts import BankAccount
from onport.csv_files import csv_download
from onport.permissions import account_required


def payouts_view(capability: str):
    """account_required(capability), then the plan: Starter accounts get the upgrade page."""

    def decorator(view):
        @account_required(capability)
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not errors.payouts_allowed(request.account):
                return render(request, "accounting/payouts/upgrade.html", {"message": errors.PLAN_MESSAGE}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@payouts_view("admin")
@require_http_methods(["GET", "POST"])
def payout_setup(request):
    setup = selectors.payout_settings_read(account=request.account)
    accounts, unavailable = setup_services.payout_bank_accounts(account=request.account)
    currencies, saved = setup_services.payout_setup_currencies(account=request.account, setup=setup)
    initial = {
        "enabled": setup.enabled,
        "schedule": setup.schedule,
        "delay_days": setup.delay_days,
        "bank_account": setup.bank_account_id,
        "minimum_amount": setup.minimum_amount,
        "payer_name": setup.payer_name,
        **{currency_field_name(currency): row.bank_account_id for currency, row in saved.items()},
    }
    form_kwargs = {
        "bank_accounts": accounts,
        "current_code": setup.bank_account_code,
        "current_label": setup.bank_account_label,
        "currencies": currencies,
        "saved_currency_labels": {currency: row.bank_account_label for currency, row in saved.items()},
    }
    status = 200
    if request.method == "POST":
        form = PayoutSettingsForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.to_input(saved_iban=setup.payer_iban, saved_bic=setup.payer_bic)
            if data.bank_account is None and accounts is None and setup.bank_account_code:
                data = setup_services.PayoutSettingsInput(
                    **{
                        **data.__dict__,
                        "bank_account": BankAccount(
                            account_id=setup.bank_account_id,
                            code=setup.bank_account_code,
                            name=setup.bank_account_name,
                            currency=setup.bank_account_currency,
                        ),
                    }
                )
            try:
                setup_services.payout_settings_update(account=request.account, data=data, actor=request.user)
            except errors.BankDetailsInvalid as invalid:
                form.add_errors(invalid.errors)
            else:
                messages.success(request, "Payout settings saved.")
                return redirect("payouts:setup")
        status = 400
    else:
        form = PayoutSettingsForm(initial=initial, **form_kwargs)
    xero_account = setup_services.payout_xero_account(request.account)
    context = {
        "setup": setup,
        "form": form,
        "unavailable": unavailable,
        "xero_account": xero_account,
        "scope_message": setup_services.SCOPE_MESSAGE
        if xero_account and setup_services.payments_scope_missing(xero_account)
        else "",
        "bills_as_draft": setup_services.bills_created_as_draft(account=request.account),
    }
    return render(request, "accounting/payouts/setup.html", context, status=status)


@payouts_view("admin")
@require_http_methods(["GET", "POST"])
def vendor_bank(request, vendor_id: int):
    vendor = selectors.vendor_get(account=request.account, vendor_id=vendor_id)
    details = selectors.vendor_bank_details(vendor=vendor)
    status = 200
    if request.method == "POST":
        form = VendorBankDetailsForm(request.POST)
        if form.is_valid():
            try:
                bank.vendor_bank_details_update(vendor=vendor, data=form.to_input(), actor=request.user)
            except errors.BankDetailsInvalid as invalid:
                form.add_errors(invalid.errors)
            else:
                messages.success(request, f"Bank details of {vendor.name} saved.")
                return redirect("payouts:vendor_bank", vendor_id=vendor.pk)
        status = 400
    else:
        form = VendorBankDetailsForm(
            initial={
                "holder_name": details.holder_name if details else vendor.name,
                "country": details.country if details else vendor.country,
            }
        )
    context = {
        "vendor": vendor,
        "details": details,
        "form": form,
        "changes": selectors.vendor_bank_changes(vendor=vendor),
    }
    return render(request, "accounting/payouts/vendor_bank.html", context, status=status)


@payouts_view("finance")
@require_GET
def vendor_history(request, vendor_id: int):
    vendor = selectors.vendor_get(account=request.account, vendor_id=vendor_id)
    context = {
        "vendor": vendor,
        "details": selectors.vendor_bank_details(vendor=vendor),
        "lines": selectors.vendor_payout_lines(vendor=vendor),
    }
    return render(request, "accounting/payouts/vendor_history.html", context)


@payouts_view("finance")
@require_GET
def run_list(request):
    context = {
        "runs": selectors.runs_list(account=request.account),
        "setup": selectors.payout_settings_read(account=request.account),
    }
    return render(request, "accounting/payouts/run_list.html", context)


@payouts_view("finance")
@require_GET
def runs_export(request):
    """Export CSV of every run, one row per invoice, streamed."""
    return csv_download(
        filename=f"payout-runs-{timezone.localdate():%Y-%m-%d}.csv",
        header=RUNS_COLUMNS,
        rows=payout_runs_rows(account=request.account),
    )


@payouts_view("admin")
@require_POST
def run_create(request):
    try:
        run = services.payout_run_create(account=request.account, actor=request.user)
    except errors.PayoutRefused as refused:
        messages.error(request, refused.message)
        return redirect("payouts:run_list")
    return redirect(run)


@payouts_view("finance")
@require_GET
def run_detail(request, run_id: int):
    run = selectors.run_get(account=request.account, run_id=run_id)
    context = {
        "run": run,
        "lines": selectors.run_lines(run=run),
        "totals": selectors.run_totals(run=run),
        "files": run.files.all(),
        "payment_counts": selectors.run_payment_counts(run=run),
        "statuses": PayoutRunStatus,
        "line_statuses": PayoutLineStatus,
        "payment_states": PaymentState,
        "failed_form": LineFailedForm(),
    }
    return render(request, "accounting/payouts/run_detail.html", context)


def _run_action(request, run_id: int, action, success: str):
    run = selectors.run_get(account=request.account, run_id=run_id)
    try:
        action(run=run, actor=request.user)
    except errors.PayoutRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, success)
    return redirect(run)


@payouts_view("admin")
@require_POST
def run_approve(request, run_id: int):
    return _run_action(
        request,
        run_id,
        services.payout_run_approve,
        "Run approved: download the payment file and send it to your bank.",
    )


@payouts_view("admin")
@require_POST
def run_mark_sent(request, run_id: int):
    return _run_action(
        request,
        run_id,
        services.payout_run_mark_sent,
        "Run marked sent: its invoices are paid, and the payments are being recorded in Xero.",
    )


@payouts_view("admin")
@require_POST
def run_cancel(request, run_id: int):
    return _run_action(
        request, run_id, services.payout_run_cancel, "Run cancelled: its invoices wait for the next run."
    )


@payouts_view("admin")
@require_POST
def run_retry_payments(request, run_id: int):
    run = selectors.run_get(account=request.account, run_id=run_id)
    try:
        count = services.payout_payments_retry(run=run, actor=request.user)
    except errors.PayoutRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"{count} payment{'s' if count != 1 else ''} queued for Xero again." if count else "Nothing to retry.",
        )
    return redirect(run)


@payouts_view("admin")
@require_POST
def line_mark_failed(request, run_id: int, line_id: int):
    run = selectors.run_get(account=request.account, run_id=run_id)
    line = selectors.run_line_get(run=run, line_id=line_id)
    form = LineFailedForm(request.POST)
    if not form.is_valid():  # e.g. a reason over 255 characters: say so, mark nothing
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(run)
    reason = form.cleaned_data["reason"]
    try:
        services.payout_line_mark_failed(line=line, reason=reason, actor=request.user)
    except errors.PayoutRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{line.vendor.name} marked failed: its invoices stay unpaid for the next run.")
    return redirect(run)


@payouts_view("admin")
@require_GET
def file_download(request, run_id: int, file_id: int):
    run = selectors.run_get(account=request.account, run_id=run_id)
    payout_file = selectors.run_file_get(run=run, file_id=file_id)
    content_type = "application/xml" if payout_file.format == "pain001" else "text/csv"
    response = HttpResponse(payout_file.content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{payout_file.filename}"'
    response["Cache-Control"] = "no-store"
    return response
