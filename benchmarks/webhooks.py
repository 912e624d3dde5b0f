"""Xero's webhooks at volume: a person pays many bills in Xero; how fast does Onport answer Xero, how many calls
does it make to read the bills back, and how long until every invoice page says "Paid in Xero".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/webhooks.py --invoices 2000 --paid 1000 --latency-ms 2000

The sandbox runs in its own process and posts signed webhooks to Onport's endpoint, served here by a threaded
WSGI server; a loop in a thread stands in for the Celery worker that processes the events. The bills are
synced first (their CREATE events are Onport's own echoes: not read back), then Xero's own limits (60 calls a
minute, 5 in flight) and `--latency-ms` per call apply.
"""

import argparse
import os
import statistics
import threading
import time

os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # the endpoint only queues; the loop below processes
os.environ["CELERY_BROKER_URL"] = "memory://"

from harness import books_ready, django_setup, outbox_fill, sandbox_admin, sandbox_start  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--paid", type=int, default=1000, help="bills a person pays in Xero, one by one")
    parser.add_argument("--latency-ms", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--onport-port", type=int, default=8796)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.core import mail
    from django.core.wsgi import get_wsgi_application
    from django.urls import reverse
    from werkzeug.serving import make_server

    settings.XERO_CALLS_PER_MINUTE = 100_000
    settings.ALLOWED_HOSTS = ["*"]
    mail.outbox = []
    onport = make_server(
        "127.0.0.1", args.onport_port, get_wsgi_application(), threaded=True, request_handler=_quiet_handler()
    )
    threading.Thread(target=onport.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{args.onport_port}{reverse('xero_webhook')}"
    server = sandbox_start(
        args.port,
        "--rate-per-minute",
        "1000000",
        "--concurrent-limit",
        "100",
        "--day-limit",
        "1000000",
        "--webhook-url",
        url,
        "--webhook-key",
        settings.XERO_WEBHOOK_KEY,
    )
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(stop,), daemon=True)
    worker.start()
    try:
        run(args, server)
    finally:
        stop.set()
        server.stop()
        onport.shutdown()


def _quiet_handler():
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args) -> None:
            pass

    return Quiet


def _worker(stop: threading.Event) -> None:
    from django.db import connection

    from accounting.reconcile.webhooks import webhook_events_process

    while not stop.is_set():
        webhook_events_process()
        time.sleep(0.05)
    connection.close()


def _reads(server, since: int) -> list[dict]:
    requests = sandbox_admin(server, "GET", f"requests?path_prefix=/api.xro/2.0/Invoices&since={since}")["requests"]
    return [request for request in requests if request["method"] == "GET" and "IDs" in request["query"]]


def run(args, server) -> None:
    from django.conf import settings
    from django.core import mail

    from accounting.reconcile.models import BillSeen, DriftNotice
    from accounting.setup.models import AccountingSettings
    from accounting.sync.models import AccountingSync
    from accounting.sync.outbox import drain
    from integrations.models import XeroWebhookEvent

    subscription = sandbox_admin(server, "GET", "webhooks")["subscriptions"][0]
    print(f"webhook: {subscription['status']} {subscription['problem']}")
    started = time.perf_counter()
    account, xero_account = books_ready(server, invoices=args.invoices, name="Webhook Retail")
    AccountingSettings.objects.filter(account=account).update(bill_status="AUTHORISED")
    outbox_fill(account, xero_account)
    while drain(xero_account_id=xero_account.pk).batches:
        pass
    sandbox_admin(server, "POST", "webhooks/idle", {"timeout": 120})
    time.sleep(1)
    print(
        f"set-up: {AccountingSync.objects.filter(account=account, state='synced').count()} bills synced in "
        f"{time.perf_counter() - started:.0f} s; {XeroWebhookEvent.objects.count()} CREATE events received, "
        f"{len(_reads(server, 0))} read back (Onport's own echoes)"
    )

    settings.XERO_CALLS_PER_MINUTE = 60
    time.sleep(62)  # the set-up's calls leave both windows
    sandbox_admin(server, "POST", "config", {"rate_per_minute": 60, "concurrent_limit": 5})
    sandbox_admin(server, "POST", "faults", {"latency_ms": args.latency_ms})
    since = sandbox_admin(server, "GET", "requests")["requests"][-1]["id"]
    delivered = sandbox_admin(server, "GET", "webhooks")["deliveries"][-1]["number"]
    bill_ids = list(AccountingSync.objects.filter(account=account).order_by("id").values_list("xero_id", flat=True))
    tenant = xero_account.tenant_id
    first = time.perf_counter()
    for bill_id in bill_ids[: args.paid]:
        sandbox_admin(server, "POST", f"orgs/{tenant}/invoices/{bill_id}/pay", {})
    last = time.perf_counter()
    while BillSeen.objects.filter(sync__account=account, status="PAID").count() < args.paid:
        if time.perf_counter() - last > 600:
            break
        time.sleep(0.2)
    done = time.perf_counter()
    time.sleep(1)

    deliveries = [
        d for d in sandbox_admin(server, "GET", f"webhooks?since={delivered}")["deliveries"] if d["kind"] == "events"
    ]
    answers = sorted(d["elapsed_ms"] for d in deliveries)
    seen = BillSeen.objects.filter(sync__account=account, status="PAID").count()
    print(
        f"\n== {args.paid} bills paid in Xero one by one over {last - first:.1f} s; "
        f"{args.latency_ms / 1000:g} s per Xero call, 60 calls a minute =="
    )
    print(
        f"deliveries: {len(deliveries)} ({sum(d['events'] for d in deliveries)} events), all 200 empty: "
        f"{all(d['ok'] for d in deliveries)}; Onport answered in p50 {statistics.median(answers):.0f} ms, "
        f"max {answers[-1]:.0f} ms"
    )
    print(f"Onport's reads by id: {len(_reads(server, since))} calls for {seen} bills now seen as paid")
    print(f"all seen {done - last:.1f} s after the last payment ({done - first:.1f} s after the first)")
    told = DriftNotice.objects.filter(xero_account=xero_account, difference="paid_in_xero").count()
    print(f"drift: {told} invoices told as paid in Xero, in {len(mail.outbox)} emails")


if __name__ == "__main__":
    main()
