"""One log line and the counters for every HTTP request Onport sends to Xero.

`instrument` wraps the SDK's REST client, the one place every request passes through (API calls, token
exchange and refresh, revocation, attachments), so no call can go unseen. What is recorded: the Xero account,
the tenant, the method and path (never query values, headers or bodies: tokens and personal data live there),
the status, the duration and what Xero says is left of its budgets.
"""

import logging
import time
from urllib.parse import urlsplit

from prometheus_client import Counter
from xero_python.exceptions import ApiException

logger = logging.getLogger("onport.xero")

XERO_CALLS = Counter("onport_xero_calls", "HTTP requests sent to Xero", ["method", "status_class"])
XERO_RATE_LIMITED = Counter("onport_xero_rate_limited", "429 answers from Xero, by the limit it named", ["limit"])

# log field -> Xero's response header
BUDGET_FIELDS = {
    "min_limit_remaining": "X-MinLimit-Remaining",
    "day_limit_remaining": "X-DayLimit-Remaining",
    "app_min_limit_remaining": "X-AppMinLimit-Remaining",
}


def instrument(rest_client, *, xero_account_id: int | None = None) -> None:
    """Record every request `rest_client` (xero-python's RESTClientObject) sends, for this Xero account."""
    send = rest_client.request

    def request(method, url, query_params=None, headers=None, *args, **kwargs):
        started = time.monotonic()
        response, error = None, ""
        try:
            response = send(method, url, query_params, headers, *args, **kwargs)
            return response
        except ApiException as raised:  # a non-2xx answer: the response rides on the exception
            response, error = raised.http_resp, type(raised).__name__
            raise
        except Exception as raised:  # no answer at all (timeout, dropped connection): recorded, then re-raised
            error = type(raised).__name__
            raise
        finally:
            xero_call_record(
                method=method,
                url=url,
                tenant_id=(headers or {}).get("xero-tenant-id") or "",
                xero_account_id=xero_account_id,
                response=response,
                error=error,
                duration_ms=(time.monotonic() - started) * 1000,
            )

    rest_client.request = request  # GET/PUT/… call self.request: the instance attribute is what they find


def xero_call_record(
    *, method: str, url: str, tenant_id: str, xero_account_id: int | None, response, error: str, duration_ms: float
) -> None:
    status = getattr(response, "status", None) or None
    fields = {
        "xero_account_id": xero_account_id,
        "tenant_id": tenant_id,
        "method": method.upper(),
        "path": urlsplit(url).path,
        "status": status,
        "duration_ms": round(duration_ms, 1),
        **{name: _int_header(response, header) for name, header in BUDGET_FIELDS.items()},
    }
    if status == 429:
        fields["retry_after"] = _header(response, "Retry-After")
        fields["rate_limit_problem"] = (_header(response, "X-Rate-Limit-Problem") or "").lower()
        XERO_RATE_LIMITED.labels(limit=fields["rate_limit_problem"] or "unknown").inc()
    if error and status is None:
        fields["error"] = error
    XERO_CALLS.labels(method=fields["method"], status_class=f"{status // 100}xx" if status else "no_answer").inc()
    level = logging.WARNING if status is None or status == 429 or status >= 500 else logging.INFO
    logger.log(
        level,
        "xero call %s %s -> %s in %.0f ms (xero_account=%s tenant=%s)",
        fields["method"],
        fields["path"],
        status or error,
        duration_ms,
        xero_account_id,
        tenant_id or "-",
        extra=fields,
    )


def _header(response, name: str) -> str | None:
    """A response header, from the SDK's response wrapper or a raw urllib3 response alike."""
    raw = getattr(response, "urllib3_response", response)
    headers = getattr(raw, "headers", None)
    return headers.get(name) if headers is not None else None


def _int_header(response, name: str) -> int | None:
    value = _header(response, name)
    return int(value) if value and value.isascii() and value.isdigit() else None
