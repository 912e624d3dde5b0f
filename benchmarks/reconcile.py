"""Reconcile with Xero on a large organisation: how many Xero calls, how long, and is every difference found.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/reconcile.py --invoices 10000 --latency-ms 2000

The invoices are synced through the real engine to the sandbox (in its own process, no latency while
they are sent), then a person in Xero pays some bills and part-pays others; the comparison then runs
with `--latency-ms` added to each of its calls, and the script prints its calls (Xero's 60 a minute
apply), the wall time and what it found against what was changed.
"""

import argparse
import os
import time
from collections import Counter

from harness import books_ready, django_setup, outbox_fill, sandbox_admin, sandbox_start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100, help="bills paid in Xero (as many part paid)")
    parser.add_argument("--latency-ms", type=int, default=2000, help="added to each call of the comparison")
    parser.add_argument("--port", type=int, default=8798)
    args = parser.parse_args()
    os.environ.setdefault("XERO_CALLS_PER_MINUTE", "100000")
    django_setup()
    from django.conf import settings

    settings.XERO_CALLS_PER_MINUTE = 100_000
    server = sandbox_start(
        args.port, "--rate-per-minute", "1000000", "--concurrent-limit", "100", "--day-limit", "1000000"
    )
    try:
        run(args, server)
    finally:
        server.stop()


def run(args, server) -> None:
    from django.conf import settings

    from accounting.reconcile.models import Reconciliation
    from accounting.reconcile.services import reconciliation_run
    from accounting.setup.models import AccountingSettings
    from accounting.sync.models import AccountingSync
    from accounting.sync.outbox import drain
    from invoicing.models import PurchaseInvoice

    started = time.perf_counter()
    account, xero_account = books_ready(server, invoices=args.invoices, name="Reconcile Retail")
    AccountingSettings.objects.filter(account=account).update(bill_status="AUTHORISED")
    outbox_fill(account, xero_account)
    while drain(xero_account_id=xero_account.pk).batches:
        pass
    synced = AccountingSync.objects.filter(account=account, state="synced").count()
    print(f"set-up: {synced} bills synced in {time.perf_counter() - started:.0f} s")

    bill_ids = list(AccountingSync.objects.filter(account=account).order_by("id").values_list("xero_id", flat=True))
    tenant = xero_account.tenant_id
    for index, bill_id in enumerate(bill_ids[: 2 * args.changed]):
        body = {} if index % 2 == 0 else {"amount": "1.00"}  # paid in full, or part paid
        sandbox_admin(server, "POST", f"orgs/{tenant}/invoices/{bill_id}/pay", body)

    dates = PurchaseInvoice.objects.filter(account=account).order_by("issue_date").values_list("issue_date", flat=True)
    settings.XERO_CALLS_PER_MINUTE = 60  # Xero's own limits from here on, and its latency, in a fresh minute
    time.sleep(62)  # the set-up's calls leave both windows (Onport's and the sandbox's)
    sandbox_admin(server, "POST", "config", {"rate_per_minute": 60, "concurrent_limit": 5})
    sandbox_admin(server, "POST", "faults", {"latency_ms": args.latency_ms})
    before = sandbox_admin(server, "GET", "requests?path_prefix=/api.xro")["requests"]
    since = before[-1]["id"] if before else 0
    reconciliation = Reconciliation.objects.create(
        account=account, xero_account=xero_account, date_from=dates.first(), date_to=dates.last()
    )
    wall = time.perf_counter()
    reconciliation = reconciliation_run(reconciliation_id=reconciliation.pk)
    seconds = time.perf_counter() - wall
    calls = sandbox_admin(server, "GET", f"requests?path_prefix=/api.xro&since={since}")["requests"]

    found = Counter(reconciliation.lines.values_list("difference", flat=True))
    print(
        f"\n== Reconcile with Xero: {reconciliation.invoices_expected:,} invoices, {reconciliation.bills_read:,} bills "
        f"read, {args.latency_ms / 1000:g} s per call =="
    )
    print(
        f"Xero calls: {len(calls)} (Onport counted {reconciliation.calls}); statuses {dict(Counter(c['status'] for c in calls))}"
    )
    print(f"wall time: {seconds:.1f} s")
    print(f"changed in Xero: {args.changed} paid, {args.changed} part paid; found: {dict(found)}")
    print(f"Onport payable {reconciliation.onport_payable:,} vs Xero amount due {reconciliation.xero_amount_due:,}")


if __name__ == "__main__":
    main()
