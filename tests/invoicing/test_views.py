"""Orders and Contacts > Payments (the vendors' invoices): pages, search, actions, roles and tenancy."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from contacts.models import VendorKind
from invoicing import services
from invoicing.models import InvoiceAdjustment, InvoiceStatus, PurchaseInvoice, PurchaseOrder
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db

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
        "vendor": vendor.pk, "sales_order_reference": "SO-1", "ordered_on": "2026-11-02",
        "shipping_cost": "6.00", "shipping_tax_rate": "20",
        "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": 0, "lines-MIN_NUM_FORMS": 1, "lines-MAX_NUM_FORMS": 500,
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
    second = search(admin_client_, page=2)

    assert len(first.context["page"]) == 50 and first.context["page"].has_next
    assert len(second.context["page"]) == 5 and not second.context["page"].has_next
    assert "page=2" in first.content.decode()
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)


@pytest.mark.parametrize("rows", [5, 60])
def test_payments_runs_a_constant_number_of_queries(admin_client_, account, rows, django_assert_max_num_queries):
    vendors = VendorFactory.create_batch(3, account=account)
    orders = [order_create(vendor=v, lines=((rows, "2.00"),), shipping="0.00") for v in vendors]
    for index in range(rows):
        invoice_create(order=orders[index % 3], quantities=(1,), issue=index % 2 == 0)

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = search(admin_client_, status="", amount_min="1")

    assert len(response.context["page"]) == min(rows, 50)


def test_a_page_past_the_end_is_empty_not_an_error(admin_client_, invoices):
    response = search(admin_client_, page=40)

    assert list(response.context["page"]) == []
    assert "No more invoices." in response.content.decode()
    assert search(admin_client_, page="x").context["page"].number == 1


# --- the invoice page -------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["admin_client_", "finance_client", "viewer_client"])
def test_every_role_sees_the_invoice_page(request, client_fixture, issued, order):
    client = request.getfixturevalue(client_fixture)

    response = client.get(detail_url(issued))

    assert response.status_code == 200
    html = response.content.decode()
    assert issued.number in html and "badge-issued" in html
    assert order.get_absolute_url() in html and reverse("contacts:vendor_edit", args=[order.vendor.pk]) in html
    for text in ("SKU-1", "Product 1", "SKU-2", "Shipping", "Subtotal", "History", "Invoice issued."):
        assert text in html, text
    assert "35.40 GBP" in html  # (2 × 10.00 + 1 × 4.50 + 5.00 shipping) + 20% tax


def test_invoice_page_totals_and_lines(viewer_client, issued):
    response = viewer_client.get(detail_url(issued))

    invoice = response.context["invoice"]
    assert [(line.sku, line.quantity, line.gross_amount) for line in invoice.lines.all()] == [
        ("SKU-1", 2, Decimal("24.00")),
        ("SKU-2", 1, Decimal("5.40")),
        ("", 1, Decimal("6.00")),
    ]
    html = response.content.decode()
    assert "29.50" in html and "5.90" in html and "35.40 GBP" in html  # subtotal, tax, total


ACTIONS = ("Issue</button>", "Mark paid", "Void invoice", "Save lines", "Amend invoice", "Add adjustment</button>")


def test_viewers_see_no_actions(viewer_client, draft, issued):
    for invoice in (draft, issued):
        html = viewer_client.get(detail_url(invoice)).content.decode()
        for action in ACTIONS:
            assert action not in html, action


def test_finance_sees_the_actions_of_each_status(finance_client, draft, issued):
    draft_html = finance_client.get(detail_url(draft)).content.decode()
    issued_html = finance_client.get(detail_url(issued)).content.decode()

    assert "Issue</button>" in draft_html and "Save lines" in draft_html and "Void invoice" in draft_html
    assert "Mark paid" not in draft_html and "Add adjustment</button>" not in draft_html
    assert "Mark paid" in issued_html and "Amend invoice" in issued_html and "Add adjustment</button>" in issued_html
    assert "Issued invoices are not edited silently" in issued_html


def test_issue_a_draft(finance_client, draft):
    response = finance_client.post(reverse("invoicing:invoice_issue", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.ISSUED
    assert f"Invoice {draft.number} issued." in response.content.decode()
    assert draft.events.first().actor == finance_client.user


def test_issuing_twice_shows_the_refusal(finance_client, issued):
    response = finance_client.post(reverse("invoicing:invoice_issue", args=[issued.pk]), follow=True)

    assert "Only a draft can be issued; this invoice is issued." in response.content.decode()


def test_edit_the_lines_of_a_draft(finance_client, draft, order):
    response = finance_client.post(
        reverse("invoicing:invoice_edit_lines", args=[draft.pk]), quantities_post(order, (3, 2), shipping="5.00")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert sorted((line.sku, line.quantity) for line in draft.lines.all()) == [("", 1), ("SKU-1", 3), ("SKU-2", 2)]


def test_editing_lines_beyond_the_order_keeps_the_inputs(finance_client, draft, order):
    response = finance_client.post(
        reverse("invoicing:invoice_edit_lines", args=[draft.pk]), quantities_post(order, (4, 0), shipping="1.00")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "SKU-1: you asked to invoice 4, but only 3 of the 3 ordered are left to invoice." in html
    assert 'value="4"' in html


def test_an_issued_invoice_is_amended_with_a_reason(finance_client, issued, order):
    url = reverse("invoicing:invoice_amend", args=[issued.pk])

    refused = finance_client.post(url, quantities_post(order, (1, 1), shipping="5.00"))
    amended = finance_client.post(url, quantities_post(order, (1, 1), shipping="5.00", reason="Vendor credit note"))

    assert refused.status_code == 400
    assert "Say why this issued invoice is being amended." in refused.content.decode()
    assert amended.status_code == 302
    issued.refresh_from_db()
    assert issued.total == Decimal("23.40")
    assert "Reason: Vendor credit note" in issued.events.first().message


def test_an_issued_invoice_is_not_edited_without_a_reason(finance_client, issued, order):
    response = finance_client.post(
        reverse("invoicing:invoice_edit_lines", args=[issued.pk]), quantities_post(order, (1, 1), shipping="5.00")
    )

    assert response.status_code == 400
    assert "Say why this issued invoice is being amended" in response.content.decode()
    issued.refresh_from_db()
    assert issued.total == Decimal("35.40")


def test_mark_an_issued_invoice_paid(finance_client, issued):
    response = finance_client.post(reverse("invoicing:invoice_mark_paid", args=[issued.pk]), follow=True)

    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.PAID
    assert "marked as paid" in response.content.decode()


def test_a_draft_cannot_be_marked_paid(finance_client, draft):
    response = finance_client.post(reverse("invoicing:invoice_mark_paid", args=[draft.pk]), follow=True)

    assert "Only an issued invoice can be marked paid; this invoice is draft." in response.content.decode()


def test_void_needs_a_reason(finance_client, issued):
    url = reverse("invoicing:invoice_void", args=[issued.pk])

    refused = finance_client.post(url, {"reason": "  "})
    voided = finance_client.post(url, {"reason": "Sent twice"}, follow=True)

    assert refused.status_code == 400 and "Say why the invoice is void." in refused.content.decode()
    html = voided.content.decode()
    assert "badge-void" in html and "Voided. Reason: Sent twice" in html
    assert "Void invoice</button>" not in html and "Amend invoice" not in html
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.VOID


def test_a_paid_invoice_cannot_be_voided(finance_client, issued):
    services.invoice_mark_paid(invoice=issued)

    response = finance_client.post(reverse("invoicing:invoice_void", args=[issued.pk]), {"reason": "Oops"})

    assert response.status_code == 400
    assert "A paid invoice cannot be voided." in response.content.decode()


def test_add_an_adjustment_to_an_issued_invoice(finance_client, issued):
    response = finance_client.post(
        reverse("invoicing:invoice_adjustment_add", args=[issued.pk]),
        {"kind": "credit", "amount": "2.50", "reason": "Damaged mug"},
        follow=True,
    )

    adjustment = InvoiceAdjustment.objects.get(invoice=issued)
    assert (adjustment.amount, adjustment.created_by) == (Decimal("2.50"), finance_client.user)
    html = response.content.decode()
    assert "Damaged mug" in html and "Adjustment added" in html


def test_adjustments_are_for_issued_or_paid_invoices(finance_client, draft):
    response = finance_client.post(
        reverse("invoicing:invoice_adjustment_add", args=[draft.pk]),
        {"kind": "debit", "amount": "1.00", "reason": "Late fee"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Adjustments are made on issued or paid invoices." in html
    assert 'value="Late fee"' in html


def test_an_adjustment_form_says_what_is_wrong(finance_client, issued):
    response = finance_client.post(
        reverse("invoicing:invoice_adjustment_add", args=[issued.pk]), {"kind": "credit", "amount": "abc", "reason": ""}
    )

    assert response.status_code == 400
    errors = response.context["adjustment_form"].errors
    assert set(errors) == {"amount", "reason"}


def test_history_is_newest_first_with_actor(finance_client, draft):
    finance_client.post(reverse("invoicing:invoice_issue", args=[draft.pk]))

    events = list(finance_client.get(detail_url(draft)).context["invoice"].events.all())

    assert [event.action for event in events] == ["issued", "created"]
    assert events[0].actor == finance_client.user


# --- tenancy and roles ------------------------------------------------------------------------


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
