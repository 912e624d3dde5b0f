"""GET /healthz for load balancers: the database, Redis and the Celery broker answer, or which one does not.

No login, no account, no redirect to HTTPS (SECURE_REDIRECT_EXEMPT). The answer names each check and, for a
failed one, only the kind of error: messages can carry URLs with passwords in them.
"""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onport.celery import app as celery_app

TIMEOUT_SECONDS = 1.5


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"  # the zero-setup demo: cache and locks live in the process
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _broker() -> str:
    timeouts = {"socket_connect_timeout": TIMEOUT_SECONDS, "socket_timeout": TIMEOUT_SECONDS}  # Redis transport
    with celery_app.connection_for_write(connect_timeout=TIMEOUT_SECONDS, transport_options=timeouts) as broker:
        broker.ensure_connection(max_retries=0, timeout=TIMEOUT_SECONDS)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "redis": _redis, "broker": _broker}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception as error:  # any failure is the answer itself, by its kind only
            checks[name] = f"error: {type(error).__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
