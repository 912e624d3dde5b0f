"""The vendor's invoice file, uploaded on the invoice page, is on the bill in Xero after sync accounting."""

import time

import pytest
from playwright.sync_api import expect

from accounting.sync.models import AccountingSync
from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_uploads_the_vendors_pdf_and_the_bill_carries_it(
    page, login, live_server, settings, books, account, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    books.settings.attach_documents = True
    books.settings.save()
    vendor = VendorFactory(account=account, name="Acme Packaging")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "12.50")]))
    vendor_file = tmp_path / "FAC-2291.pdf"
    vendor_file.write_bytes(b"%PDF-1.4 Acme's own invoice FAC-2291")
    login(page, MembershipFactory(account=account, role="finance").user.email)
    page.goto(invoice.get_absolute_url())

    page.locator("#invoice-document summary").click()
    page.get_by_label("Vendor's invoice file (PDF, PNG or JPEG, up to 10 MB)").set_input_files(str(vendor_file))
    page.get_by_role("button", name="Upload the vendor's file").click()
    expect(page.locator("#invoice-document")).to_contain_text("The vendor's file FAC-2291.pdf")
    page.get_by_role("button", name="sync accounting").click()
    expect(page.locator("#bill-document")).to_contain_text(f"{invoice.number}.pdf", timeout=15_000)

    bill_id = AccountingSync.objects.get(invoice=invoice).xero_id
    deadline = time.monotonic() + 10
    while True:
        state = books.sandbox.state(books.xero_account.tenant_id)
        org = state["orgs"][books.xero_account.tenant_id] if "orgs" in state else state
        attachments = org["attachments"].get(bill_id, [])
        if attachments or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    [attachment] = attachments
    assert attachment["FileName"] == f"{invoice.number}.pdf"
    assert attachment["ContentLength"] == vendor_file.stat().st_size
