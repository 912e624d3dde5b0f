"""Setup > Payouts, bank details, runs and history pages: plan gating, roles, tenancy, what people see."""

import csv
import io

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounting.payouts import services as payouts
from accounting.payouts.models import (
    PayoutPayment,
    PayoutRunStatus,
    PayoutSettings,
    VendorBankDetails,
    VendorBankDetailsChange,
)
from onport.models import Plan
from tests.accounting.test_payouts import (
    VENDOR_IBANS,
    payee,
    payouts_setup,
    synced_invoices,
)
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def payments_scope(settings):
    """Payments need accounting.payments (or the legacy accounting.transactions); see test_payouts.py."""
    settings.XERO_LEGACY_SCOPES = True


@pytest.fixture
def paid_run(books, account):
    """An approved run with a file, a line and a vendor with bank details; plus a skipped vendor."""
    payouts_setup(books, delay_days=0)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    payee(books, account, name="Nobank", contact="Cobalt Freight")
    synced_invoices(books, vendor, 2)
    synced_invoices(books, account.vendors.get(name="Nobank"))
    return payouts.payout_run_approve(
        run=payouts.payout_run_create(account=account, actor=books.admin), actor=books.admin
    )


def _urls(run) -> list[tuple[str, str]]:
    line = run.lines.get(vendor__name="Lumen")
    payout_file = run.files.get()
    return [
        ("get", reverse("payouts:setup")),
        ("post", reverse("payouts:setup")),
        ("get", reverse("payouts:run_list")),
        ("post", reverse("payouts:run_create")),
        ("get", reverse("payouts:run_detail", args=[run.pk])),
        ("post", reverse("payouts:run_approve", args=[run.pk])),
        ("post", reverse("payouts:run_mark_sent", args=[run.pk])),
        ("post", reverse("payouts:run_cancel", args=[run.pk])),
        ("post", reverse("payouts:run_retry_payments", args=[run.pk])),
        ("post", reverse("payouts:line_mark_failed", args=[run.pk, line.pk])),
        ("get", reverse("payouts:file_download", args=[run.pk, payout_file.pk])),
        ("get", reverse("payouts:vendor_history", args=[line.vendor_id])),
        ("get", reverse("payouts:vendor_bank", args=[line.vendor_id])),
        ("post", reverse("payouts:vendor_bank", args=[line.vendor_id])),
    ]


def _client(account, role):
    user = MembershipFactory(account=account, role=role).user
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


def test_starter_accounts_get_the_upgrade_page_on_every_payout_url(paid_run, account, admin_client_):
    urls = _urls(paid_run)
    account.plan = Plan.STARTER
    account.save()

    for method, url in urls:
        response = getattr(admin_client_, method)(url)
        assert response.status_code == 403, url
        assert b"Advance and Plus plans" in response.content and b"How to upgrade" in response.content, url
    assert paid_run.status == PayoutRunStatus.APPROVED
    assert not PayoutPayment.objects.exists() and paid_run.lines.get(vendor__name="Lumen").status == "included"


def test_another_accounts_runs_lines_files_and_vendors_are_404_on_every_url(paid_run, other_account):
    other_admin = _client(other_account, "admin")
    for method, url in _urls(paid_run):
        if "/runs/" in url and not url.rstrip("/").endswith(("runs", "new")) or "/vendors/" in url:
            assert getattr(other_admin, method)(url).status_code == 404, url


def test_finance_may_view_runs_and_history_but_only_admins_set_up_and_approve(paid_run, account):
    finance, viewer = _client(account, "finance"), _client(account, "viewer")
    viewable = {
        reverse("payouts:run_list"),
        reverse("payouts:run_detail", args=[paid_run.pk]),
        reverse("payouts:vendor_history", args=[paid_run.lines.get(vendor__name="Lumen").vendor_id]),
    }
    for method, url in _urls(paid_run):
        expected = 200 if (method == "get" and url in viewable) else 403
        assert getattr(finance, method)(url).status_code == expected, (method, url)
        assert getattr(viewer, method)(url).status_code == 403, (method, url)
    # finance sees the run but no button that changes it, and no file download link
    page = finance.get(reverse("payouts:run_detail", args=[paid_run.pk])).content.decode()
    assert "Mark as sent" not in page and "Download" not in page and "PAYOUT-0001-EUR.xml" in page


def test_setup_offers_only_xeros_live_bank_accounts_and_saves(books, account, admin_client_):
    payouts_setup(books)
    response = admin_client_.get(reverse("payouts:setup"))
    bank_options = response.context["form"].fields["bank_account"].choices
    assert [label for value, label in bank_options if value] == [  # a bank account without a code is offered too
        "Business Card Account (GBP)",
        "090 – Business Bank Account (GBP)",
        "091 – Business Savings Account (GBP)",
        "095 – Euro Account (EUR)",  # added to the sandbox by payouts_setup
    ]
    saving = dict(bank_options)
    savings_id = next(value for value, label in saving.items() if label.startswith("091"))

    response = admin_client_.post(
        reverse("payouts:setup"),
        {
            "enabled": "on",
            "schedule": "fortnightly",
            "delay_days": "10",
            "bank_account": savings_id,
            "minimum_amount": "25.00",
            "payer_name": "Demo Retail Ltd",
            "payer_iban": "",
            "payer_bic": "",
        },
    )

    assert response.status_code == 302
    setup = PayoutSettings.objects.get(account=account)
    assert (setup.enabled, setup.schedule, setup.delay_days, setup.bank_account_code) == (
        True,
        "fortnightly",
        10,
        "091",
    )
    assert setup.payer_iban == "DE89370400440532013000"  # left empty: the saved one is kept
    page = admin_client_.get(reverse("payouts:setup")).content.decode()
    assert "DE89 •••• •••• 3000" in page and "DE89370400440532013000" not in page


def test_setup_explains_a_wrong_iban(books, admin_client_):
    payouts_setup(books)
    response = admin_client_.post(
        reverse("payouts:setup"),
        {
            "schedule": "weekly",
            "delay_days": "10",
            "minimum_amount": "0",
            "payer_iban": "DE89370400440532013001",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and "This IBAN&#x27;s check digits do not match" in html
    assert "from your bank statement or online banking" in html and "vendor" not in html.split("check digits")[1][:120]
    assert "In each vendor's own currency" in html  # the minimum's currency (help text is not escaped)


def test_vendor_bank_details_page_validates_masks_and_lists_changes(books, account, admin_client_):
    vendor = payee(books, account, name="Lumen")
    url = reverse("payouts:vendor_bank", args=[vendor.pk])

    refused = admin_client_.post(url, {"holder_name": "Lumen SARL", "iban": "FR1420041010050500013M02607"})
    assert refused.status_code == 400 and "check digits do not match" in refused.content.decode()
    assert "Copy it again from the vendor&#x27;s invoice or bank letter." in refused.content.decode()
    assert not VendorBankDetails.objects.exists()

    saved = admin_client_.post(url, {"holder_name": "Lumen SARL", "iban": VENDOR_IBANS[0], "bic": "BNPAFRPP"})
    assert saved.status_code == 302
    page = admin_client_.get(url).content.decode()
    assert "FR14 •••• •••• 2606" in page and VENDOR_IBANS[0] not in page and "BNPAFRPP" not in page
    [change] = VendorBankDetailsChange.objects.all()
    assert "IBAN: (none) → FR14 •••• •••• 2606" in page and change.actor.email in page


def test_the_review_screen_shows_vendors_invoices_amounts_and_why_some_are_skipped(paid_run, account, admin_client_):
    page = admin_client_.get(reverse("payouts:run_detail", args=[paid_run.pk])).content.decode()
    lumen = paid_run.lines.get(vendor__name="Lumen")
    for item in lumen.items.select_related("invoice"):
        assert item.invoice.number in page
    assert "48.00 EUR" in page and "FR14 •••• •••• 2606" in page
    assert "No bank details: add the vendor&#x27;s bank details to pay it." in page

    download = admin_client_.get(reverse("payouts:file_download", args=[paid_run.pk, paid_run.files.get().pk]))
    assert download["Content-Disposition"] == 'attachment; filename="PAYOUT-0001-EUR.xml"'
    assert VENDOR_IBANS[0] in download.content.decode() and download["Cache-Control"] == "no-store"


def test_mark_failed_and_sent_through_the_pages(paid_run, account, admin_client_):
    lumen = paid_run.lines.get(vendor__name="Lumen")
    admin_client_.post(reverse("payouts:line_mark_failed", args=[paid_run.pk, lumen.pk]), {"reason": "Account closed"})
    admin_client_.post(reverse("payouts:run_mark_sent", args=[paid_run.pk]))

    lumen.refresh_from_db()
    paid_run.refresh_from_db()
    assert lumen.status == "failed" and paid_run.status == PayoutRunStatus.SENT and not PayoutPayment.objects.exists()
    history = admin_client_.get(reverse("payouts:vendor_history", args=[lumen.vendor_id])).content.decode()
    assert "PAYOUT-0001" in history and "Account closed" in history


def test_starting_a_run_with_nothing_due_says_so(books, admin_client_):
    payouts_setup(books)
    response = admin_client_.post(reverse("payouts:run_create"), follow=True)
    assert "Nothing is due: no synced, unpaid invoice was issued 14 or more days ago." in response.content.decode()


def test_list_pages_keep_their_query_count(paid_run, account, admin_client_, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        admin_client_.get(reverse("payouts:run_list"))
    with django_assert_max_num_queries(20):
        admin_client_.get(reverse("payouts:run_detail", args=[paid_run.pk]))


def test_a_connection_allowed_without_the_payments_scope_is_explained_not_used(books, account, admin_client_, settings):
    # given Xero connected by Onport's consent before it asked for payments (the books fixture ran before this)
    books.xero_account.scopes = [
        scope for scope in books.xero_account.scopes if scope not in ("accounting.transactions", "accounting.payments")
    ]
    books.xero_account.save(update_fields=["scopes"])
    payouts_setup(books, delay_days=0)
    synced_invoices(books, payee(books, account, name="Lumen", iban=VENDOR_IBANS[0]))

    page = admin_client_.get(reverse("payouts:setup")).content.decode()
    response = admin_client_.post(reverse("payouts:run_create"), follow=True)

    assert "reconnect the Xero account (Integrations &gt; Xero) and allow payments" in page
    assert "allow payments, then run payouts." in response.content.decode()
    assert not account.payout_runs.exists()


def test_opening_payout_pages_writes_no_settings(books, account, admin_client_):
    account.plan = Plan.ADVANCE
    account.save()
    PayoutSettings.objects.filter(account=account).delete()

    for name in ("payouts:setup", "payouts:run_list"):
        assert admin_client_.get(reverse(name)).status_code == 200, name
    assert not PayoutSettings.objects.filter(account=account).exists()


def test_a_bank_reason_too_long_is_refused_in_words_and_nothing_is_marked(paid_run, admin_client_):
    lumen = paid_run.lines.get(vendor__name="Lumen")

    response = admin_client_.post(
        reverse("payouts:line_mark_failed", args=[paid_run.pk, lumen.pk]), {"reason": "x" * 300}, follow=True
    )

    assert "Say what the bank said in at most 255 characters; nothing was marked." in response.content.decode()
    lumen.refresh_from_db()
    assert lumen.status == "included"


def test_payout_runs_export_lists_every_invoice_of_every_run_masked_and_only_this_accounts(
    paid_run, account, other_account
):
    # given the run: Lumen paid for two invoices, Nobank skipped (no bank details)
    finance = _client(account, "finance")

    response = finance.get(reverse("payouts:runs_export"))

    assert response.status_code == 200 and response.streaming and response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    lumen = [row for row in rows if row["Vendor"] == "Lumen"]
    assert len(lumen) == 2 and {row["Invoice"] for row in lumen} == set(
        paid_run.lines.get(vendor__name="Lumen").items.values_list("invoice__number", flat=True)
    )
    assert {
        (row["Run"], row["Run status"], row["Currency"], row["Vendor line"], row["In the payment"], row["Bank account"])
        for row in lumen
    } == {("PAYOUT-0001", "File ready", "EUR", "To pay", "yes", "FR14 •••• •••• 2606")}
    [nobank] = [row for row in rows if row["Vendor"] == "Nobank"]
    assert nobank["In the payment"] == "no" and "No bank details" in nobank["Why not"]
    assert VENDOR_IBANS[0] not in text
    other = b"".join(_client(other_account, "admin").get(reverse("payouts:runs_export")).streaming_content).decode()
    assert other.count("\r\n") == 1  # the header alone
    assert _client(account, "viewer").get(reverse("payouts:runs_export")).status_code == 403


def test_the_invoices_history_names_the_run_that_paid_it(paid_run, account, admin_client_):
    admin_client_.post(reverse("payouts:run_mark_sent", args=[paid_run.pk]))

    lumen = paid_run.lines.get(vendor__name="Lumen")
    for item in lumen.items.select_related("invoice"):
        page = admin_client_.get(item.invoice.get_absolute_url()).content.decode()
        assert f"Marked as paid by payout run PAYOUT-0001 (paid on {paid_run.payment_date:%d %b %Y})." in page


def test_a_uk_vendors_sort_code_and_account_number_are_saved_from_the_page(books, account, admin_client_):
    vendor = payee(books, account, name="Brick", currency="GBP")
    url = reverse("payouts:vendor_bank", args=[vendor.pk])

    refused = admin_client_.post(url, {"holder_name": "Brick Ltd", "country": "GB", "account_number": "31926819"})
    assert refused.status_code == 400 and "A sort code has 6 digits, such as 60-16-13." in refused.content.decode()

    saved = admin_client_.post(
        url, {"holder_name": "Brick Ltd", "country": "gb", "account_number": "3192 6819", "bank_code": "60-16-13"}
    )
    assert saved.status_code == 302
    details = VendorBankDetails.objects.get(vendor=vendor)
    assert (details.country, details.account_number, details.bank_code, details.iban) == (
        "GB",
        "31926819",
        "601613",
        "",
    )
    page = admin_client_.get(url).content.decode()
    assert "<dt>Sort code</dt><dd>•••• 13</dd>" in page and "•••• 6819" in page and "31926819" not in page
