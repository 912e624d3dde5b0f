"""A separate worker process for the concurrency tests: drains one Xero account once and prints the report.

Run as `python -m tests.accounting.drain_worker XERO_ACCOUNT_ID` with DATABASE_URL at the test database.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onport.settings_test")
    import django

    django.setup()
    from accounting.sync.outbox import drain

    report = drain(xero_account_id=int(sys.argv[1]))
    print(f"synced={report.synced} batches={report.batches} notes={report.notes}", flush=True)


if __name__ == "__main__":
    main()
