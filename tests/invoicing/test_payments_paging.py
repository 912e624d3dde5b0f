"""Contacts > Payments: paging by key (a cursor in Next / Previous, no OFFSET) and the Xero status filter."""

import datetime
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse

from accounting.sync.models import XERO_STATUS_STATES, AccountingSync, SyncKind, SyncState, XeroStatus
from integrations.models import XeroAccount
from invoicing.models import InvoiceAdjustment, PurchaseInvoice
from invoicing.views import invoices as invoices_view
from invoicing.views.pagination import CURSOR_SALT
from tests.factories import VendorFactory, order_create
from tests.invoicing.conftest import MAX_LIST_QUERIES

pytestmark = pytest.mark.django_db

DAYS = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 2), datetime.date(2026, 3, 3))


def invoices_bulk(account, count: int, *, days=DAYS, status: str = "issued") -> list[PurchaseInvoice]:
    """`count` invoices on a few issue dates, so most of them tie on the list's order key."""
    order = order_create(vendor=VendorFactory(account=account), lines=((1, "1.00"),), shipping="0.00")
    start = PurchaseInvoice.objects.filter(account=account).count()
    return PurchaseInvoice.objects.bulk_create(
        PurchaseInvoice(
            account=account,
            order=order,
            vendor=order.vendor,
            kind=order.kind,
            number=f"INV-{start + index:06d}",
            status=status,
            issue_date=days[index % len(days)],
            due_date=days[0],
            currency="GBP",
            total=Decimal(index),
        )
        for index in range(count)
    )


def bill_rows(account, states: dict[PurchaseInvoice, str]) -> XeroAccount:
    xero_account = XeroAccount.objects.create(account=account, name="Main")
    AccountingSync.objects.bulk_create(
        AccountingSync(account=account, xero_account=xero_account, invoice=invoice, kind=SyncKind.BILL, state=state)
        for invoice, state in states.items()
    )
    return xero_account


def signed(value) -> str:
    """A cursor as the list signs one (the tests may write any position or value)."""
    return signing.Signer(salt=CURSOR_SALT).sign_object(value)


def listed(client, **params):
    response = client.get(reverse("invoicing:invoice_list"), params)
    assert response.status_code == 200
    return response.context["page"], response.content.decode()


@pytest.fixture
def seven_a_page(monkeypatch):
    monkeypatch.setattr(invoices_view, "INVOICES_PER_PAGE", 7)


def test_next_then_previous_shows_every_invoice_once_in_order(finance_client, account, seven_a_page):
    made = invoices_bulk(account, 40)  # three issue dates: page ends fall inside runs of the same date
    expected = [invoice.pk for invoice in sorted(made, key=lambda i: (i.issue_date, i.pk), reverse=True)]

    # when: Next from the first page to the last
    pages, page = [], listed(finance_client)[0]
    pages.append(page)
    while page.has_next:
        page, html = listed(finance_client, after=page.next_cursor)
        assert 'rel="prev"' in html
        pages.append(page)
    forwards = [invoice.pk for page in pages for invoice in page]

    # and: Previous from the last page back to the first
    backwards_pages = [page]
    while page.has_previous:
        page = listed(finance_client, before=page.previous_cursor)[0]
        backwards_pages.append(page)
    backwards = [invoice.pk for page in reversed(backwards_pages) for invoice in page]

    # then: each way, every invoice once, newest first, the same pages
    assert len(pages) == 6 and [len(page) for page in pages] == [7, 7, 7, 7, 7, 5]
    assert forwards == expected
    assert backwards == expected
    assert [list(p) for p in reversed(backwards_pages)] == [list(p) for p in pages]
    assert not backwards_pages[-1].has_previous


def test_a_page_keeps_the_search_in_its_links(finance_client, account, seven_a_page):
    paid = invoices_bulk(account, 20, status="paid")
    invoices_bulk(account, 10)

    page, html = listed(finance_client, status="paid", kind=paid[0].kind)
    second, second_html = listed(finance_client, status="paid", kind=paid[0].kind, after=page.next_cursor)

    assert "status=paid" in html.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert {invoice.pk for invoice in [*page, *second]} <= {invoice.pk for invoice in paid}
    assert "First page" in second_html


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "WyJpc3N1ZWQtZGVzYyIsWyIyMDI2LTAzLTAzIiwiOTkiXV0",  # a real payload, without the signature
        "WyJpc3N1ZWQtZGVzYyIsWyIyMDI2LTAzLTAzIiwiOTkiXV0:1xYkzr:DGMn_fRh4bAoWSKp56P7ro0eZoJKGg-rdRrntiEMSVM",
        signed(["issued-desc", ["31 Feb", "x"]]),  # ours, values of the wrong type
        signed(["issued-desc", [None, None]]),
        signed(["total-asc", ["2026-03-03", "1"]]),  # made for another order
        signed("just a string"),
        signed({"issued-desc": 1, "x": 2}),
        "x" * 5000,
        "a\x00b",
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_forged_or_broken_cursor_gives_the_first_page_and_says_so(finance_client, account, cursor, direction):
    invoices_bulk(account, 60)
    first = listed(finance_client)[0]

    page, html = listed(finance_client, **{direction: cursor})

    assert list(page) == list(first) and page.cursor_refused
    assert "That page link could not be used" in html


def test_a_cursor_past_the_end_says_no_more_invoices(finance_client, account):
    invoices_bulk(account, 3)
    last = min(PurchaseInvoice.objects.filter(account=account), key=lambda i: (i.issue_date, i.pk))
    cursor = signed(["issued-desc", [last.issue_date.isoformat(), str(last.pk)]])

    page, html = listed(finance_client, after=cursor)

    assert list(page) == [] and "No more invoices." in html
    assert not page.cursor_refused
    assert "First page" in html and 'rel="prev"' not in html


def test_previous_before_the_first_invoice_is_the_first_page(finance_client, account):
    made = invoices_bulk(account, 3)
    newest = max(made, key=lambda i: (i.issue_date, i.pk))
    cursor = signed(["issued-desc", [newest.issue_date.isoformat(), str(newest.pk)]])

    page = listed(finance_client, before=cursor)[0]

    assert [invoice.pk for invoice in page][0] == newest.pk and not page.has_previous


def test_another_accounts_invoices_never_appear_on_any_page(finance_client, account, other_account, seven_a_page):
    mine = invoices_bulk(account, 20)
    theirs = invoices_bulk(other_account, 20)  # the same numbers and dates, ids in between
    bill_rows(other_account, {invoice: SyncState.FAILED for invoice in theirs})
    their_newest = max(theirs, key=lambda i: (i.issue_date, i.pk))
    their_cursor = signed(["issued-desc", ["2026-03-04", str(their_newest.pk)]])

    seen, page = [], listed(finance_client, after=their_cursor)[0]  # a position is only a position
    seen += list(page)
    while page.has_next:
        page = listed(finance_client, after=page.next_cursor)[0]
        seen += list(page)

    assert sorted(invoice.pk for invoice in seen) == sorted(invoice.pk for invoice in mine)
    assert list(listed(finance_client, xero_status="failed")[0]) == []


@pytest.fixture
def one_per_xero_status(account):
    """An issued invoice in every sync state, one with no bill row, and a draft."""
    made = invoices_bulk(account, len(SyncState.choices) + 2)
    *synced, no_row, draft = made
    states = dict(zip(synced, SyncState.values))
    xero_account = bill_rows(account, states)
    PurchaseInvoice.objects.filter(pk=draft.pk).update(status="draft")
    # a credit note's row of the no-row invoice is not its bill: it stays "not synced"
    adjustment = InvoiceAdjustment.objects.create(account=account, invoice=no_row, kind="credit", amount=1, reason="x")
    AccountingSync.objects.create(
        account=account,
        xero_account=xero_account,
        invoice=no_row,
        adjustment=adjustment,
        kind=SyncKind.CREDIT_NOTE,
        state=SyncState.FAILED,
    )
    return {state: invoice.number for invoice, state in states.items()}, no_row.number, draft.number


@pytest.mark.parametrize("status", XeroStatus.values)
def test_the_xero_status_filter(finance_client, one_per_xero_status, status):
    by_state, no_row, draft = one_per_xero_status
    expected = {by_state[state] for state in XERO_STATUS_STATES[status]}
    if status == XeroStatus.NOT_SYNCED:
        expected |= {no_row, draft}

    page, html = listed(finance_client, xero_status=status)

    assert {invoice.number for invoice in page} == expected
    assert f'<option value="{status}" selected>' in html


def test_every_sync_state_has_one_xero_status():
    grouped = [state for states in XERO_STATUS_STATES.values() for state in states]

    assert sorted(grouped) == sorted(SyncState.values) and set(XERO_STATUS_STATES) == set(XeroStatus.values)


def test_the_xero_status_column(finance_client, one_per_xero_status):
    by_state, no_row, _ = one_per_xero_status

    html = listed(finance_client)[1]

    assert "<th>Xero status</th>" in html
    row = html.split(f">{no_row}</a>")[1].split("</tr>")[0]
    assert "Not synced" in row
    row = html.split(f">{by_state[SyncState.NEEDS_ATTENTION]}</a>")[1].split("</tr>")[0]
    assert "Needs attention" in row


def test_an_unknown_xero_status_is_refused_in_words(finance_client, one_per_xero_status):
    response = finance_client.get(reverse("invoicing:invoice_list"), {"xero_status": "sent"})

    assert response.context["page"] is None
    assert "Choose a Xero status from the list." in response.content.decode()


@pytest.mark.parametrize("rows", [10, 120])
def test_a_deep_filtered_page_runs_a_constant_number_of_queries(
    finance_client, account, rows, django_assert_max_num_queries, seven_a_page
):
    made = invoices_bulk(account, rows)
    bill_rows(account, {invoice: SyncState.SYNCED for invoice in made})
    page = listed(finance_client, xero_status="synced")[0]

    with django_assert_max_num_queries(MAX_LIST_QUERIES) as captured:
        response = finance_client.get(
            reverse("invoicing:invoice_list"), {"xero_status": "synced", "status": "issued", "after": page.next_cursor}
        )

    assert len(response.context["page"]) == min(rows - 7, 7)
    assert not any("OFFSET" in query["sql"].upper() for query in captured.captured_queries)
