"""Orders and invoices of another account answer 404 like missing ones; viewers post nothing."""

import pytest
from django.urls import reverse

from invoicing.models import InvoiceStatus, PurchaseInvoice, PurchaseOrder
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(other_account):
    vendor = VendorFactory(account=other_account)
    order = order_create(vendor=vendor)
    return {"order": order, "invoice": invoice_create(order=order, quantities=(1, 0), issue=False)}


ORDER_URLS = [("get", "invoicing:order_detail"), ("post", "invoicing:order_invoice_create")]
INVOICE_URLS = [
    ("get", "invoicing:invoice_detail"),
    ("post", "invoicing:invoice_issue"),
    ("post", "invoicing:invoice_edit_lines"),
    ("post", "invoicing:invoice_amend"),
    ("post", "invoicing:invoice_mark_paid"),
    ("post", "invoicing:invoice_void"),
    ("post", "invoicing:invoice_adjustment_add"),
]
ID_URLS = [(method, name, "order") for method, name in ORDER_URLS] + [
    (method, name, "invoice") for method, name in INVOICE_URLS
]


@pytest.mark.parametrize("method, name, target", ID_URLS)
def test_another_accounts_order_or_invoice_is_not_found(admin_client_, foreign, method, name, target):
    obj = foreign[target]
    data = {"reason": "Not mine", "kind": "credit", "amount": "1.00", "shipping": "0", "issue_date": "2026-11-10"}

    theirs = getattr(admin_client_, method)(reverse(name, args=[obj.pk]), data)
    missing = getattr(admin_client_, method)(reverse(name, args=[999_999]), data)

    assert theirs.status_code == missing.status_code == 404
    assert PurchaseInvoice.objects.filter(order=foreign["order"]).get().status == InvoiceStatus.DRAFT


@pytest.mark.parametrize("method, name, target", ID_URLS)
def test_the_other_method_answers_the_same_for_theirs_and_missing(admin_client_, foreign, method, name, target):
    """GET on a POST-only action (and POST on a page) is refused before anything is read."""
    other = "post" if method == "get" else "get"

    theirs = getattr(admin_client_, other)(reverse(name, args=[foreign[target].pk]))
    missing = getattr(admin_client_, other)(reverse(name, args=[999_999]))

    assert theirs.status_code == missing.status_code == 405


POST_URLS = [("invoicing:order_create", None), ("invoicing:order_invoice_create", "order")] + [
    (name, "invoice") for method, name in INVOICE_URLS if method == "post"
]


@pytest.mark.parametrize("name, target", POST_URLS)
def test_viewers_cannot_post_anything(viewer_client, draft, order, name, target):
    obj = {"order": order, "invoice": draft, None: None}[target]
    url = reverse(name, args=[obj.pk]) if obj else reverse(name)

    response = viewer_client.post(url, {"reason": "x", "kind": "credit", "amount": "1.00"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.DRAFT
    assert PurchaseInvoice.objects.count() == 1 and PurchaseOrder.objects.count() == 1


def test_viewers_cannot_open_the_new_order_form(viewer_client):
    assert viewer_client.get(reverse("invoicing:order_create")).status_code == 403
