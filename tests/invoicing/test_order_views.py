"""Orders: the list, an order's page, creating orders and invoicing them (parts included)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contacts.models import VendorKind
from invoicing.models import (
    InvoiceStatus,
    PurchaseInvoice,
    PurchaseOrder,
)
from tests.factories import VendorFactory, order_create
from tests.invoicing.conftest import MAX_LIST_QUERIES, detail_url, quantities_post

pytestmark = pytest.mark.django_db


# --- orders -----------------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["admin_client_", "finance_client", "viewer_client"])
def test_every_role_sees_the_order_list(request, client_fixture, order):
    client = request.getfixturevalue(client_fixture)

    response = client.get(reverse("invoicing:order_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html and "SO-5521" in html
    assert ("+ New purchase order" in html) == (client_fixture != "viewer_client")


def test_order_list_filters_by_kind_and_searches_number_or_sales_order(admin_client_, order, account):
    supplier = VendorFactory(account=account, kind=VendorKind.REPLENISHMENT)
    restock = order_create(vendor=supplier)
    url = reverse("invoicing:order_list")

    def numbers(**params):
        return {o.number for o in admin_client_.get(url, params).context["page"]}

    assert numbers(kind="replenishment") == {restock.number}
    assert numbers(kind="dropship") == {order.number}
    assert numbers(q="so-5521") == {order.number}
    assert numbers(q=restock.number) == {restock.number}


@pytest.mark.parametrize("rows", [5, 60])
def test_order_list_runs_a_constant_number_of_queries(admin_client_, account, rows, django_assert_max_num_queries):
    vendors = VendorFactory.create_batch(3, account=account)
    for index in range(rows):
        order_create(vendor=vendors[index % 3], lines=((1, "1.00"),))

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = admin_client_.get(reverse("invoicing:order_list"))

    assert len(response.context["page"]) == min(rows, 50)


def test_order_page_shows_what_is_ordered_invoiced_and_left(finance_client, order, issued):
    response = finance_client.get(order.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "SO-5521" in html and order.vendor.name in html
    progress = {p.line.sku: (p.line.quantity, p.invoiced, p.remaining) for p in response.context["overview"].lines}
    assert progress == {"SKU-1": (3, 2, 1), "SKU-2": (2, 1, 1)}
    assert issued.number in html
    form = response.context["invoice_form"]
    assert [field.value() for _, field in form.line_rows] == [1, 1]  # prefilled with what is left
    assert form["shipping"].value() == Decimal("0.00")  # the first invoice took the shipping


def test_viewers_see_the_order_without_the_create_invoice_form(viewer_client, order):
    response = viewer_client.get(order.get_absolute_url())

    assert response.status_code == 200
    assert response.context["invoice_form"] is None
    assert "Create invoice" not in response.content.decode()


def test_create_invoice_for_part_of_an_order(finance_client, order):
    data = quantities_post(order, (2, 0), shipping="5.00", issue_date="2026-11-10")

    response = finance_client.post(reverse("invoicing:order_invoice_create", args=[order.pk]), data)

    invoice = PurchaseInvoice.objects.get(order=order)
    assert response.status_code == 302 and response["Location"] == detail_url(invoice)
    assert invoice.status == InvoiceStatus.DRAFT
    assert invoice.issue_date == datetime.date(2026, 11, 10)
    assert invoice.total == Decimal("30.00")  # (2 × 10.00 + 5.00 shipping) + 20% tax
    assert invoice.created_by == finance_client.user


def test_invoicing_more_than_is_left_shows_why_and_keeps_the_inputs(finance_client, order, issued):
    data = quantities_post(order, (9, 1), shipping="0.00", issue_date="2026-11-10")

    response = finance_client.post(reverse("invoicing:order_invoice_create", args=[order.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "SKU-1: you asked to invoice 9, but only 1 of the 3 ordered are left to invoice." in html
    line_1 = order.lines.get(sku="SKU-1")
    assert f'name="qty_{line_1.id}" value="9"' in html
    assert 'value="2026-11-10"' in html
    assert PurchaseInvoice.objects.filter(order=order).count() == 1


def test_create_invoice_form_checks_what_was_typed(finance_client, order):
    data = quantities_post(order, ("two", -1), shipping="abc", issue_date="")

    response = finance_client.post(reverse("invoicing:order_invoice_create", args=[order.pk]), data)

    assert response.status_code == 400
    form = response.context["invoice_form"]
    assert "Enter a whole number." in str(form.errors)
    assert "Enter an amount in numbers, like 120.50." in str(form.errors)
    assert "issue_date" in form.errors
    assert not PurchaseInvoice.objects.exists()


def test_new_purchase_order_form(finance_client, vendor):
    response = finance_client.get(reverse("invoicing:order_create"), {"vendor": vendor.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "+ Add line" in html and 'id="lines-empty"' in html
    assert response.context["form"]["vendor"].value() == str(vendor.pk)


def order_post(vendor, lines, **extra):
    data = {
        "vendor": vendor.pk,
        "sales_order_reference": "SO-1",
        "ordered_on": "2026-11-02",
        "shipping_cost": "6.00",
        "shipping_tax_rate": "20",
        "lines-TOTAL_FORMS": len(lines),
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 1,
        "lines-MAX_NUM_FORMS": 500,
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{key}": value for key, value in line.items()})
    return {**data, **extra}


def test_finance_creates_a_purchase_order_with_lines(finance_client, vendor):
    lines = [
        {"sku": "A-1", "product_name": "Mug", "quantity": 4, "unit_cost": "3.25", "tax_rate": "20"},
        {"sku": "", "product_name": "", "quantity": "", "unit_cost": "", "tax_rate": "20.00"},  # a blank added row
        {"sku": "B-2", "product_name": "Plate", "quantity": 2, "unit_cost": "1.2345", "tax_rate": "0"},
    ]

    response = finance_client.post(reverse("invoicing:order_create"), order_post(vendor, lines))

    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("A-1", 4), ("B-2", 2)]
    assert (order.shipping_cost, order.sales_order_reference) == (Decimal("6.00"), "SO-1")


def test_a_purchase_order_keeps_its_sales_channel_and_brand_for_tracking(finance_client, vendor):
    lines = [{"sku": "A-1", "product_name": "Mug", "quantity": 1, "unit_cost": "3.25", "tax_rate": "20"}]
    post = order_post(vendor, lines, sales_channel="  Marketplace ", brand="House Brand")

    response = finance_client.post(reverse("invoicing:order_create"), post)

    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and (order.sales_channel, order.brand) == ("Marketplace", "House Brand")
    page = finance_client.get(order.get_absolute_url()).content.decode()
    assert "<dt>Sales channel</dt><dd>Marketplace</dd>" in page and "<dt>Brand</dt><dd>House Brand</dd>" in page


def test_a_sales_channel_with_control_characters_is_refused(finance_client, vendor):
    lines = [{"sku": "A-1", "product_name": "Mug", "quantity": 1, "unit_cost": "3.25", "tax_rate": "20"}]

    response = finance_client.post(
        reverse("invoicing:order_create"), order_post(vendor, lines, sales_channel="On\x07line")
    )

    assert response.status_code == 400 and not PurchaseOrder.objects.exists()


def test_a_purchase_order_needs_a_line_and_one_of_your_vendors(finance_client, other_account):
    stranger = VendorFactory(account=other_account)
    lines = [{"sku": "", "product_name": "", "quantity": "", "unit_cost": "", "tax_rate": ""}]

    response = finance_client.post(reverse("invoicing:order_create"), order_post(stranger, lines))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of your vendors from the list." in html
    assert "This field is required." in html  # the first line must be filled in
    assert not PurchaseOrder.objects.exists()


# --- Contacts > Payments: search invoices -----------------------------------------------------
