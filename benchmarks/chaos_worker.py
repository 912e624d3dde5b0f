"""One sync worker process for the chaos run: drains the Xero account until nothing is due (or it is killed)."""

import sys
import time

from harness import django_setup


def main() -> None:
    django_setup()
    from accounting.sync.outbox import drain
    from accounting.sync.models import AccountingSync

    xero_account_id = int(sys.argv[1])
    while AccountingSync.objects.filter(xero_account_id=xero_account_id, state__in=["pending", "unknown", "sending"]).exists():
        drain(xero_account_id=xero_account_id)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
