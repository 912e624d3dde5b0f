"""sync accounting: one invoice or many, their progress, and the Sync log."""

from django.contrib import messages
from django.http import JsonResponse, QueryDict
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounting.reconcile.selectors import bill_seen
from accounting.sync import selectors, services
from accounting.sync.backfill import backfill_request
from accounting.sync.exports import SYNC_LOG_COLUMNS, sync_log_rows
from accounting.sync.forms import SyncLogForm
from accounting.sync.lock_dates import PostingRefused, bill_post_on_open_day
from accounting.sync.preview import bill_preview
from accounting.sync.models import SyncState
from contacts.selectors import vendor_list
from invoicing.forms import InvoiceSearchForm
from invoicing.selectors import invoice_find, invoice_get
from onport.csv_files import csv_download
from onport.permissions import account_required
from onport.request_values import ids_from, safe_next


@account_required("finance")
@require_POST
def invoice_sync(request, invoice_id: int):
    invoice = invoice_find(account=request.account, invoice_id=invoice_id)
    try:
        services.sync_request(invoice=invoice, actor=request.user)
    except services.SyncRefused as refused:
        messages.error(request, refused.message)
    return redirect(invoice)


@account_required("finance")
@require_POST
def invoice_post_on_open_day(request, invoice_id: int):
    """The invoice's bill, refused for Xero's lock date, goes dated the first open day (with who and why)."""
    invoice = invoice_find(account=request.account, invoice_id=invoice_id)
    try:
        first = bill_post_on_open_day(invoice=invoice, actor=request.user, reason=request.POST.get("reason", ""))
    except (PostingRefused, services.SyncRefused) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"The bill of {invoice.number} goes to Xero dated {first:%-d %b %Y}.")
    return redirect(invoice)


@account_required("view")
@require_GET
def invoice_sync_panel(request, invoice_id: int):
    invoice = invoice_find(account=request.account, invoice_id=invoice_id)
    return render(request, "accounting/sync/panel.html", {"invoice": invoice, **panel_context(invoice)})


def panel_context(invoice) -> dict:
    sync = selectors.invoice_sync(invoice=invoice)
    return {
        "sync": sync,
        "sync_events": selectors.invoice_sync_events(invoice=invoice),
        "bill_paid_in_xero": selectors.bill_paid_in_xero(invoice=invoice, sync=sync),
        "bill_payment": selectors.invoice_bill_payment(invoice=invoice),
        "bill_note": selectors.invoice_bill_note(invoice=invoice),
        "bill_document": selectors.invoice_bill_document(invoice=invoice),
        "bill_seen": bill_seen(sync=sync),
    }


@account_required("view")
@require_GET
def invoice_bill_preview(request, invoice_id: int):
    invoice = invoice_get(account=request.account, invoice_id=invoice_id)
    return render(
        request, "accounting/sync/preview.html", {"invoice": invoice, "preview": bill_preview(invoice=invoice)}
    )


@account_required("finance")
@require_POST
def invoices_sync(request):
    """sync accounting for the invoices selected in the search results, or for all that match the search."""
    back = safe_next(request, request.POST.get("next"), default=reverse("invoicing:invoice_list"))
    if "matching" in request.POST:
        form = InvoiceSearchForm(QueryDict(request.POST["matching"]), vendors=vendor_list(account=request.account))
        if not form.is_valid():
            messages.error(request, "That search can't be used any more: search again, then select.")
            return redirect(back)
        matching = selectors.invoices_to_sync_matching(
            account=request.account, search=form.search(), xero_status=form.xero_filter()
        )
        invoices, left = list(matching[: selectors.MAX_BULK]), matching.count() - selectors.MAX_BULK
        if left > 0:
            messages.info(
                request,
                f"{selectors.MAX_BULK} invoices are on their way to Xero; {left} more match. "
                "Press sync accounting again for the next ones.",
            )
    else:
        invoices = selectors.invoices_for_sync(
            account=request.account, invoice_ids=ids_from(request.POST.getlist("invoice"))
        )
    if not invoices:
        messages.error(
            request,
            "Select the invoices to sync first."
            if "matching" not in request.POST
            else "No issued invoice of that search is waiting to be synced.",
        )
        return redirect(back)
    try:
        services.sync_request_many(account=request.account, invoices=invoices, actor=request.user)
    except services.SyncRefused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    query = ",".join(str(invoice.pk) for invoice in invoices)
    return redirect(f"{reverse('sync:progress')}?ids={query}")


@account_required("view")
@require_GET
def sync_progress(request):
    ids = ids_from(request.GET.get("ids", "").split(","))
    progress = selectors.sync_progress(account=request.account, invoice_ids=ids)
    template = (
        "accounting/sync/progress_bar.html" if request.headers.get("HX-Request") else "accounting/sync/progress.html"
    )
    return render(request, template, {"progress": progress, "ids": ",".join(map(str, ids)), "states": SyncState})


@account_required("view")
@require_GET
def sync_log(request):
    form = SyncLogForm(request.GET or None, account=request.account)
    rows = selectors.sync_log(
        account=request.account, filters=form.filters() if form.is_bound else selectors.SyncLogFilter()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = selectors.sync_counts(account=request.account)
    filter_query = request.GET.copy()
    filter_query.pop("page", None)
    in_flight = sum(counts.get(state, 0) for state in (SyncState.PENDING, SyncState.SENDING, SyncState.UNKNOWN))
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "states": SyncState,
        "filter_query": filter_query.urlencode(),
        "in_flight": in_flight,
    }
    return render(request, "accounting/sync/log.html", context)


@account_required("finance")
@require_GET
def sync_waiting_count(request):
    """The top bar's "n need you": fetched after the page, so no page counts for it."""
    waiting = selectors.waiting_for_a_person(account=request.account)
    count = sum(waiting.values())
    state = next((state for state in selectors.WAITING_FOR_A_PERSON if waiting.get(state)), SyncState.FAILED)
    return JsonResponse(
        {
            "count": count,
            "words": f"{count} need{'s' if count == 1 else ''} you",
            "url": f"{reverse('sync:log')}?state={state}",
        }
    )


@account_required("view")
@require_GET
def sync_log_export(request):
    """Export CSV of the Sync log under its current filter, every row, streamed."""
    form = SyncLogForm(request.GET or None, account=request.account)
    if form.is_bound and not form.is_valid():  # the log says what is wrong with the filter
        return redirect(f"{reverse('sync:log')}?{request.GET.urlencode()}")
    rows = sync_log_rows(
        account=request.account, filters=form.filters() if form.is_bound else selectors.SyncLogFilter()
    )
    return csv_download(filename=f"sync-log-{timezone.localdate():%Y-%m-%d}.csv", header=SYNC_LOG_COLUMNS, rows=rows)


@account_required("finance")
@require_POST
def sync_retry_failed(request):
    count = services.sync_retry(
        account=request.account, states=[SyncState.FAILED, SyncState.NEEDS_ATTENTION], actor=request.user
    )
    messages.success(
        request, f"{count} invoice{'s' if count != 1 else ''} queued to sync again." if count else "Nothing to retry."
    )
    return redirect("sync:log")


@account_required("admin")
@require_POST
def backfill_start(request):
    """Setup > Accounting: send every issued invoice not yet in Xero, behind everything more urgent."""
    try:
        count = backfill_request(account=request.account, actor=request.user)
    except services.SyncRefused as refused:
        messages.error(request, refused.message)
        return redirect("accounting:setup_accounting")
    if count:
        messages.success(
            request,
            f"{count} earlier invoice{'s are' if count != 1 else ' is'} on their way to Xero. "
            "They go after manual and automatic syncs and stop short of Xero's daily limit; "
            "what cannot go today goes tomorrow. Follow them in the Sync log.",
        )
    else:
        messages.info(request, "Every issued invoice is already in Xero or on its way.")
    return redirect("accounting:setup_accounting")
