"""Many organisations with backlogs sharing Xero's app-wide limit, while people press sync accounting.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/fairness.py --organisations 30 --app-limit 180 --duration 240

Xero's app-wide limit is 10,000 calls a minute for 2,000 organisations or more; one machine cannot drive
that many calls, so the run is scaled: N organisations (copies of the sandbox's UK organisation, each
with its own 60-calls-a-minute budget) share an app-wide limit set to what the workers here can carry,
with demand (N × 60 calls a minute) well above it, as 2,000 organisations' backlogs (120,000) are above
10,000. Everything is the real thing: the sandbox counts and refuses, Onport's limiter shares the app
budget in Redis, and `celery worker` processes drain the organisations (background workers take both
queues, one worker only the urgent one, as docker-compose runs them).

Above 50 organisations (or with --fast-setup) the set-up is done in bulk, as it is not what is measured: the
sandbox's organisations in one call, a token pair per organisation from the sandbox's set-up endpoint (each its
own Xero user's consent and grant, refreshing and rotating on its own), accounts, invoices, Xero accounts,
vendor links and outbox rows in bulk inserts for all of them, and no Xero call, so no minute to wait out. The
set-up time is printed on its own line. For Xero's figure of 2,000 organisations:

    .venv/bin/python benchmarks/fairness.py --organisations 2000 --invoices 100 --duration 300 --port 8797

(about 3 to 4 minutes of set-up here; 100 invoices are two calls' worth, more than an organisation's share of
the run's calls.)

Every organisation's invoices wait as a backfill. Every `--manual-every` seconds a person presses sync
accounting on one waiting invoice of a random organisation. Prints the wait from the press to the bill
in Xero (p50, p99, max), the app-wide calls per minute against the limit once the run is warm, 429s by
Xero's reason, and how evenly the organisations were served.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import time
from collections import Counter
from datetime import datetime

from harness import (
    ROOT,
    books_ready,
    books_ready_many,
    django_setup,
    outbox_fill,
    outbox_fill_many,
    sandbox_admin,
    sandbox_start,
)
from tests.fixtures.workers import celery_worker_argv  # harness puts the project on sys.path

WARM_UP = 60.0  # seconds before the steady state is measured (the first minute's budgets are fresh)
FAST_SETUP_ABOVE = 50  # organisations: connecting each through consent, exchange and tenant choice takes seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=30)
    parser.add_argument("--invoices", type=int, default=400, help="backlog per organisation")
    parser.add_argument("--app-limit", type=int, default=180, help="app-wide calls per minute (Xero: 10,000)")
    parser.add_argument("--latency-ms", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of backlog and manual syncs")
    parser.add_argument("--manual-every", type=float, default=2.0, help="seconds between manual syncs")
    parser.add_argument("--workers", type=int, default=4, help="background worker processes (each --concurrency 3)")
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument(
        "--fast-setup",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"set up in bulk: sandbox grants and bulk inserts, no Xero call (default: above "
        f"{FAST_SETUP_ABOVE} organisations); --no-fast-setup connects each one through the real flow",
    )
    args = parser.parse_args()
    if args.fast_setup is None:
        args.fast_setup = args.organisations > FAST_SETUP_ABOVE
    os.environ.update(
        {
            "XERO_CALLS_PER_MINUTE": "60",
            "XERO_CONCURRENT_CALLS": "5",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "XERO_APP_CALLS_PER_MINUTE": str(args.app_limit),
            "XERO_APP_RESERVE": str(max(1, args.app_limit * 2 // 100)),  # 200 of 10,000, scaled
        }
    )
    django_setup()
    run(args)


def run(args) -> None:
    from accounting.outbox.models import Priority
    from accounting.sync.models import AccountingSync
    from accounting.sync.services import sync_request
    from accounting.sync.tasks import xero_drain
    from integrations.xero.ratelimit import limits_reset
    from integrations.xero.sandbox import seed
    from onport.celery import app

    server = sandbox_start(
        args.port, "--rate-per-minute", "60", "--day-limit", "1000000", "--latency-ms", str(args.latency_ms)
    )
    workers = []
    try:
        sandbox_admin(server, "POST", "config", {"app_rate_per_minute": args.app_limit})
        started = time.perf_counter()
        tenants = [
            seed.UK_TENANT_ID,
            *sandbox_admin(server, "POST", "organisations", {"copies": args.organisations - 1})["tenants"],
        ]
        copies_took = time.perf_counter() - started
        if args.fast_setup:  # what is measured is the same: real organisations, tokens, drain, workers and HTTP
            books = books_ready_many(server, tenants=tenants, invoices=args.invoices, name="Fair Retail")
            outbox_fill_many(books, priority=Priority.BACKFILL)
        else:
            books = [
                books_ready(server, invoices=args.invoices, name="Fair Retail", tenant_id=tenant, reset_limits=False)
                for tenant in tenants
            ]
            for account, xero_account in books:
                outbox_fill(account, xero_account)
                AccountingSync.objects.filter(account=account).update(priority=Priority.BACKFILL)
        took = time.perf_counter() - started
        print(
            f"set-up ({'fast: sandbox grants, bulk inserts' if args.fast_setup else 'each organisation connected'}): "
            f"{len(books)} organisations × {args.invoices} invoices in {took:.0f} s "
            f"({took / len(books):.3f} s per organisation; the sandbox's organisations {copies_took:.1f} s), "
            f"not part of the measurement"
        )
        limits_reset()
        if not args.fast_setup:
            time.sleep(WARM_UP + 2)  # the calls made while connecting leave every window (the fast set-up makes none)
        app.control.purge()
        workers = workers_start(args.workers)
        time.sleep(5)  # the workers connect to the broker
        since = sandbox_admin(server, "GET", "requests?path_prefix=/api.xro")["requests"]
        first_request = since[-1]["id"] if since else 0
        for _, xero_account in books:
            xero_drain.apply_async((xero_account.pk,), priority=8)

        waits, pending_manual = manual_syncs(args, books, sync_request)
        requests = sandbox_admin(server, "GET", f"requests?path_prefix=/api.xro&since={first_request}")["requests"]
        report(args, books, waits, pending_manual, requests)
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        server.stop()


def workers_start(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onport.settings_test"}
    background = [celery_worker_argv(name=f"fair{index}", concurrency=3) for index in range(count)]
    urgent = celery_worker_argv(name="fair-urgent", concurrency=2, queues="xero-urgent")
    return [
        subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        for argv in [*background, urgent]
    ]


def manual_syncs(args, books, sync_request) -> tuple[list[float], int]:
    """Press sync accounting on a waiting invoice of a random organisation every few seconds; the waits."""
    from accounting.sync.models import AccountingSync

    chance = random.Random(2026)
    asked: dict[int, float] = {}  # row id -> when the person pressed the button
    waits: list[float] = []
    ends = time.perf_counter() + args.duration
    next_press = time.perf_counter() + WARM_UP  # people start once the backlogs have used the fresh minute
    while time.perf_counter() < ends or (asked and time.perf_counter() < ends + 120):
        now = time.perf_counter()
        if now >= next_press and now < ends:
            account, _ = chance.choice(books)
            row = AccountingSync.objects.filter(account=account, state="pending").order_by("?").first()
            if row is not None:
                sync_request(invoice=row.invoice, actor=None)
                asked[row.pk] = time.perf_counter()
            next_press = now + args.manual_every
        for row_id in AccountingSync.objects.filter(pk__in=list(asked), state="synced").values_list("pk", flat=True):
            waits.append(time.perf_counter() - asked.pop(row_id))
        time.sleep(0.1)
    return waits, len(asked)


def report(args, books, waits, pending_manual, requests) -> None:
    # the steady state: after the first minute's fresh budgets and the burst when they first free again
    times = [datetime.fromisoformat(r["time"]).timestamp() for r in requests]
    start = min(times, default=0)
    steady_from = 2 * WARM_UP
    # demand above the limit lasts while every organisation has a backlog left: measured until one is done
    first_done = backlog_ends(args, requests, times) - start
    steady_to = min(args.duration, first_done)
    sent = bills_sent(requests, times, until=start + args.duration)
    tenants = [xero_account.tenant_id.lower() for _, xero_account in books]
    measured = tenants
    if steady_to <= steady_from:
        # With thousands of organisations a backlog of a few calls goes in an organisation's first turns, long before
        # the steady state: measured to the end, the evenness among the organisations still waiting when it began.
        steady_to = args.duration
        sent_before = bills_sent(requests, times, until=start + steady_from)
        measured = [tenant for tenant in tenants if sent_before[tenant] < args.invoices]
    steady = [t for t in times if start + steady_from <= t <= start + steady_to]
    minutes = max((steady_to - steady_from) / 60, 1e-9)
    per_minute = len(steady) / minutes
    throttled = Counter(r.get("rate_limit_problem") or "?" for r in requests if r["status"] == 429)
    steady_puts = [
        r
        for r, t in zip(requests, times)
        if start + steady_from <= t <= start + steady_to and r["method"] == "PUT" and r["status"] == 200
    ]
    bills = Counter({tenant: 0 for tenant in measured})
    for request in steady_puts:
        tenant = (request["tenant_id"] or "").lower()
        if tenant in bills:
            bills[tenant] += len(request["json"]["Invoices"])
    served = sorted(bills.values()) or [0]
    jain = sum(served) ** 2 / (len(served) * sum(n * n for n in served)) if any(served) else 0
    # Bills go in whole calls (up to 50 each): with fewer calls than organisations, as with thousands of them,
    # even the most even service leaves some without one, and the index can reach only this:
    calls, organisations = sum(1 for r in steady_puts if (r["tenant_id"] or "").lower() in bills), max(len(served), 1)
    fewest, more = divmod(calls, organisations)
    best = calls**2 / (organisations * (more * (fewest + 1) ** 2 + (organisations - more) * fewest**2)) if calls else 0
    print(
        f"\n== {len(books)} organisations, app-wide limit {args.app_limit} calls/min "
        f"(demand {len(books) * 60}/min), {args.latency_ms / 1000:g} s per call, "
        f"{args.workers}×3 background + 1×2 urgent worker processes =="
    )
    if waits:
        ordered = sorted(waits)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(
            f"manual syncs: {len(waits)} sent, wait from the press to the bill in Xero: "
            f"p50 {statistics.median(ordered):.1f} s, p99 {p99:.1f} s, max {ordered[-1]:.1f} s; "
            f"not sent by the end: {pending_manual}"
        )
    print(
        f"the whole run: {sum(1 for tenant in tenants if sent[tenant])} of {len(tenants)} organisations got a bill, "
        f"{sum(1 for tenant in tenants if sent[tenant] >= args.invoices)} sent their whole backlog"
    )
    if steady_to < args.duration:
        print(f"the first organisation's backlog was done at {steady_to:.0f} s: measured until then")
    elif measured is not tenants:
        print(
            f"the first organisation's backlog was done at {first_done:.0f} s, before the steady state: measured "
            f"to the end, bills over the {len(measured)} organisations still waiting at {steady_from:.0f} s "
            f"(demand {len(measured) * 60:,}/min)"
        )
    print(
        f"app-wide calls from {steady_from:.0f} s to {steady_to:.0f} s: {per_minute:,.0f}/min "
        f"= {per_minute / args.app_limit:.1%} of the limit"
    )
    print(f"429s: {sum(throttled.values())} {dict(throttled)}")
    print(
        f"bills per organisation from {steady_from:.0f} s to {steady_to:.0f} s: min {served[0]}, median {served[len(served) // 2]}, max {served[-1]}; "
        f"Jain's fairness index {jain:.3f} (1 = perfectly even; {best:.3f} for the most even split of "
        f"those {calls} calls)"
    )


def bills_sent(requests, times, *, until: float) -> Counter:
    """Bills each organisation (by tenant id) got into Xero until `until`."""
    sent: Counter = Counter()
    for request, moment in zip(requests, times):
        if request["method"] == "PUT" and request["status"] == 200 and moment <= until:
            sent[(request["tenant_id"] or "").lower()] += len(request["json"]["Invoices"])
    return sent


def backlog_ends(args, requests, times) -> float:
    """When the first organisation had sent its whole backlog (infinity if none did)."""
    sent: Counter = Counter()
    for request, moment in zip(requests, times):
        if request["method"] == "PUT" and request["status"] == 200:
            tenant = (request["tenant_id"] or "").lower()
            sent[tenant] += len(request["json"]["Invoices"])
            if sent[tenant] >= args.invoices:
                return moment
    return float("inf")


if __name__ == "__main__":
    main()
