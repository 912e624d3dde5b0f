"""Login lockout (django-axes): two limits, the page a locked-out person sees, and lifting a lockout.

Axes counts failed logins per username and IP address (`AXES_LOCKOUT_PARAMETERS`) against one limit. Onport
adds a second, higher limit per username from anywhere, so guessing one person's password from many addresses
is stopped too, while a colleague mistyping on the office's shared address does not lock out everyone there.
"""

import ipaddress

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, locked also when a username reaches `LOCKOUT_USERNAME_FAILURE_LIMIT` from anywhere.

    Axes compares `get_failures` with `AXES_FAILURE_LIMIT`; a username over its own limit answers that limit.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        from_here = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if not username:
            return from_here
        recent = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        anywhere = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if anywhere >= settings.LOCKOUT_USERNAME_FAILURE_LIMIT:
            return max(from_here, get_failure_limit(request, credentials))
        return from_here


def client_ip(request: HttpRequest) -> str | None:
    """`AXES_CLIENT_IP_CALLABLE`: REMOTE_ADDR; behind the TLS proxy (TRUST_PROXY_HEADERS) the address that proxy
    appended last to X-Forwarded-For, the one entry a client cannot write (those before it are the client's own).

    Behind a proxy REMOTE_ADDR is the proxy's, the same for everyone: counted by it, five wrong passwords from
    anywhere would lock a person out.
    """
    if getattr(settings, "TRUST_PROXY_HEADERS", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """`AXES_LOCKOUT_CALLABLE`: the app's page, not axes' bare line of text, with axes' status (429)."""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "onport/login_locked.html",
        {"cool_off_minutes": minutes, "username": get_client_username(request, credentials) or ""},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def user_lockout_clear(*, user: AbstractBaseUser) -> int:
    """Forget the user's failed logins from every address (they proved they own the email); returns how many."""
    return reset(username=user.get_username())
