import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.http import HttpRequest

from invoicing.models import InvoiceStatus, PurchaseInvoice
from onport.models import Account

pytestmark = pytest.mark.django_db


def _counts():
    demo = Account.objects.get(name="Demo Retail")
    return demo.vendors.count(), demo.purchase_orders.count(), demo.purchase_invoices.count()


def test_seed_demo_is_idempotent_and_prints_the_logins(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-pass-456")
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())

    assert _counts() == first and first[0] == 15 and first[1] == 60 and 100 <= first[2] <= 140
    assert "admin@demo.test" in out.getvalue() and "another-pass-456" in out.getvalue()
    assert authenticate(HttpRequest(), username="finance@demo.test", password="another-pass-456") is not None
    statuses = set(PurchaseInvoice.objects.filter(account__name="Demo Retail").values_list("status", flat=True))
    assert statuses == {InvoiceStatus.DRAFT, InvoiceStatus.ISSUED, InvoiceStatus.PAID}
    assert Account.objects.get(name="Demo Retail").plan == "advance"


def test_seed_demo_builds_a_large_account_with_bulk_inserts(django_assert_max_num_queries):
    call_command("seed_demo", stdout=io.StringIO())

    # bulk inserts: a handful of queries per 1,000-invoice chunk (SQLite caps a statement's parameters), never per invoice
    with django_assert_max_num_queries(375):
        call_command("seed_demo", "--invoices", "1500", "--bulk-account", "Bulk Retail", stdout=io.StringIO())

    bulk = Account.objects.get(name="Bulk Retail")
    assert bulk.purchase_invoices.filter(status=InvoiceStatus.ISSUED).count() == 1500
    invoice = bulk.purchase_invoices.first()
    assert invoice.lines.count() == 6 and invoice.total == sum(line.gross_amount for line in invoice.lines.all())
