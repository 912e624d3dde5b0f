"""Several worker processes need a token at once: exactly one refresh per expiry, never invalid_grant."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the row-lock refresh is tested on PostgreSQL"),
]

WORKERS = 4
SECONDS = 10
TOKEN_TTL = 6  # refreshed when half is left: a call may take 3 s to reach Xero on a busy machine and still be valid


def _worker_env() -> dict:
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    names = [
        "XERO_CLIENT_ID",
        "XERO_CLIENT_SECRET",
        "XERO_TOKEN_URL",
        "XERO_REVOKE_URL",
        "XERO_AUTHORIZE_URL",
        "XERO_API_BASE",
    ]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onport.settings_test",
        "DATABASE_URL": database_url,
        **{name: getattr(settings, name) for name in names},
    }


def test_concurrent_processes_refresh_exactly_once_per_expiry(xero_sandbox, connect_xero, account):
    # given a tiny token lifetime and strict rotation (a used refresh token is refused at once)
    xero_sandbox.configure(token_ttl=TOKEN_TTL, refresh_grace_seconds=0, rate_per_minute=100_000, concurrent_limit=50)
    admin = MembershipFactory(account=account, role="admin").user
    xero_account = connect_xero(account=account, user=admin)
    requests_before = len(xero_sandbox.requests())

    # when four processes call Xero in a loop across several expiries
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integrations.token_worker", str(xero_account.pk), str(SECONDS)],
            env=_worker_env(),
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    outputs = [worker.communicate(timeout=SECONDS + 60) for worker in workers]

    # then every call worked, and the refreshes were one per expiry
    for stdout, stderr in outputs:
        assert "errors=[]" in stdout, stdout + stderr
        assert int(stdout.split("calls=")[1].split()[0]) > 10
    received = xero_sandbox.requests()[requests_before:]
    token_calls = [r for r in received if r["path"] == "/connect/token"]
    assert token_calls and all(r["status"] == 200 for r in token_calls)
    assert not [r for r in received if r["status"] == 401], [
        (r["time"][14:23], r["path"][-12:], r["status"], r.get("response"))
        for r in received
        if r["status"] != 200 or "token" in r["path"]
    ]
    times = [datetime.datetime.fromisoformat(r["time"]) for r in token_calls]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:])]
    assert all(gap > TOKEN_TTL / 4 for gap in gaps), gaps  # never two refreshes for one expiry
    assert 2 <= len(token_calls) <= SECONDS // (TOKEN_TTL / 2) + 1
