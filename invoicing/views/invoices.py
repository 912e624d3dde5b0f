"""Contacts > Payments: search the vendors' invoices, an invoice's page and its actions.

Every action is a POST that needs the "finance" capability and calls one service; a refusal
(InvoicingError) is shown in the service's own words and whatever was typed is kept.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounting.sync import selectors as sync_selectors
from accounting.sync.exports import PAYMENTS_COLUMNS, payments_rows
from accounting.sync.models import XeroStatus
from contacts.selectors import vendor_list
from invoicing import selectors, services
from invoicing.errors import InvoicingError
from invoicing.forms import (
    AdjustmentForm,
    InvoiceAmendForm,
    InvoiceQuantitiesForm,
    InvoiceSearchForm,
    VendorNumberForm,
    VoidForm,
)
from invoicing.models import InvoiceStatus, PurchaseInvoice
from invoicing.views.pagination import Keyset, keyset_paginate
from onport.csv_files import csv_download
from onport.permissions import account_required
from onport.submits import AlreadySubmitted, already_submitted

INVOICES_PER_PAGE = 50
NEWEST_FIRST = Keyset(name="issued-desc", fields=("issue_date", "id"))  # invoice_search's order
PAGING_PARAMETERS = ("after", "before", "page")


@account_required("view")
@require_GET
def invoice_list(request):
    """Search invoices: nothing typed yet lists every invoice, newest first, 50 a page by key (no OFFSET)."""
    form = InvoiceSearchForm(request.GET, vendors=vendor_list(account=request.account))
    page = None
    if form.is_valid():
        invoices = sync_selectors.payments_search(
            account=request.account, search=form.search(), xero_status=form.xero_filter()
        )
        page = keyset_paginate(
            invoices,
            keyset=NEWEST_FIRST,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            per_page=INVOICES_PER_PAGE,
        )
    searched = any(value for key, value in request.GET.items() if key not in PAGING_PARAMETERS)
    bills = (
        sync_selectors.bill_states(account=request.account, invoice_ids=[invoice.pk for invoice in page])
        if page
        else {}
    )
    context = {"form": form, "page": page, "searched": searched, "bills": bills, "search_query": _search_query(request)}
    return render(request, "invoicing/invoice_list.html", context)


@account_required("view")
@require_GET
def invoice_xero_counts(request):
    """The invoices by Xero status, above the list: fetched after the page (htmx), so the list itself never counts."""
    counts = sync_selectors.xero_status_counts(account=request.account)
    rows = [(status, label, counts[status]) for status, label in XeroStatus.choices]
    return render(
        request,
        "invoicing/includes/xero_counts.html",
        {"xero_counts": rows, "current": request.GET.get("xero_status", "")},
    )


def _search_query(request) -> str:
    """The search without its page: what "Export CSV" exports is every invoice that matches, not one page."""
    query = request.GET.copy()
    for name in PAGING_PARAMETERS:
        query.pop(name, None)
    return query.urlencode()


@account_required("view")
@require_GET
def invoice_export(request):
    """Export CSV of the current search: every matching invoice, streamed (no page limit)."""
    form = InvoiceSearchForm(request.GET, vendors=vendor_list(account=request.account))
    if not form.is_valid():  # the list says what is wrong with the search
        return redirect(f"{reverse('invoicing:invoice_list')}?{_search_query(request)}")
    rows = payments_rows(account=request.account, search=form.search(), xero_status=form.xero_filter())
    return csv_download(filename=f"payments-{timezone.localdate():%Y-%m-%d}.csv", header=PAYMENTS_COLUMNS, rows=rows)


def _lines_form(invoice: PurchaseInvoice, data=None, *, amend: bool) -> InvoiceQuantitiesForm:
    """Edit lines (a draft) or Amend (an issued invoice, with a reason): prefilled with what it bills now."""
    choices = selectors.invoice_line_choices(invoice=invoice)
    form_class = InvoiceAmendForm if amend else InvoiceQuantitiesForm
    quantities = {choice.line.id: choice.on_invoice for choice in choices.lines}
    return form_class(
        data,
        rows=choices.lines,
        quantities=quantities,
        shipping=choices.shipping,
        shipping_available=choices.shipping_available,
    )


def _invoice_page(request, invoice: PurchaseInvoice, *, status: int = 200, **forms):
    """The invoice page; the actions this role may take on an invoice in this status get their forms."""
    context = {"invoice": invoice, **forms}  # a refused form is shown as it was sent, with its errors
    context["uploaded_document"] = selectors.invoice_uploaded_document(invoice=invoice)
    if request.membership.can("finance"):
        if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
            if "lines_form" not in context:
                context["lines_form"] = _lines_form(invoice, amend=invoice.status == InvoiceStatus.ISSUED)
            context.setdefault("void_form", VoidForm())
        if invoice.status != InvoiceStatus.VOID:
            context.setdefault(
                "vendor_number_form", VendorNumberForm(initial={"vendor_invoice_number": invoice.vendor_invoice_number})
            )
        if invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
            context.setdefault("adjustment_form", AdjustmentForm())
    return render(request, "invoicing/invoice_detail.html", context, status=status)


@account_required("view")
@require_GET
def invoice_detail(request, invoice_id: int):
    invoice = selectors.invoice_get(account=request.account, invoice_id=invoice_id)
    return _invoice_page(request, invoice)


def _refused(request, invoice: PurchaseInvoice, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)
    return redirect(invoice)


def _status_change(request, invoice_id: int, change, done: str):
    """Issue or mark paid: one service call, its refusal or success shown on the invoice page."""
    invoice = selectors.invoice_find(account=request.account, invoice_id=invoice_id)
    try:
        invoice = change(invoice=invoice, actor=request.user)
    except InvoicingError as error:
        return _refused(request, invoice, error)
    messages.success(request, f"Invoice {invoice.number} {done}.")
    return redirect(invoice)


@account_required("finance")
@require_POST
def invoice_issue(request, invoice_id: int):
    return _status_change(request, invoice_id, services.invoice_issue, "issued")


@account_required("finance")
@require_POST
def invoice_mark_paid(request, invoice_id: int):
    return _status_change(request, invoice_id, services.invoice_mark_paid, "marked as paid")


def _change_lines(request, invoice_id: int, *, amend: bool):
    invoice = selectors.invoice_get(account=request.account, invoice_id=invoice_id)
    form = _lines_form(invoice, request.POST, amend=amend)
    if form.is_valid():
        try:
            invoice = services.invoice_change_lines(
                invoice=invoice,
                quantities=form.quantities(),
                shipping=form.cleaned_data["shipping"],
                reason=form.cleaned_data.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, ValidationError(error.messages))
        else:
            messages.success(request, f"Invoice {invoice.number} {'amended' if amend else 'updated'}.")
            return redirect(invoice)
    return _invoice_page(request, invoice, status=400, lines_form=form)


@account_required("finance")
@require_POST
def invoice_edit_lines(request, invoice_id: int):
    return _change_lines(request, invoice_id, amend=False)


@account_required("finance")
@require_POST
def invoice_amend(request, invoice_id: int):
    return _change_lines(request, invoice_id, amend=True)


@account_required("finance")
@require_POST
def invoice_void(request, invoice_id: int):
    invoice = selectors.invoice_get(account=request.account, invoice_id=invoice_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            invoice = services.invoice_void(invoice=invoice, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, ValidationError(error.messages))
        else:
            messages.success(request, f"Invoice {invoice.number} voided.")
            return redirect(invoice)
    return _invoice_page(request, invoice, status=400, void_form=form)


@account_required("finance")
@require_POST
def invoice_vendor_number(request, invoice_id: int):
    """Record or correct the vendor's own invoice number."""
    invoice = selectors.invoice_get(account=request.account, invoice_id=invoice_id)
    form = VendorNumberForm(request.POST)
    if form.is_valid():
        try:
            invoice = services.invoice_vendor_number_set(
                invoice=invoice, number=form.cleaned_data["vendor_invoice_number"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("vendor_invoice_number", ValidationError(error.messages))
        else:
            messages.success(request, f"Invoice {invoice.number}: the vendor's invoice number is saved.")
            return redirect(invoice)
    return _invoice_page(request, invoice, status=400, vendor_number_form=form)


@account_required("finance")
@require_POST
def invoice_adjustment_add(request, invoice_id: int):
    invoice = selectors.invoice_get(account=request.account, invoice_id=invoice_id)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            services.adjustment_add(invoice=invoice, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as done:
            return already_submitted(request, done, fallback=invoice.get_absolute_url())
        except ValidationError as error:
            form.add_error(None, ValidationError(error.messages))
        else:
            messages.success(request, f"Adjustment added to invoice {invoice.number}.")
            return redirect(invoice)
    return _invoice_page(request, invoice, status=400, adjustment_form=form)
