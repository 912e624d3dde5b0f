"""Gunicorn's settings for the image and compose (`gunicorn --config onport/gunicorn_conf.py onport.wsgi`).

The access log never holds Xero's one-time grant: the callback's query (`code`, `state`) is replaced by
`[redacted]`, in the request line, in the Referer of the requests the callback page makes (Referer-Policy
same-origin sends our own full URL, query included) and in the login page's `next` when the session ended. Only the callback's query is redacted, not every
query: it holds nothing but the grant, while the others (searches, filters, pages) are what an operator
reads the log for and carry no secret. Loaded by file path, so the gunicorn master imports nothing of Onport.
"""

import os
import re

from gunicorn.glogging import Logger

# reverse("integrations:xero_callback"); tests/onport/test_gunicorn_conf.py keeps the two equal.
XERO_CALLBACK_PATH = "/integrations/xero/callback/"
REDACTED = "[redacted]"
# With or without the slash (Django's APPEND_SLASH redirect logs the slashless form first, query and all), and
# percent-encoded inside another URL's query: a logged-out admin is sent to /login/?next=<callback>%3Fcode%3D…
_SLASH = "(?:/|%2F)"
_CALLBACK_QUERY = re.compile(
    "("
    + _SLASH
    + _SLASH.join(map(re.escape, XERO_CALLBACK_PATH.strip("/").split("/")))
    + _SLASH
    + "?)"
    + r"(?:\?[^\s\"]*|(%3F)[^\s\"&]*)",
    re.IGNORECASE,
)


def redact(value: str) -> str:
    """Every callback URL in `value` (a request line, a Referer) without its query."""
    return _CALLBACK_QUERY.sub(lambda match: f"{match[1]}{match[2] or '?'}{REDACTED}", value)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        callback = (environ.get("PATH_INFO") or "").rstrip("/") == XERO_CALLBACK_PATH.rstrip("/")
        for name, value in atoms.items():
            if not isinstance(value, str):
                continue
            if callback and name in ("q", "{query_string}e") and value:
                atoms[name] = REDACTED
            else:
                atoms[name] = redact(value)
        return atoms


logger_class = RedactingLogger
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"


def child_exit(server, worker):
    """Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR, onport/metrics.py): a dead worker's live gauges
    leave the sums. Imported here only then, so the master still imports nothing it does not need."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
