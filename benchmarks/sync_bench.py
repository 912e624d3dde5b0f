"""Sync many invoices (5 lines + shipping each) to the Xero sandbox and print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/sync_bench.py --invoices 10000
    … --invoices 3000 --real-limits     # the sandbox and Onport at Xero's 60 calls/min
    … --invoices 3000 --coding          # with tracking rules on both categories and half the SKUs in a category

Prints bills/s end to end and of Onport's own work (this process's CPU time: the sandbox runs in its
own process), Xero calls per 1,000 bills, SQL queries per batch, and this worker's peak memory.
"""

import argparse
import resource
import time

from harness import (
    bills_in_sandbox,
    books_ready,
    django_setup,
    outbox_fill,
    sandbox_start,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--real-limits", action="store_true", help="60 calls per minute, like Xero")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--coding", action="store_true", help="tracking rules and product-category codes")
    args = parser.parse_args()

    import os

    os.environ.setdefault("XERO_CALLS_PER_MINUTE", "60" if args.real_limits else "100000")
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounting.sync.outbox import drain
    from accounting.sync.models import AccountingSync

    limits = (
        ["--rate-per-minute", "60"]
        if args.real_limits
        else ["--rate-per-minute", "1000000", "--concurrent-limit", "100"]
    )
    settings.XERO_CALLS_PER_MINUTE = 60 if args.real_limits else 100_000
    server = sandbox_start(args.port, *limits, "--day-limit", "1000000")
    try:
        started = time.perf_counter()
        account, xero_account = books_ready(server, invoices=args.invoices, name="Benchmark Retail")
        if args.coding:
            print(f"coding depth: {_coding_depth(account, xero_account)}")
        rows = outbox_fill(account, xero_account)
        print(f"set-up: {rows} invoices in {time.perf_counter() - started:.1f} s")
        calls_before = len(_api_calls(server))

        wall, cpu = time.perf_counter(), time.process_time()
        batches = 0
        with CaptureQueriesContext(connection) as queries:
            while AccountingSync.objects.filter(account=account, state__in=["pending", "unknown"]).exists():
                report = drain(xero_account_id=xero_account.pk)
                batches += report.batches
                if report.retry_at or not report.batches:
                    time.sleep(0.5)  # as the Celery task would: come back when the rate limit allows
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

        synced = AccountingSync.objects.filter(account=account, state="synced").count()
        answered = _api_calls(server)[calls_before:]
        calls = len(answered)
        in_sandbox = bills_in_sandbox(server, xero_account.tenant_id)
        bills = len(in_sandbox)
        print(f"bills synced: {synced} (bills in the sandbox: {bills})")
        if args.coding:
            tracked = sum(
                1 for bill in in_sandbox if all(len(line.get("Tracking") or []) == 2 for line in bill["LineItems"])
            )
            coded = sum(1 for bill in in_sandbox for line in bill["LineItems"] if line.get("AccountCode") == "310")
            print(f"bills with both tracking options on every line: {tracked}; lines coded 310: {coded}")
        print(f"end to end: {synced / wall:,.0f} bills/s ({synced / wall * 60:,.0f} bills/min) in {wall:.1f} s")
        print(f"Onport's own work: {synced / cpu:,.0f} bills/s of CPU ({cpu:.1f} s CPU)")
        print(
            f"Xero calls: {calls} = {calls * 1000 / max(synced, 1):.1f} per 1,000 bills "
            f"({sum(1 for r in answered if r['status'] == 429)} answered 429)"
        )
        print(f"SQL queries: {len(queries)} in {batches} batches = {len(queries) / max(batches, 1):.1f} per batch")
        print(f"worker peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        server.stop()


def _coding_depth(account, xero_account) -> str:
    """Tracking on both of the organisation's categories (a default and a rule per vendor kind) and every other
    SKU of the account's orders in a product category coded to its own account."""
    from accounting.setup.models import AccountingSettings, CategoryAccountCode
    from accounting.setup.tracking import TrackingRuleInput, tracking_rule_save
    from integrations.xero.sandbox import seed
    from invoicing.models import Product, ProductCategory, PurchaseOrderLine

    settings = AccountingSettings.objects.get(account=account)
    key = seed.org_key(seed.UK_TENANT_ID)
    for category, option, applies_to in (
        ("Sales channel", "Online", "default"),
        ("Region", "North", "vendor_kind:dropship"),
        ("Region", "South", "vendor_kind:replenishment"),
    ):
        option_id = seed.stable_id(key, "tracking-option", category, option)
        tracking_rule_save(settings=settings, data=TrackingRuleInput(option_id=option_id, applies_to=applies_to))
    apparel = ProductCategory.objects.create(account=account, name="Apparel")
    CategoryAccountCode.objects.create(account=account, xero_account=xero_account, category=apparel, account_code="310")
    skus = sorted(set(PurchaseOrderLine.objects.filter(account=account).values_list("sku", flat=True)))[::2]
    Product.objects.bulk_create(Product(account=account, sku=sku, category=apparel) for sku in skus)
    return f"3 tracking rules, {len(skus)} SKUs in a category coded 310"


def _api_calls(server) -> list:
    from harness import sandbox_admin

    return sandbox_admin(server, "GET", "requests?path_prefix=/api.xro")["requests"]


if __name__ == "__main__":
    main()
