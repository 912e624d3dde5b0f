"""Chaos run: bills under 503s before and after the write, 429 bursts and a worker killed mid-run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/chaos.py --invoices 2000

Two worker processes drain at once (no shared drain lock: only row leases keep them apart); one is
killed with SIGKILL mid-run. Then the sweep and one more worker finish. It checks that the sandbox
holds exactly one bill per invoice: none missing, none twice.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from harness import (
    ROOT,
    bills_in_sandbox,
    books_ready,
    django_setup,
    outbox_fill,
    sandbox_admin,
    sandbox_start,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--kill-after", type=float, default=2.0)
    args = parser.parse_args()
    os.environ.setdefault("XERO_CALLS_PER_MINUTE", "100000")
    os.environ.setdefault("SYNC_LEASE_SECONDS", "10")
    django_setup()
    from accounting.sync.outbox import drain
    from accounting.sync.models import AccountingSync, SyncEvent
    from accounting.sync.sweep import sweep
    from accounting.sync.tasks import xero_drain  # noqa: F401 (the sweep's drains run here, below)

    server = sandbox_start(args.port, "--rate-per-minute", "1000000", "--concurrent-limit", "100", "--day-limit", "1000000")
    try:
        account, xero_account = books_ready(server, invoices=args.invoices, name="Chaos Retail")
        outbox_fill(account, xero_account)
        sandbox_admin(server, "POST", "faults", {
            "probabilities": {"503_before": 0.10, "503_after": 0.05, "429": 0.05},
            "script": ["429", "429", "429"],  # a burst first, then the random faults
            "methods": ["PUT", "POST"], "path_prefix": "/api.xro/2.0/Invoices", "seed": 2026,
        })
        env = {**os.environ, "REDIS_URL": ""}  # the two workers share no drain lock
        worker = [sys.executable, str(ROOT / "benchmarks" / "chaos_worker.py"), str(xero_account.pk)]
        started = time.perf_counter()
        workers = [subprocess.Popen(worker, env=env, cwd=ROOT) for _ in range(2)]
        time.sleep(args.kill_after)
        workers[0].send_signal(signal.SIGKILL)
        held = AccountingSync.objects.filter(account=account, state="sending").count()
        print(f"killed worker {workers[0].pid} after {args.kill_after} s; rows in flight at that moment: {held}")
        workers[1].wait(timeout=600)
        rounds = 0
        while AccountingSync.objects.filter(account=account).exclude(state="synced").exists() and rounds < 60:
            time.sleep(1)
            for xero_account_id in sweep():
                drain(xero_account_id=xero_account_id)
            rounds += 1
        elapsed = time.perf_counter() - started

        adopted = SyncEvent.objects.filter(sync__account=account, message__startswith="Found the bill").count()
        print(f"bills adopted after a lost answer or a dead worker: {adopted}")
        faults = Counter(r.get("fault") for r in sandbox_admin(server, "GET", "requests?path_prefix=/api.xro")["requests"])
        states = Counter(AccountingSync.objects.filter(account=account).values_list("state", flat=True))
        bills = bills_in_sandbox(server, xero_account.tenant_id)
        per_url = Counter(bill["Url"] for bill in bills)
        print(f"faults injected: {dict((k, v) for k, v in faults.items() if k)}")
        print(f"sync rows: {dict(states)} after {elapsed:.1f} s ({rounds} sweep rounds)")
        print(f"bills in the sandbox: {len(bills)} for {args.invoices} invoices; "
              f"urls twice: {sum(1 for n in per_url.values() if n > 1)}; missing: {args.invoices - len(per_url)}")
        ok = len(bills) == len(per_url) == args.invoices and states == Counter({"synced": args.invoices})
        print("EXACTLY ONCE: yes" if ok else "EXACTLY ONCE: NO")
        sys.exit(0 if ok else 1)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
