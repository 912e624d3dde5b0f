"""Row locks under real concurrency: several threads, each with its own PostgreSQL connection."""

from decimal import Decimal

import pytest
from django.db import connection

from invoicing import services
from invoicing.models import PurchaseInvoice
from invoicing.errors import InvoicingError
from tests.fixtures.threads import at_once
from tests.factories import AccountFactory, VendorFactory, order_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock concurrency needs PostgreSQL"),
]


def test_invoice_numbers_stay_unique_and_gapless_under_concurrency():
    account = AccountFactory()
    vendor = VendorFactory(account=account)
    orders = [order_create(vendor=vendor, lines=[(1, "1.00")]) for _ in range(8)]

    results, errors = at_once(
        8,
        lambda index: (
            services.invoice_create(
                account=account, order=orders[index], quantities={orders[index].lines.get().id: 1}
            ).number
        ),
    )

    assert errors == []
    assert sorted(results) == [f"INV-{n:06d}" for n in range(1, 9)]


def test_two_invoices_racing_for_the_last_units_cannot_both_win():
    account = AccountFactory()
    order = order_create(vendor=VendorFactory(account=account), lines=[(5, "2.00")], shipping="0.00")
    line_id = order.lines.get().id

    results, errors = at_once(
        4, lambda index: services.invoice_create(account=account, order=order, quantities={line_id: 5})
    )

    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(error, InvoicingError) for error in errors)
    assert PurchaseInvoice.objects.get(order=order).total == Decimal("12.00")
