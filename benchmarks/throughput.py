"""One organisation's backlog through real Celery workers at Xero's real limits, with Xero's real latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/throughput.py --invoices 15000 --latency-ms 0,2000,5000
    … --invoices 100000 --instant --memory      # worker memory over a 100,000-invoice backfill

For each latency: a fresh sandbox and a fresh minute's budget (60 calls a rolling minute, 5 in flight, the latency added to every
API call), an account with that many issued invoices whose rows wait as a backfill, and `celery worker`
processes that drain them. Prints the time to the first 3,000 bills (the fresh minute's budget), the
sustained bills/min once Xero's minute window paces the calls (from 61 s to the end), the whole run's
bills/min, calls per 1,000 bills, 429s, the most calls in flight, and exactly-once.
"""

import argparse
import os
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta

from harness import ROOT, bills_in_sandbox, books_ready, django_setup, outbox_fill, sandbox_admin, sandbox_start
from tests.fixtures.workers import celery_worker_argv  # harness puts the project on sys.path

FIRST_MINUTE = 61.0  # Xero's window plus Onport's margin: after this the window paces every call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=15_000)
    parser.add_argument("--latency-ms", default="0,2000,5000", help="comma-separated, one run each")
    parser.add_argument("--instant", action="store_true", help="no rate limits (memory runs)")
    parser.add_argument("--memory", action="store_true", help="sample the workers' memory")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (each --concurrency 3)")
    parser.add_argument("--port", type=int, default=8796)
    args = parser.parse_args()
    os.environ["XERO_CALLS_PER_MINUTE"] = "100000" if args.instant else "60"
    os.environ["XERO_CONCURRENT_CALLS"] = "5"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    django_setup()
    for latency in [int(value) for value in args.latency_ms.split(",")]:
        run(args, latency)


def run(args, latency_ms: int) -> None:
    from accounting.outbox.models import Priority
    from accounting.sync.models import AccountingSync
    from accounting.sync.tasks import xero_drain
    from onport.celery import app

    limits = (
        ["--rate-per-minute", "1000000", "--concurrent-limit", "100"] if args.instant else ["--rate-per-minute", "60"]
    )
    server = sandbox_start(args.port, *limits, "--day-limit", "1000000", "--latency-ms", str(latency_ms))
    workers = []
    try:
        account, xero_account = books_ready(server, invoices=args.invoices, name="Throughput Retail")
        connected = time.perf_counter()
        outbox_fill(account, xero_account)
        AccountingSync.objects.filter(account=account).update(priority=Priority.BACKFILL)
        app.control.purge()
        workers = workers_start(args.workers)
        # a fresh minute: the calls made while connecting leave Xero's window (and the workers connect)
        time.sleep(max(3.0, FIRST_MINUTE + 1 - (time.perf_counter() - connected)))
        xero_drain.apply_async((xero_account.pk,), priority=8)
        timeline, peak_rss = watch(account, args)
        elapsed = timeline[-1][0]
        requests = sandbox_admin(server, "GET", "requests?path_prefix=/api.xro")["requests"]
        report(
            args, latency_ms, timeline, elapsed, requests, bills_in_sandbox(server, xero_account.tenant_id), peak_rss
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        server.stop()


def workers_start(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onport.settings_test"}
    return [
        subprocess.Popen(
            celery_worker_argv(name=f"bench{index}", concurrency=3),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index in range(count)
    ]


def watch(account, args) -> tuple[list[tuple[float, int]], int]:
    """(seconds, bills synced) every half second until every row is synced; and the workers' peak RSS."""
    from accounting.sync.models import AccountingSync

    rows = AccountingSync.objects.filter(account=account)
    started, timeline, peak = time.perf_counter(), [], 0
    while True:
        synced = rows.filter(state="synced").count()
        timeline.append((time.perf_counter() - started, synced))
        if args.memory:
            peak = max(peak, workers_rss_mb())
        if synced == args.invoices or time.perf_counter() - started > 3600:
            return timeline, peak
        stuck = rows.exclude(state__in=["synced", "pending", "sending", "unknown"]).count()
        if stuck:
            raise SystemExit(
                f"{stuck} rows ended neither synced nor on their way: {Counter(rows.values_list('state', flat=True))}"
            )
        time.sleep(0.5)


def workers_rss_mb() -> int:
    """The largest resident memory of one celery process (a pool process does the drains)."""
    out = subprocess.run(["ps", "-C", "celery", "-o", "rss="], capture_output=True, text=True).stdout.split()
    pool = subprocess.run(["pgrep", "-f", "celery -A onport worker"], capture_output=True, text=True).stdout.split()
    sizes = [int(value) for value in out]
    for pid in pool:
        try:
            with open(f"/proc/{pid}/status") as status:
                sizes += [int(line.split()[1]) for line in status if line.startswith("VmRSS")]
        except OSError:
            pass
    return max(sizes, default=0) // 1024


def report(args, latency_ms, timeline, elapsed, requests, bills, peak_rss) -> None:
    writes = [r for r in requests if r["method"] == "PUT" and r["path"].endswith("/Invoices")]
    throttled = sum(1 for r in requests if r["status"] == 429)
    first_3000 = next((t for t, synced in timeline if synced >= min(3000, args.invoices)), None)
    at_first_minute = next((synced for t, synced in timeline if t >= FIRST_MINUTE), None)
    print(
        f"\n== {args.invoices} invoices, {latency_ms / 1000:g} s per call, "
        f"{'no limits' if args.instant else '60 calls/min, 5 in flight'}, {args.workers} worker processes ×3 =="
    )
    print(f"all synced in {elapsed:.1f} s: {args.invoices / elapsed * 60:,.0f} bills/min over the whole run")
    if first_3000 is not None:
        print(f"first {min(3000, args.invoices):,} bills (the fresh minute's budget) in {first_3000:.1f} s")
    if at_first_minute is not None and elapsed > FIRST_MINUTE + 30:
        sustained = (args.invoices - at_first_minute) / (elapsed - FIRST_MINUTE) * 60
        print(f"sustained once the minute window paces the calls (61 s to the end): {sustained:,.0f} bills/min")
    calls = len(requests)
    print(
        f"Xero API calls: {calls} ({calls / args.invoices * 1000:.1f} per 1,000 bills), bill PUTs {len(writes)}, "
        f"429s {throttled}, most in flight at once {most_in_flight(requests)}"
    )
    numbers = Counter(bill["InvoiceNumber"] for bill in bills)
    print(
        f"bills in Xero: {len(bills)}, numbers twice: {sum(1 for n in numbers.values() if n > 1)}, "
        f"missing: {args.invoices - len(numbers)}"
    )
    if peak_rss:
        print(f"largest celery process RSS: {peak_rss} MB")


def most_in_flight(requests: list[dict]) -> int:
    spans = []
    for request in requests:
        ended = datetime.fromisoformat(request["time"])
        spans.append((ended - timedelta(milliseconds=request["duration_ms"]), ended))
    return max((sum(1 for start, end in spans if start <= moment < end) for moment, _ in spans), default=0)


if __name__ == "__main__":
    main()
