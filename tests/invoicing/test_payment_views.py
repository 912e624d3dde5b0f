"""Contacts > Payments: search invoices, pagination and query counts."""

import datetime

import pytest
from django.urls import reverse

from contacts.models import VendorKind
from invoicing import services
from tests.factories import VendorFactory, invoice_create, order_create
from tests.invoicing.conftest import MAX_LIST_QUERIES, detail_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(account):
    """Four invoices across two vendors, kinds, statuses, dates and totals."""
    drop = VendorFactory(account=account, kind=VendorKind.DROPSHIP, name="Drop Co")
    acme = VendorFactory(account=account, kind=VendorKind.REPLENISHMENT, name="Acme Wholesale")
    made = {}
    for key, vendor, unit_cost, issue_date, status in [
        ("small_drop", drop, "10.00", datetime.date(2026, 1, 5), "issued"),
        ("big_drop", drop, "500.00", datetime.date(2026, 2, 5), "paid"),
        ("acme_draft", acme, "40.00", datetime.date(2026, 3, 5), "draft"),
        ("acme_void", acme, "75.00", datetime.date(2026, 4, 5), "void"),
    ]:
        order = order_create(vendor=vendor, lines=((1, unit_cost),), shipping="0.00")
        invoice = invoice_create(order=order, issue=status != "draft", issue_date=issue_date)
        if status == "paid":
            invoice = services.invoice_mark_paid(invoice=invoice)
        if status == "void":
            invoice = services.invoice_void(invoice=invoice, reason="Duplicate")
        made[key] = invoice
    return made


def search(client, **params):
    response = client.get(reverse("invoicing:invoice_list"), params)
    assert response.status_code == 200
    return response


def found(client, **params):
    return {invoice.number for invoice in search(client, **params).context["page"]}


@pytest.mark.parametrize("client_fixture", ["admin_client_", "finance_client", "viewer_client"])
def test_every_role_sees_payments(request, client_fixture, invoices):
    client = request.getfixturevalue(client_fixture)

    html = search(client).content.decode()

    assert "Search invoices" in html
    for invoice in invoices.values():
        assert invoice.number in html and detail_url(invoice) in html
    assert "Acme Wholesale" in html and invoices["big_drop"].order.number in html
    assert "600.00 GBP" in html  # 500.00 + 20% tax, with its currency


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"small_drop", "big_drop", "acme_draft", "acme_void"}),
        ({"kind": "replenishment"}, {"acme_draft", "acme_void"}),
        ({"status": "paid"}, {"big_drop"}),
        ({"status": "void"}, {"acme_void"}),
        ({"date_from": "2026-02-01"}, {"big_drop", "acme_draft", "acme_void"}),
        ({"date_to": "2026-02-05"}, {"small_drop", "big_drop"}),
        ({"date_from": "2026-02-01", "date_to": "2026-03-31"}, {"big_drop", "acme_draft"}),
        ({"amount_min": "48"}, {"big_drop", "acme_draft", "acme_void"}),
        ({"amount_max": "48"}, {"small_drop", "acme_draft"}),
        ({"amount_min": "50", "amount_max": "100"}, {"acme_void"}),
        ({"kind": "dropship", "status": "issued"}, {"small_drop"}),
    ],
)
def test_search_invoices_by_each_criterion(admin_client_, invoices, params, expected):
    assert found(admin_client_, **params) == {invoices[key].number for key in expected}


def test_search_invoices_by_number_and_vendor(admin_client_, invoices):
    acme = invoices["acme_draft"].vendor

    assert found(admin_client_, number=invoices["big_drop"].number.lower()) == {invoices["big_drop"].number}
    assert found(admin_client_, vendor=acme.pk) == {invoices["acme_draft"].number, invoices["acme_void"].number}


def test_search_invoices_never_shows_another_accounts_invoices(admin_client_, invoices, other_account):
    stranger = VendorFactory(account=other_account)
    theirs = invoice_create(order=order_create(vendor=stranger))

    assert theirs.number in {i.number for i in invoices.values()}  # numbering is per account: same numbers
    assert all(invoice.account_id != other_account.id for invoice in search(admin_client_).context["page"])
    response = search(admin_client_, vendor=stranger.pk)
    assert "Choose one of your vendors from the list." in response.content.decode()


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"amount_min": "abc"}, "amount_min", "Enter an amount in numbers, like 120.50."),
        ({"amount_min": "100", "amount_max": "5"}, "amount_max", "“Total to” is smaller than “Total from”."),
        ({"date_from": "2026-05-01", "date_to": "2026-01-01"}, "date_to", "“Issued to” is before “Issued from”"),
        ({"date_from": "31 Feb 2026"}, "date_from", "Enter a date, like 2026-11-02."),
    ],
)
def test_invalid_search_says_what_is_wrong_and_keeps_what_was_typed(admin_client_, invoices, params, field, message):
    response = search(admin_client_, number="INV", **params)

    html = response.content.decode()
    assert response.context["page"] is None
    assert message in " ".join(response.context["form"].errors[field])
    assert "Some of the search can't be used" in html
    for value in params.values():
        assert f'value="{value}"' in html
    assert 'value="INV"' in html


def test_payments_page_by_fifty_without_counting(admin_client_, account, django_assert_max_num_queries):
    vendor = VendorFactory(account=account)
    order = order_create(vendor=vendor, lines=((55, "1.00"),), shipping="0.00")
    for _ in range(55):
        invoice_create(order=order, quantities=(1,), issue=False)

    with django_assert_max_num_queries(MAX_LIST_QUERIES) as captured:
        first = search(admin_client_)
    second = search(admin_client_, after=first.context["page"].next_cursor)

    assert len(first.context["page"]) == 50 and first.context["page"].has_next
    assert len(second.context["page"]) == 5 and not second.context["page"].has_next
    assert "after=" in first.content.decode() and "page=" not in first.content.decode()
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)
    assert not any("OFFSET" in query["sql"].upper() for query in captured.captured_queries)


@pytest.mark.parametrize("rows", [5, 60])
def test_payments_runs_a_constant_number_of_queries(admin_client_, account, rows, django_assert_max_num_queries):
    vendors = VendorFactory.create_batch(3, account=account)
    orders = [order_create(vendor=v, lines=((rows, "2.00"),), shipping="0.00") for v in vendors]
    for index in range(rows):
        invoice_create(order=orders[index % 3], quantities=(1,), issue=index % 2 == 0)

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = search(admin_client_, status="", amount_min="1")

    assert len(response.context["page"]) == min(rows, 50)


def test_an_old_page_number_is_the_first_page_not_an_error(admin_client_, invoices):
    response = search(admin_client_, page=40)

    assert len(response.context["page"]) == 4
    assert search(admin_client_, page="x").context["page"].object_list == response.context["page"].object_list
