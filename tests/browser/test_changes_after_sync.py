"""A synced invoice amended, synced again, then voided, in a real browser: each change reaches the bill in Xero."""

import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounting.sync.models import AccountingSync
from integrations.services import xero_client
from integrations.xero.bank_accounts import bank_accounts
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bill_when(books, bill_id: str, condition, seconds: float = 15.0) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        bill = next(bill for bill in books.bills() if bill["InvoiceID"] == bill_id)
        if condition(bill) or time.monotonic() > deadline:
            return bill
        time.sleep(0.2)


def test_finance_amends_syncs_again_and_voids_and_the_bill_follows(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(4, "12.50"), (2, "7.00")]))
    finance = MembershipFactory(account=account, role="finance").user
    login(page, finance.email)
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)
    sync = AccountingSync.objects.get(invoice=invoice)
    total_before = invoice.total
    assert Decimal(str(_bill_when(books, sync.xero_id, lambda bill: True)["Total"])) == total_before

    # Amend: the page says the bill changed since it was synced; sync accounting updates it in Xero
    page.locator("summary", has_text="Amend").click()
    amend = page.locator("form[aria-label='Amend']")
    amend.locator("input[type=number]").first.fill("1")
    amend.get_by_label("Reason").fill("Vendor short-shipped")
    amend.get_by_role("button", name="Amend invoice").click()
    expect(page.locator("#sync-panel")).to_contain_text("Changed since synced")
    invoice.refresh_from_db()
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)
    bill = _bill_when(books, sync.xero_id, lambda bill: Decimal(str(bill["Total"])) == invoice.total)
    assert Decimal(str(bill["Total"])) == invoice.total < total_before

    # Void: the draft bill is deleted in Xero (an approved one would be voided)
    page.locator("summary", has_text="Void this invoice").click()
    void = page.locator("form[aria-label='Void invoice']")
    void.get_by_label("Reason").fill("Ordered twice")
    void.get_by_role("button", name="Void invoice").click()
    expect(page.locator("#sync-panel")).to_contain_text("Bill deleted (it was a draft) in Xero.", timeout=15_000)
    assert _bill_when(books, sync.xero_id, lambda bill: bill["Status"] == "DELETED")["Status"] == "DELETED"
    assert len(books.bills()) == 1
    page.screenshot(path="/tmp/onport-void-after-sync.png", full_page=True)


def test_mark_paid_with_payments_on_records_the_payment_on_the_bill(page, login, live_server, settings, books, account):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.XERO_LEGACY_SCOPES = True  # the grant must include payments (see tests/accounting/test_payouts.py)
    bank = next(bank for bank in bank_accounts(xero_client(books.xero_account)) if bank.code == "090")
    books.settings.record_payments = True
    books.settings.payment_account_id, books.settings.payment_account_code = bank.account_id, bank.code
    books.settings.save()
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "15.00")]))
    login(page, MembershipFactory(account=account, role="finance").user.email)
    page.goto(f"{live_server.url}{invoice.get_absolute_url()}")
    page.get_by_role("button", name="sync accounting").click()
    expect(page.get_by_role("link", name="View in Xero")).to_be_visible(timeout=15_000)
    sync = AccountingSync.objects.get(invoice=invoice)

    page.get_by_role("button", name="Mark paid").click()

    expect(page.locator("#bill-payment")).to_contain_text(f"{invoice.total} recorded", timeout=15_000)
    bill = _bill_when(books, sync.xero_id, lambda bill: bill["Status"] == "PAID")
    assert bill["Status"] == "PAID" and Decimal(str(bill["AmountPaid"])) == invoice.total
