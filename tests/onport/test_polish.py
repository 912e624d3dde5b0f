"""Small things a demanding user notices: the icon, order totals, a 403 without a traceback, confirmations."""

import collections
import logging
import re

import pytest
from django.urls import reverse

from invoicing import services as invoicing
from tests.factories import VendorFactory, invoice_create, order_create
from tests.invoicing.conftest import MAX_LIST_QUERIES

pytestmark = pytest.mark.django_db


def test_the_icon_is_linked_and_favicon_ico_leads_to_it(client, viewer_client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    assert (
        'rel="icon" href="/static/favicon.svg"' in viewer_client.get(reverse("invoicing:order_list")).content.decode()
    )


def test_the_orders_list_shows_each_orders_total_in_a_fixed_number_of_queries(
    account, viewer_client, django_assert_max_num_queries
):
    exclusive = VendorFactory(account=account, name="Exclusive Ltd")
    inclusive = VendorFactory(account=account, name="Inclusive Ltd", prices_include_tax=True)
    order_create(vendor=exclusive)  # (3 × 10.00 + 2 × 4.50) + 5.00 shipping, 20 % on top
    order_create(vendor=inclusive)  # the same amounts, tax inside
    for _ in range(20):
        order_create(vendor=exclusive, lines=((1, "1.00"),), shipping="0.00")

    with django_assert_max_num_queries(MAX_LIST_QUERIES + 1):  # the page's lines, once
        response = viewer_client.get(reverse("invoicing:order_list"))

    totals = {order.vendor.name: total for order, total in response.context["rows"][-2:]}
    assert str(totals["Exclusive Ltd"]) == "52.80" and str(totals["Inclusive Ltd"]) == "44.00"
    assert "52.80 GBP" in response.content.decode()


def test_a_403_is_one_warning_line_not_a_traceback(viewer_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = viewer_client.get(reverse("invoicing:order_create"))

    assert response.status_code == 403
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.status_code == 403 and record.exc_info is None and "Traceback" not in caplog.text


def test_disconnect_and_unlink_ask_first_without_inline_script(books, linked_vendor, admin_client_):
    page = admin_client_.get(books.xero_account.get_absolute_url()).content.decode()
    tax_tab = admin_client_.get(reverse("contacts:vendor_settings", args=[linked_vendor.pk, "tax"])).content.decode()

    assert 'data-confirm="Disconnect Onport from this Xero organisation?"' in page and "onsubmit=" not in page
    assert 'data-confirm="Unlink “Acme Packaging” from its Xero contact?' in tax_tab


@pytest.mark.parametrize("status", ["draft", "issued", "paid"])
def test_the_invoice_page_has_no_id_twice(account, finance_client, status):
    invoice = invoice_create(order=order_create(vendor=VendorFactory(account=account)), issue=status != "draft")
    if status == "paid":
        invoicing.invoice_mark_paid(invoice=invoice)

    html = finance_client.get(invoice.get_absolute_url()).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [name for name, count in collections.Counter(ids).items() if count > 1] == []
    for name in re.findall(r'<label for="([^"]+)"', html):
        assert name in ids, name  # every label finds its field
