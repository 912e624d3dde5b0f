"""The Content-Security-Policy header: django-csp's middleware, plus Xero's consent origin in form-action.

The Connect form posts to our view, which redirects to Xero's authorize URL, and browsers apply form-action to
every redirect after a form submit. The origin is read from `settings.XERO_AUTHORIZE_URL` on each response, not
copied into `CONTENT_SECURITY_POLICY` once, so the sandbox (the demo, the tests' settings override) is allowed
exactly like the real Xero, and no other origin is.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings


def xero_authorize_origin() -> str | None:
    """`https://login.xero.com` for the real Xero; None when the setting is not an absolute http(s) URL."""
    parts = urlsplit(settings.XERO_AUTHORIZE_URL)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        origin = xero_authorize_origin()
        if origin:
            update = dict(parts.update or {})
            update["form-action"] = [*_as_list(update.get("form-action")), origin]
            parts.update = update
        return parts


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]
