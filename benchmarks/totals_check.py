"""Every bill and credit note in Xero has Onport's total, to the cent: generated invoices of every kind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/totals_check.py --invoices 10000

The invoices mix tax-exclusive and tax-inclusive prices, 20 %, 5 % and 0 % lines on one invoice,
4-decimal unit costs, shipping or none, and a credit adjustment on every fifth; a second account sends
bills with no tax. All are synced through the real engine to the sandbox (in its own process), and the
script prints how many totals differ (it should print 0 for each).
"""

import argparse
import datetime
import random
import time
from decimal import Decimal

from harness import books_ready, django_setup, sandbox_admin, sandbox_start

RATES = (Decimal("20.00"), Decimal("5.00"), Decimal("0.00"))
TAX_TYPES = {Decimal("20.00"): "INPUT2", Decimal("5.00"): "RRINPUT", Decimal("0.00"): "ZERORATEDINPUT"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import os

    os.environ.setdefault("XERO_CALLS_PER_MINUTE", "100000")
    django_setup()
    from django.conf import settings

    settings.XERO_CALLS_PER_MINUTE = 100_000
    server = sandbox_start(
        args.port, "--rate-per-minute", "1000000", "--concurrent-limit", "100", "--day-limit", "1000000"
    )
    try:
        started = time.perf_counter()
        rng = random.Random(args.seed)
        taxed = _account(
            server, name="Totals Retail", invoices=args.invoices - args.invoices // 10, rng=rng, no_tax=False
        )
        untaxed = _account(server, name="Totals No Tax", invoices=args.invoices // 10, rng=rng, no_tax=True)
        print(f"set-up: {args.invoices} invoices in {time.perf_counter() - started:.1f} s")
        for account, xero_account in (taxed, untaxed):
            wall = time.perf_counter()
            bills, notes = _sync(account, xero_account)
            print(
                f"{account.name}: {bills} bills and {notes} credit notes synced in {time.perf_counter() - wall:.1f} s"
            )
        differences = _differences(server, [taxed, untaxed])
        for label, count in differences.items():
            print(f"{label}: {count}")
    finally:
        server.stop()


def _account(server, *, name: str, invoices: int, rng: random.Random, no_tax: bool):
    from accounting.setup.models import AccountingSettings, TaxRateMapping

    account, xero_account = books_ready(server, invoices=0, name=name)
    TaxRateMapping.objects.filter(xero_account=xero_account).delete()
    TaxRateMapping.objects.bulk_create(
        TaxRateMapping(account=account, xero_account=xero_account, rate=rate, tax_type=tax_type)
        for rate, tax_type in TAX_TYPES.items()
    )
    AccountingSettings.objects.filter(account=account).update(
        line_amount_type="NoTax" if no_tax else "Exclusive",
        bill_status="AUTHORISED",
        adjustments_enabled_by_staff=True,
        sync_adjustments=True,
    )
    _invoices(account, invoices, rng, no_tax=no_tax)
    return account, xero_account


def _invoices(account, count: int, rng: random.Random, *, no_tax: bool) -> None:
    """Issued invoices written in bulk, with every kind of line Onport's services make."""
    from django.db import transaction

    from invoicing.models import (
        AdjustmentKind,
        InvoiceAdjustment,
        InvoiceStatus,
        LineKind,
        PurchaseInvoice,
        PurchaseInvoiceLine,
        PurchaseOrder,
    )
    from invoicing.money import line_amounts
    from onport.services import sequence_reserve

    vendors = list(account.vendors.order_by("pk"))
    first_po = sequence_reserve(account=account, name="purchase_order", count=count)
    first_invoice = sequence_reserve(account=account, name="invoice", count=count)
    day0 = datetime.date(2026, 6, 1)
    for start in range(0, count, 1000):
        with transaction.atomic():
            indexes = range(start, min(start + 1000, count))
            orders = PurchaseOrder.objects.bulk_create(
                PurchaseOrder(
                    account=account,
                    vendor=vendors[i % len(vendors)],
                    kind=vendors[i % len(vendors)].kind,
                    number=f"PO-{1000 + first_po + i}",
                    currency="GBP",
                    shipping_cost=Decimal("0"),
                    shipping_tax_rate=Decimal("20.00"),
                    ordered_on=day0 + datetime.timedelta(days=i % 150),
                )
                for i in indexes
            )
            invoices, lines = [], []
            for order, i in zip(orders, indexes):
                include_tax = not no_tax and rng.random() < 0.4
                invoice = PurchaseInvoice(
                    account=account,
                    order=order,
                    vendor=order.vendor,
                    kind=order.kind,
                    number=f"INV-{first_invoice + i:06d}",
                    status=InvoiceStatus.ISSUED,
                    issue_date=order.ordered_on,
                    amounts_include_tax=include_tax,
                    due_date=order.ordered_on + datetime.timedelta(days=30),
                    currency="GBP",
                )
                rows = [
                    (
                        LineKind.PRODUCT,
                        f"SKU-{n}",
                        f"Product {n}",
                        rng.randint(1, 9),
                        Decimal(rng.randint(1, 2_000_000)) / Decimal(10_000),  # 4-decimal unit costs
                        Decimal("0.00") if no_tax else rng.choice(RATES),
                    )
                    for n in range(rng.randint(1, 6))
                ]
                if rng.random() < 0.7:
                    rows.append(
                        (
                            LineKind.SHIPPING,
                            "",
                            "Shipping",
                            1,
                            Decimal(rng.randint(100, 2500)) / 100,
                            Decimal("0.00") if no_tax else Decimal("20.00"),
                        )
                    )
                for kind, sku, description, quantity, unit_cost, rate in rows:
                    amounts = line_amounts(
                        quantity=quantity, unit_cost=unit_cost, tax_rate=rate, include_tax=include_tax
                    )
                    lines.append(
                        PurchaseInvoiceLine(
                            account=account,
                            invoice=invoice,
                            kind=kind,
                            sku=sku,
                            description=description,
                            quantity=quantity,
                            unit_cost=unit_cost,
                            tax_rate=rate,
                            net_amount=amounts.net,
                            tax_amount=amounts.tax,
                            gross_amount=amounts.gross,
                        )
                    )
                    invoice.subtotal += amounts.net
                    invoice.tax_total += amounts.tax
                invoice.total = invoice.subtotal + invoice.tax_total
                invoices.append(invoice)
            PurchaseInvoice.objects.bulk_create(invoices)
            for line in lines:
                line.invoice_id = line.invoice.pk
            PurchaseInvoiceLine.objects.bulk_create(lines)
            InvoiceAdjustment.objects.bulk_create(
                InvoiceAdjustment(
                    account=account,
                    invoice=invoice,
                    kind=AdjustmentKind.CREDIT,
                    reason="Damaged in transit",
                    amount=(invoice.total * Decimal(rng.randint(5, 45)) / 100).quantize(Decimal("0.01")),
                )
                for n, invoice in enumerate(invoices)
                if n % 5 == 0 and invoice.total >= Decimal("1.00")
            )


def _sync(account, xero_account) -> tuple[int, int]:
    """sync accounting for every invoice (their credits follow as credit notes), drained to the end."""
    from django.utils import timezone

    from accounting.sync.models import AccountingSync, SyncKind
    from accounting.sync.outbox import drain
    from accounting.sync.services import adjustments_request
    from invoicing.models import PurchaseInvoice

    invoices = PurchaseInvoice.objects.filter(account=account)
    now = timezone.now()
    AccountingSync.objects.bulk_create(
        (
            AccountingSync(
                account=account, xero_account=xero_account, invoice_id=pk, kind=SyncKind.BILL, next_attempt_at=now
            )
            for pk in invoices.values_list("pk", flat=True)
        ),
        batch_size=2000,
    )
    _drain_until_done(account, xero_account, drain)
    adjustments_request(invoices=list(invoices), xero_account=xero_account, how="by the benchmark")
    _drain_until_done(account, xero_account, drain)
    rows = AccountingSync.objects.filter(account=account, state="synced")
    return rows.filter(kind=SyncKind.BILL).count(), rows.filter(kind=SyncKind.CREDIT_NOTE).count()


def _drain_until_done(account, xero_account, drain) -> None:
    from django.utils import timezone

    from accounting.sync.models import AccountingSync

    while True:
        waiting = AccountingSync.objects.filter(account=account, state__in=["pending", "unknown"])
        if not waiting.exists():
            return
        waiting.update(next_attempt_at=timezone.now())  # adjustments wait a minute for their bill: not here
        report = drain(xero_account_id=xero_account.pk)
        if report.retry_at or not report.batches:
            time.sleep(0.2)


def _differences(server, accounts) -> dict[str, int]:
    from accounting.sync.models import AccountingSync, SyncKind

    counts = {
        "bills not synced": 0,
        "bill totals that differ": 0,
        "bill tax that differs": 0,
        "credit notes not synced": 0,
        "credit note totals that differ": 0,
    }
    for account, xero_account in accounts:
        org = sandbox_admin(server, "GET", f"state?tenant_id={xero_account.tenant_id}")["orgs"][xero_account.tenant_id]
        bills = {key.lower(): bill for key, bill in org["invoices"].items()}
        notes = {key.lower(): note for key, note in org["credit_notes"].items()}
        rows = AccountingSync.objects.filter(account=account).select_related("invoice", "adjustment")
        for row in rows.iterator(chunk_size=2000):
            if row.kind == SyncKind.BILL:
                bill = bills.get(row.xero_id.lower()) if row.state == "synced" else None
                if bill is None:
                    counts["bills not synced"] += 1
                    continue
                counts["bill totals that differ"] += Decimal(str(bill["Total"])) != row.invoice.total
                counts["bill tax that differs"] += Decimal(str(bill["TotalTax"])) != row.invoice.tax_total
            elif row.kind == SyncKind.CREDIT_NOTE:
                note = notes.get(row.xero_id.lower()) if row.state == "synced" else None
                if note is None:
                    counts["credit notes not synced"] += 1
                    continue
                counts["credit note totals that differ"] += Decimal(str(note["Total"])) != row.adjustment.amount
    return counts


if __name__ == "__main__":
    main()
