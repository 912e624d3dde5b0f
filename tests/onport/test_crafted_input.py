"""The security review's crafted inputs, and their kin, on every form and parameter: a clear 400 or form error,
never a 500 — NUL bytes, digits that are not ASCII, money that overflows its column, dates out of range."""

import datetime

import pytest
from django.urls import reverse

from invoicing.models import InvoiceStatus, PurchaseInvoice, PurchaseOrder
from tests.invoicing.test_order_views import order_post
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
SUPERSCRIPT_TWO = "²"
HUGE = "9999999999999999999999"
FAR_DATE = "9999-12-31"
ANCIENT_DATE = "0001-01-01"


@pytest.fixture
def finance(finance_client):
    finance_client.raise_request_exception = False  # a 500 is what these tests look for
    return finance_client


@pytest.fixture
def admin(admin_client_):
    admin_client_.raise_request_exception = False
    return admin_client_


LAMP = {"sku": "LAMP", "product_name": "Lamp", "quantity": "5", "unit_cost": "10.00", "tax_rate": "20"}


def _order_form(for_vendor, changes):
    return {**order_post(for_vendor, [LAMP]), **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"lines-0-quantity": "1000", "lines-0-unit_cost": "9999999999"},
        {"lines-0-quantity": "9999999999"},
        {"lines-0-quantity": SUPERSCRIPT_TWO},
        {"lines-0-unit_cost": HUGE},
        {"shipping_cost": HUGE},
        {"shipping_cost": "999999999999.99", "lines-0-unit_cost": "999999999.9999"},
        {"ordered_on": FAR_DATE},
        {"ordered_on": ANCIENT_DATE},
        {"ordered_on": "2026-02-30"},
        {"lines-0-sku": NUL},
        {"sales_order_reference": NUL},
        {"vendor": SUPERSCRIPT_TWO},
        {"lines-TOTAL_FORMS": SUPERSCRIPT_TWO},
        {"lines-TOTAL_FORMS": HUGE},
    ],
    ids=lambda changes: ",".join(changes),
)
def test_a_crafted_purchase_order_is_refused_in_words(finance, account, changes):
    vendor = VendorFactory(account=account)

    answer = finance.post(reverse("invoicing:order_create"), _order_form(vendor, changes))

    assert answer.status_code == 400, answer.status_code
    assert not PurchaseOrder.objects.filter(account=account).exists()


def test_the_overflowing_order_says_the_limit_in_words(finance, account):
    vendor = VendorFactory(account=account)

    answer = finance.post(
        reverse("invoicing:order_create"),
        _order_form(vendor, {"lines-0-quantity": "1000", "lines-0-unit_cost": "9999999999"}),
    )

    assert answer.status_code == 400
    assert (
        "This order would come to 11,999,999,998,807.20 GBP: an invoice holds at most 999,999,999,999.99."
        in answer.content.decode()
    )


@pytest.mark.parametrize("issue_date", [FAR_DATE, ANCIENT_DATE, "2026-13-01", NUL])
def test_an_invoice_with_a_crafted_issue_date_is_refused_in_words(finance, account, issue_date):
    order = order_create(vendor=VendorFactory(account=account, payment_terms_days=30), lines=[(2, "10.00")])
    line = order.lines.get()

    answer = finance.post(
        reverse("invoicing:order_invoice_create", args=[order.pk]),
        {f"qty_{line.pk}": "1", "shipping": "0.00", "issue_date": issue_date},
    )

    assert answer.status_code == 400, answer.status_code
    assert not PurchaseInvoice.objects.filter(order=order).exists()


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": FAR_DATE},
        {"date_to": FAR_DATE},
        {"date_from": ANCIENT_DATE},
        {"amount_min": HUGE},
        {"amount_max": SUPERSCRIPT_TWO},
        {"q": NUL},
        {"vendor": NUL},
        {"vendor": SUPERSCRIPT_TWO},
        {"status": NUL},
        {"xero_status": NUL},
        {"after": NUL},
        {"before": "x" * 5000},
        {"page": HUGE},
    ],
)
def test_the_payments_search_takes_any_query_without_a_500(finance, account, query):
    invoice_create(order=order_create(vendor=VendorFactory(account=account)))

    for name in ("invoicing:invoice_list", "invoicing:invoice_export", "invoicing:invoice_xero_counts"):
        answer = finance.get(reverse(name), query)
        assert answer.status_code in (200, 302, 400), (name, answer.status_code)  # an export of a bad search: the list


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": FAR_DATE},
        {"date_to": FAR_DATE},
        {"date_to": ANCIENT_DATE},
        {"state": NUL},
        {"q": NUL},
        {"page": HUGE},
        {"page": SUPERSCRIPT_TWO},
        {"kind": NUL},
    ],
)
def test_the_sync_log_takes_any_query_without_a_500(finance, query):
    for name in ("sync:log", "sync:log_export"):
        answer = finance.get(reverse(name), query)
        assert answer.status_code in (200, 302, 400), (name, answer.status_code)


@pytest.mark.parametrize("query", [{"page": HUGE}, {"page": NUL}, {"q": NUL}, {"kind": NUL}, {"vendor": NUL}])
def test_list_pages_take_any_query_without_a_500(finance, query):
    for name in ("invoicing:order_list", "contacts:vendor_list"):
        answer = finance.get(reverse(name), query)
        assert answer.status_code in (200, 400), (name, answer.status_code)


@pytest.mark.parametrize(
    "field,value",
    [
        ("payment_terms_days", HUGE),
        ("payment_terms_days", "99999"),
        ("payment_terms_days", SUPERSCRIPT_TWO),
        ("name", NUL),
        ("name", "x" * 300),
        ("currency", NUL),
        ("country", NUL),
        ("email", NUL),
    ],
)
def test_a_crafted_vendor_is_refused_in_words(admin, field, value):
    page = admin.get(reverse("contacts:vendor_create"))
    assert page.status_code == 200
    form = {"name": "Lumen", "kind": "dropship", "currency": "EUR", "payment_terms_days": "30", field: value}

    answer = admin.post(reverse("contacts:vendor_create"), form)

    assert answer.status_code in (200, 400), answer.status_code


@pytest.mark.parametrize("amount", [HUGE, SUPERSCRIPT_TWO, NUL, "-1", "1e400", "NaN", "Infinity"])
def test_a_crafted_adjustment_is_refused_in_words(finance, account, amount):
    invoice = invoice_create(order=order_create(vendor=VendorFactory(account=account)))
    PurchaseInvoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.ISSUED)

    answer = finance.post(
        reverse("invoicing:invoice_adjustment_add", args=[invoice.pk]),
        {"kind": "credit", "amount": amount, "reason": "Damaged"},
    )

    assert answer.status_code == 400, answer.status_code


def test_an_invoice_dated_within_range_still_gets_its_due_date(finance, account):
    order = order_create(vendor=VendorFactory(account=account, payment_terms_days=30), lines=[(2, "10.00")])
    line = order.lines.get()
    issue_date = datetime.date.today() + datetime.timedelta(days=30)

    answer = finance.post(
        reverse("invoicing:order_invoice_create", args=[order.pk]),
        {f"qty_{line.pk}": "1", "shipping": "0.00", "issue_date": issue_date.isoformat()},
    )

    assert answer.status_code == 302
    assert PurchaseInvoice.objects.get(order=order).due_date == issue_date + datetime.timedelta(days=30)
