"""Setup > Payouts → bank details → a payout run → the file → marked sent → payments on the bills in Xero, in a browser."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounting.payouts.models import PaymentState, PayoutPayment, PayoutSettings
from invoicing.models import InvoiceStatus, PurchaseInvoice
from tests.accounting.test_payouts import (
    EURO_BANK,
    VENDOR_IBANS,
    payee,
    payouts_setup,
    synced_invoices,
    xero_payments,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def payments_scope(settings):
    """Payments need accounting.payments (or the legacy accounting.transactions); see tests/accounting/test_payouts.py."""
    settings.XERO_LEGACY_SCOPES = True


def test_an_admin_sets_up_payouts_runs_one_downloads_the_file_and_marks_it_sent(
    page, login, live_server, settings, books, account
):
    settings.PUBLIC_BASE_URL = live_server.url
    books.settings.bill_status = "AUTHORISED"
    books.settings.save()
    vendor = payee(books, account, name="Lumen Lighting")
    invoices = synced_invoices(books, vendor, 2, days_ago=10)
    books.sandbox.add_bank_account(books.xero_account.tenant_id, **EURO_BANK)  # the organisation's EUR account
    login(page, books.admin.email)

    # Setup > Payouts: schedule, delay, Xero bank accounts (main, and one for EUR invoices), minimum, our bank details
    page.goto("/setup/payouts/")
    page.get_by_role("combobox", name="Schedule").select_option("weekly")
    page.get_by_label("Pay invoices this many days after they are issued").fill("7")
    page.get_by_label("Record payments from (Xero bank account)").select_option(
        label="090 – Business Bank Account (GBP)"
    )
    page.get_by_label("Pay EUR invoices from").select_option(label="095 – Euro Account (EUR)")
    page.get_by_label("Minimum amount per vendor").fill("10.00")
    page.get_by_label("Your account holder name").fill("Demo Retail Ltd")
    page.get_by_label("Your IBAN").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_label("Your BIC").fill("COBADEFFXXX")
    page.get_by_role("button", name="Save payout settings").click()
    expect(page.get_by_text("Payout settings saved.")).to_be_visible()
    assert PayoutSettings.objects.get(account=account).bank_account_code == "090"

    # the vendor's bank details: a typo is explained, the right IBAN is shown masked
    page.goto(f"/setup/payouts/vendors/{vendor.pk}/bank/")
    page.get_by_label("Account holder").fill("Lumen Lighting SARL")
    page.get_by_label("IBAN").fill("FR14 2004 1010 0505 0001 3M02 607")
    page.get_by_role("button", name="Save bank details").click()
    expect(page.get_by_text("This IBAN's check digits do not match")).to_be_visible()
    page.get_by_label("IBAN").fill("FR14 2004 1010 0505 0001 3M02 606")
    page.get_by_label("BIC").fill("BNPAFRPP")
    page.get_by_role("button", name="Save bank details").click()
    expect(page.locator("#masked-iban")).to_have_text("FR14 •••• •••• 2606")

    # a payout run: review, approve, download the SEPA file
    page.goto("/setup/payouts/runs/")
    page.get_by_role("button", name="Start a payout run").click()
    expect(page.get_by_role("heading", name="PAYOUT-0001")).to_be_visible()
    lines = page.locator("#payout-lines")
    expect(lines).to_contain_text("Lumen Lighting")
    for invoice in invoices:
        expect(lines).to_contain_text(invoice.number)
    expect(lines).to_contain_text("48.00 EUR")
    page.get_by_role("button", name="Approve and make the payment file").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PAYOUT-0001-EUR.xml").click()
    with open(download_info.value.path(), encoding="utf-8") as downloaded:
        content = downloaded.read()
    assert "<NbOfTxs>1</NbOfTxs>" in content and "<CtrlSum>48.00</CtrlSum>" in content and VENDOR_IBANS[0] in content

    # marked sent: the invoices are paid and each bill has its payment in Xero
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.locator("#run-status")).to_have_text("Sent to the bank")
    expect(page.locator("#payments-in-xero")).to_contain_text("2 recorded", timeout=15_000)
    page.screenshot(path="/tmp/onport-payouts.png", full_page=True)

    assert {row.status for row in PurchaseInvoice.objects.filter(pk__in=[i.pk for i in invoices])} == {
        InvoiceStatus.PAID
    }
    rows = list(PayoutPayment.objects.all())
    assert {row.state for row in rows} == {PaymentState.SYNCED}
    payments = xero_payments(books)
    assert sorted(p["Invoice"]["InvoiceID"] for p in payments) == sorted(row.bill_id for row in rows)
    assert all(Decimal(str(p["Amount"])) == Decimal("24.00") and p["Account"]["Code"] == "095" for p in payments)
    assert {bill["Status"] for bill in books.bills()} == {"PAID"}


def test_a_run_with_a_bill_still_draft_in_xero_shows_it_as_not_payable(page, login, live_server, books, account):
    payouts_setup(books)  # bills AUTHORISED from here on
    vendor = payee(books, account, name="Lumen Lighting", iban=VENDOR_IBANS[0])
    [approved] = synced_invoices(books, vendor, days_ago=20)
    books.settings.bill_status = "DRAFT"
    books.settings.save()
    [draft] = synced_invoices(books, vendor, days_ago=20)
    login(page, books.admin.email)

    page.goto("/setup/payouts/")
    expect(page.locator("#bills-as-draft")).to_contain_text("creates bills as Draft")
    page.goto("/setup/payouts/runs/")
    page.get_by_role("button", name="Start a payout run").click()

    lines = page.locator("#payout-lines")
    expect(lines).to_contain_text(f"{draft.number} not payable yet")
    expect(lines).to_contain_text("approve it in Xero")
    expect(lines).to_contain_text(f"{approved.number} ({approved.total})")
    page.screenshot(path="/tmp/onport-run-not-payable.png", full_page=True)
