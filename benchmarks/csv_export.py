"""Export CSV of Contacts > Payments on 100,000 invoices: time to the first byte, the whole file, and memory.

    createdb -h 127.0.0.1 -U postgres onport_paybench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onport_paybench .venv/bin/python benchmarks/csv_export.py

Uses the books of `payments_search.py` (written once, reused: 100,000 invoices with bills in every sync state).
Each export is requested through Django's test Client as a finance user, the file read chunk by chunk as a
browser would; the process's resident memory (VmRSS) is read before the request and after every chunk. The
figures for a tenth of the rows (a search) beside the whole export show whether memory grows with the file.
"""

import argparse
import resource
import time

from harness import django_setup


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def _export(client, label: str, query: str) -> None:
    before = _rss_mb()
    peak = before
    started = time.perf_counter()
    response = client.get(f"/contacts/payments/export.csv{query}")
    assert response.status_code == 200 and response.streaming, response.status_code
    first_byte = None
    size = rows = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        rows += chunk.count(b"\r\n")
        peak = max(peak, _rss_mb())
    response.close()
    total = time.perf_counter() - started
    print(
        f"{label:<34} {rows - 1:>8} {size / 1e6:>7.1f} {first_byte * 1000:>8.0f} {total:>7.1f} "
        f"{before:>8.0f} {peak:>8.0f} {peak - before:>7.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--other", type=int, default=5_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from payments_search import _books

    setup_test_environment()
    account, user, vendor_id = _books(args)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    client.get("/contacts/payments/")  # warm: session, templates, the connection
    print(f"{account.purchase_invoices.count()} invoices in {account.name}")
    print(
        f"{'export':<34} {'rows':>8} {'MB':>7} {'1st ms':>8} {'total s':>7} {'RSS MB':>8} {'peak MB':>8} {'growth':>7}"
    )
    _export(client, "one vendor (a search)", f"?vendor={vendor_id}")
    _export(client, "Xero: failed (a filter)", "?xero_status=failed")
    _export(client, "every invoice", "")
    _export(client, "every invoice, again", "")
    print("issue 11's target: first byte < 1 s, memory flat (growth does not follow the rows)")


if __name__ == "__main__":
    main()
