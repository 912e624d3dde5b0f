"""A disputed invoice held from payouts: a run shows it as not payable with why, pays the vendor's others, and a
released invoice is paid by the next run."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.payouts import services as payouts
from invoicing import services as invoicing
from invoicing.errors import InvoicingError
from invoicing.models import InvoiceEvent, PurchaseInvoice
from tests.accounting.test_payouts import VENDOR_IBANS, payee, payouts_setup, synced_invoices
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


def test_a_held_invoice_is_left_out_of_the_run_with_why_and_paid_once_released(books, account, finance_client):
    payouts_setup(books, delay_days=0)
    vendor = payee(books, account, name="Lumen", iban=VENDOR_IBANS[0])
    disputed, fine = synced_invoices(books, vendor, 2, days_ago=20)
    response = finance_client.post(
        reverse("invoicing:invoice_payout_hold", args=[disputed.pk]),
        {"reason": "Two cartons arrived damaged"},
        follow=True,
    )
    assert "Held from payout runs: Two cartons arrived damaged" in response.content.decode()

    run = payouts.payout_run_create(account=account, actor=books.admin)

    [line] = run.lines.all()
    items = {item.invoice_id: item for item in line.items.all()}
    assert line.amount == items[fine.pk].amount == Decimal("24.00")
    assert not items[disputed.pk].payable
    assert items[disputed.pk].reason == "Held from payouts on its invoice page: Two cartons arrived damaged"

    finance_client.post(reverse("invoicing:invoice_payout_hold", args=[disputed.pk]), {"release": "1"})
    assert PurchaseInvoice.objects.get(pk=disputed.pk).payout_hold == ""
    assert list(
        InvoiceEvent.objects.filter(invoice=disputed, action="payout_hold")
        .values_list("message", flat=True)
        .order_by("id")
    ) == ["Held from payout runs: Two cartons arrived damaged", "Released for payout runs."]


def test_a_hold_needs_a_reason_an_issued_invoice_and_finance(account, finance_client, viewer_client, other_account):
    draft = invoice_create(order=order_create(vendor=VendorFactory(account=account)), issue=False)
    with pytest.raises(InvoicingError, match="Only an issued invoice"):
        invoicing.invoice_payout_hold_set(invoice=draft, reason="Disputed")
    issued = invoice_create(order=order_create(vendor=VendorFactory(account=account)))
    page = finance_client.post(reverse("invoicing:invoice_payout_hold", args=[issued.pk]), {"reason": " "}, follow=True)
    assert "Say why the invoice is held from payouts" in page.content.decode()
    assert (
        viewer_client.post(reverse("invoicing:invoice_payout_hold", args=[issued.pk]), {"reason": "x"}).status_code
        == 403
    )
    foreign = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    assert (
        finance_client.post(reverse("invoicing:invoice_payout_hold", args=[foreign.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert PurchaseInvoice.objects.get(pk=foreign.pk).payout_hold == ""
