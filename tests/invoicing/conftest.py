import pytest
from django.urls import reverse

from tests.factories import invoice_create, order_create

MAX_LIST_QUERIES = 8  # session, user, memberships, context processors, the page; never per row


@pytest.fixture
def order(vendor):
    """PO with SKU-1 × 3 at 10.00 and SKU-2 × 2 at 4.50, shipping 5.00, 20% tax."""
    return order_create(vendor=vendor, sales_order_reference="SO-5521")


@pytest.fixture
def draft(order):
    return invoice_create(order=order, quantities=(1, 0), issue=False)


@pytest.fixture
def issued(order):
    return invoice_create(order=order, quantities=(2, 1))


def detail_url(invoice):
    return reverse("invoicing:invoice_detail", args=[invoice.pk])


def quantities_post(order, quantities, shipping="0.00", **extra):
    data = {f"qty_{line.id}": quantity for line, quantity in zip(order.lines.all(), quantities)}
    return {**data, "shipping": shipping, **extra}
