"""A separate worker process for the token concurrency test: calls Xero in a loop until told to stop.

Run as `python -m tests.integrations.token_worker XERO_ACCOUNT_ID SECONDS` with DATABASE_URL pointing at
the test database and the XERO_* settings at the sandbox. Prints one line: calls made, errors seen.
"""

import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onport.settings_test")
    import django

    django.setup()
    from integrations.models import XeroAccount
    from integrations.xero.client import XeroClient
    from integrations.xero.errors import XeroError

    xero_account_id, seconds = int(sys.argv[1]), float(sys.argv[2])
    calls, errors = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client = XeroClient(XeroAccount.objects.get(pk=xero_account_id))  # a fresh client per job, like a task
        try:
            client.organisation()
            calls += 1
        except XeroError as error:
            errors.append(f"{type(error).__name__}: {error.message}")
        time.sleep(0.05)
    print(f"calls={calls} errors={errors!r}", flush=True)


if __name__ == "__main__":
    main()
