"""GET /metrics for Prometheus: django-prometheus' request metrics, Onport's counters, and gauges read from
the database at scrape time (`SCRAPED`: apps register their collectors there in `ready()`).

Counters are incremented in gunicorn and Celery processes alike. With PROMETHEUS_MULTIPROC_DIR set (a
directory shared by every process of one host, emptied before they start) each process writes its values
there and any scrape adds them up; without it a scrape shows its own process only.

Not public: with METRICS_TOKEN set, a scrape must send `Authorization: Bearer <METRICS_TOKEN>`; without it the
view answers only under DEBUG. Metrics name Xero accounts' activity and volumes, and every scrape queries
the database, so an open /metrics would leak business figures and invite load.
"""

import hmac
import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

SCRAPED = CollectorRegistry(auto_describe=False)  # computed per scrape, in the scraped process only


def metrics_registry() -> CollectorRegistry:
    """Every process's counters (multiprocess mode), else this process's."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:  # as prometheus_client decides, when first imported
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return settings.DEBUG
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        if not settings.METRICS_TOKEN:
            raise Http404  # no token configured outside DEBUG: metrics are off
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    body = generate_latest(metrics_registry()) + generate_latest(SCRAPED)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
