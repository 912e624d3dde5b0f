"""A worker process for the rate-limit test: takes N call slots for one organisation, prints when it held each.

Run as `python -m tests.integrations.limiter_worker TENANT CALLS HOLD_SECONDS` with REDIS_URL and the
XERO_CALLS_PER_MINUTE / XERO_CONCURRENT_CALLS / XERO_RATE_WINDOW_SECONDS settings in the environment.
"""

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onport.settings_test")
    import django

    django.setup()
    from integrations.xero.ratelimit import RateLimiter

    tenant, calls, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    held = []
    for _ in range(calls):
        with RateLimiter(tenant).slot(max_wait=60) as counted_at:
            time.sleep(hold)
            held.append((counted_at, time.time()))
    print(json.dumps(held), flush=True)


if __name__ == "__main__":
    main()
