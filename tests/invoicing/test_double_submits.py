"""A form that creates money or Xero documents, submitted twice (double click, resent page, two tabs at once),
does its work once: the second submit is told where the first one's result is."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounting.sync.models import AccountingSync, SyncKind, SyncState
from accounting.sync.outbox import drain
from invoicing.models import InvoiceAdjustment, InvoiceStatus, PurchaseInvoice, PurchaseOrder
from onport.models import SubmitToken
from onport.submits import submit_tokens_prune
from tests.fixtures.threads import at_once
from tests.invoicing.test_order_views import order_post
from tests.factories import VendorFactory, invoice_create, order_create


def _token(page: str) -> str:
    return page.split('name="submit_token" value="')[1].split('"')[0]


def _adjustment(token: str) -> dict:
    return {"kind": "credit", "amount": "12.00", "reason": "Damaged lamp", "submit_token": token}


@pytest.fixture
def issued_invoice(account):
    invoice = invoice_create(order=order_create(vendor=VendorFactory(account=account)))
    PurchaseInvoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.ISSUED)
    return invoice


@pytest.mark.django_db
def test_an_adjustment_submitted_twice_is_added_once(finance_client, issued_invoice):
    page = finance_client.get(issued_invoice.get_absolute_url()).content.decode()
    token = _token(page)
    url = reverse("invoicing:invoice_adjustment_add", args=[issued_invoice.pk])

    first = finance_client.post(url, _adjustment(token))
    second = finance_client.post(url, _adjustment(token), follow=True)

    assert first.status_code == 302 and second.status_code == 200
    assert "This was already submitted, so nothing was done twice." in second.content.decode()
    assert second.redirect_chain[-1][0] == issued_invoice.get_absolute_url()
    assert InvoiceAdjustment.objects.filter(invoice=issued_invoice).count() == 1
    # the page offers a new token for the next adjustment
    assert _token(finance_client.get(issued_invoice.get_absolute_url()).content.decode()) != token


@pytest.mark.django_db
def test_a_refused_submit_can_be_corrected_and_sent_with_the_same_token(finance_client, issued_invoice):
    token = _token(finance_client.get(issued_invoice.get_absolute_url()).content.decode())
    url = reverse("invoicing:invoice_adjustment_add", args=[issued_invoice.pk])
    PurchaseInvoice.objects.filter(pk=issued_invoice.pk).update(status=InvoiceStatus.DRAFT)

    refused = finance_client.post(url, _adjustment(token))
    PurchaseInvoice.objects.filter(pk=issued_invoice.pk).update(status=InvoiceStatus.ISSUED)
    accepted = finance_client.post(url, _adjustment(token))

    assert refused.status_code == 400 and accepted.status_code == 302
    assert InvoiceAdjustment.objects.filter(invoice=issued_invoice).count() == 1


@pytest.mark.django_db
def test_a_purchase_order_and_an_invoice_submitted_twice_are_created_once(finance_client, account):
    vendor = VendorFactory(account=account)
    token = _token(finance_client.get(reverse("invoicing:order_create")).content.decode())
    lamp = {"sku": "LAMP", "product_name": "Lamp", "quantity": "5", "unit_cost": "10.00", "tax_rate": "20"}
    order_form = order_post(vendor, [lamp], submit_token=token)

    answers = [finance_client.post(reverse("invoicing:order_create"), order_form) for _ in range(2)]

    [order] = PurchaseOrder.objects.filter(account=account)
    assert [answer["Location"] for answer in answers] == [order.get_absolute_url()] * 2
    page = finance_client.get(order.get_absolute_url()).content.decode()
    line = order.lines.get()
    invoice_form = {
        f"qty_{line.pk}": "2",
        "shipping": "0.00",
        "issue_date": "2026-12-02",
        "vendor_invoice_number": "",
        "submit_token": _token(page),
    }
    answers = [
        finance_client.post(reverse("invoicing:order_invoice_create", args=[order.pk]), invoice_form) for _ in range(2)
    ]

    [invoice] = PurchaseInvoice.objects.filter(order=order)
    assert [answer["Location"] for answer in answers] == [invoice.get_absolute_url()] * 2
    assert [invoice_line.quantity for invoice_line in invoice.lines.all()] == [2]


@pytest.mark.django_db
def test_tokens_are_kept_a_week(account):
    SubmitToken.objects.create(account=account, token="old")
    SubmitToken.objects.create(account=account, token="new")
    SubmitToken.objects.filter(token="old").update(created_at=timezone.now() - timezone.timedelta(days=8))

    assert submit_tokens_prune() == 1 and list(SubmitToken.objects.values_list("token", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two submits at once need PostgreSQL's row locks")
def test_two_identical_adjustments_submitted_at_once_make_one_credit_note_in_xero(books, synced_invoice):
    invoice = synced_invoice
    finance = Client()
    finance.force_login(books.admin)
    token = _token(finance.get(invoice.get_absolute_url()).content.decode())
    url = reverse("invoicing:invoice_adjustment_add", args=[invoice.pk])
    answers, errors = at_once(2, lambda _: finance.post(url, _adjustment(token)).status_code)
    AccountingSync.objects.filter(state=SyncState.PENDING).update(next_attempt_at=timezone.now())
    drain(xero_account_id=books.xero_account.pk)

    assert errors == [] and answers == [302, 302]
    assert InvoiceAdjustment.objects.filter(invoice=invoice).count() == 1
    notes = books.sandbox.state(books.xero_account.tenant_id)["orgs"][books.xero_account.tenant_id]["credit_notes"]
    [note] = notes.values()
    assert Decimal(str(note["Total"])) == Decimal("12.00")
    assert AccountingSync.objects.get(kind=SyncKind.CREDIT_NOTE).state == SyncState.SYNCED
