"""Orders: the purchase order list, a new order, an order's page and invoicing (part of) it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.selectors import vendor_list
from invoicing import orders, selectors, services
from invoicing.forms import (
    InvoiceCreateForm,
    OrderFilterForm,
    OrderForm,
    OrderLineFormSet,
)
from invoicing.views.pagination import paginate
from onport.permissions import account_required
from onport.submits import AlreadySubmitted, already_submitted

ORDERS_PER_PAGE = 50


def _refusal(error: ValidationError) -> ValidationError:
    """A service's refusal as form-wide errors (whatever fields it names), in its own words."""
    return ValidationError(error.messages)


@account_required("view")
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET)
    criteria = form.cleaned_data if form.is_valid() else {}
    orders = selectors.order_list(account=request.account, kind=criteria.get("kind", ""), query=criteria.get("q", ""))
    page = paginate(orders, page=request.GET.get("page"), per_page=ORDERS_PER_PAGE)
    totals = selectors.order_totals(orders=list(page))
    rows = [(order, totals[order.pk]) for order in page]
    return render(request, "invoicing/order_list.html", {"filter_form": form, "page": page, "rows": rows})


@account_required("finance")
@require_http_methods(["GET", "POST"])
def order_create(request):
    vendors = vendor_list(account=request.account)
    data = request.POST if request.method == "POST" else None
    form = OrderForm(data, vendors=vendors, initial={"vendor": request.GET.get("vendor")})
    lines = OrderLineFormSet(data, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            order = orders.purchase_order_create(
                account=request.account,
                vendor=form.cleaned_data["vendor"],
                lines=[orders.OrderLineInput(**line) for line in lines.line_data()],
                ordered_on=form.cleaned_data["ordered_on"],
                shipping_cost=form.cleaned_data["shipping_cost"],
                shipping_tax_rate=form.cleaned_data["shipping_tax_rate"],
                sales_order_reference=form.cleaned_data["sales_order_reference"],
                sales_channel=form.cleaned_data["sales_channel"],
                brand=form.cleaned_data["brand"],
                submit_token=form.cleaned_data["submit_token"],
            )
        except AlreadySubmitted as done:
            return already_submitted(request, done, fallback=reverse("invoicing:order_list"))
        except ValidationError as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, f"Purchase order {order.number} created.")
            return redirect(order)
    failed = request.method == "POST"
    return render(request, "invoicing/order_create.html", {"form": form, "lines": lines}, status=400 if failed else 200)


def _invoice_form(overview: selectors.OrderOverview, data=None) -> InvoiceCreateForm:
    """Prefilled with everything left to invoice."""
    return InvoiceCreateForm(
        data,
        rows=overview.lines,
        quantities={progress.line.id: progress.remaining for progress in overview.lines},
        shipping=overview.shipping_left,
        shipping_available=overview.shipping_left,
    )


def _order_page(request, overview: selectors.OrderOverview, form: InvoiceCreateForm | None, status: int = 200):
    context = {"overview": overview, "order": overview.order, "invoice_form": form}
    return render(request, "invoicing/order_detail.html", context, status=status)


@account_required("view")
@require_GET
def order_detail(request, order_id: int):
    overview = selectors.order_overview(account=request.account, order_id=order_id)
    can_invoice = request.membership.can("finance") and not overview.fully_invoiced
    return _order_page(request, overview, _invoice_form(overview) if can_invoice else None)


@account_required("finance")
@require_POST
def order_invoice_create(request, order_id: int):
    """The order page's "Create invoice" form: part invoicing, never more than was ordered."""
    overview = selectors.order_overview(account=request.account, order_id=order_id)
    form = _invoice_form(overview, request.POST)
    if form.is_valid():
        try:
            invoice = services.invoice_create(
                account=request.account,
                order=overview.order,
                quantities=form.quantities(),
                shipping=form.cleaned_data["shipping"],
                issue_date=form.cleaned_data["issue_date"],
                vendor_invoice_number=form.cleaned_data["vendor_invoice_number"],
                actor=request.user,
                submit_token=form.cleaned_data["submit_token"],
            )
        except AlreadySubmitted as done:
            return already_submitted(request, done, fallback=overview.order.get_absolute_url())
        except ValidationError as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, f"Draft invoice {invoice.number} created.")
            return redirect(invoice)
    return _order_page(request, overview, form, status=400)
