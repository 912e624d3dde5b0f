"""The one door to Xero's APIs: a client per Xero account, built fresh for each use.

Tokens come from `oauth.xero_account_access_token` (refreshed under a row lock, never by the SDK on its
own); SDK and urllib3 errors leave as the typed errors of `errors.py`.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.identity import IdentityApi

from integrations.models import XeroAccount
from integrations.xero import oauth
from integrations.xero.errors import (
    UNREADABLE,
    XeroAuthError,
    XeroLookupRefused,
    XeroNotFound,
    XeroRateLimited,
    XeroTokenRejected,
    translate,
)
from integrations.xero.ratelimit import APP_WAITS, URGENT, RateLimiter, Share
from integrations.xero.sdk import request_timeout, sdk_api_client
from integrations.xero.values import text, xero_date

T = TypeVar("T")


@dataclass(frozen=True)
class XeroConnection:
    id: str
    tenant_id: str
    tenant_name: str
    tenant_type: str
    auth_event_id: str


@dataclass(frozen=True)
class XeroOrganisation:
    name: str
    short_code: str
    base_currency: str
    period_lock_date: datetime.date | None
    end_of_year_lock_date: datetime.date | None


class _LockedRefreshToken(OAuth2Token):
    """The SDK's token, with its own refresh routed through our row-locked refresh."""

    def __init__(self, client: "XeroClient"):
        super().__init__(settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET, expiration_buffer=0)
        self._client = client

    def refresh_access_token(self, api_client) -> bool:
        self._client._reload(rejected=self.access_token)
        self.update_token(**self._client._token_dict())
        return True


class XeroClient:
    """Xero for one Xero account, for one job: build a new one per task or request (one ApiClient per use).

    `share` says how much of the shared day and app budgets the calls must leave to more urgent ones.
    `on_auth_error(xero_account_id, problem)` is told when Xero no longer accepts the grant (the caller
    decides what that means, e.g. "reconnect needed"); the error is raised all the same.
    """

    def __init__(
        self,
        xero_account: XeroAccount,
        *,
        max_wait: float = 30.0,
        on_auth_error: Callable[[int, str], None] | None = None,
        share: Share = URGENT,
    ):
        self.xero_account = xero_account
        self.max_wait = max_wait  # how long a call may wait for the shared rate limit before giving up
        self.share = share  # what the calls leave of the day's and the app's budgets (a drain sets it per batch)
        # A call waited for the app's minute, shared with other organisations (a drain then gives its turn up).
        self.waited_for_app = False
        self.on_auth_error = on_auth_error
        self.calls = 0  # requests sent to Xero through this client (a job reports what it cost)
        self._api = sdk_api_client(
            token_getter=self._token_dict, oauth2_token=_LockedRefreshToken(self), xero_account_id=xero_account.pk
        )

    # -- tokens ---------------------------------------------------------------------------------
    def _reload(self, rejected: str = "") -> None:
        self.xero_account = oauth.xero_account_access_token(xero_account_id=self.xero_account.pk, rejected=rejected)

    def _token_dict(self) -> dict:
        account = self.xero_account
        if not account.has_grant or oauth.token_expiry(account) - timezone.now() <= oauth.refresh_margin(account):
            self._reload()
            account = self.xero_account
        expires_at = oauth.token_expiry(account)
        return {
            "access_token": account.access_token,
            "refresh_token": account.refresh_token or None,
            "scope": list(account.scopes),
            "expires_at": expires_at.timestamp(),
            "expires_in": max(int((expires_at - timezone.now()).total_seconds()), 0),
            "token_type": "Bearer",
        }

    @property
    def accounting(self) -> AccountingApi:
        return AccountingApi(self._api, base_url=f"{settings.XERO_API_BASE}/api.xro/2.0")

    @property
    def identity(self) -> IdentityApi:
        return IdentityApi(self._api, base_url=settings.XERO_API_BASE)

    def call(self, request: Callable[[], T], *, tenant_id: str | None = None) -> T:
        """Run one SDK request inside the organisation's shared rate limit (accounting calls name a tenant).

        A 401 refreshes the token once and retries; a 429 blocks the organisation for Retry-After;
        errors leave typed.
        """
        limiter = RateLimiter(tenant_id, self.share) if tenant_id else None
        rejected = ""
        for attempt in (1, 2):
            try:
                if rejected:
                    self._reload(rejected=rejected)
                used = self.xero_account.access_token
                if limiter is None:
                    self.calls += 1
                    return request()
                try:
                    with limiter.slot(max_wait=self.max_wait):
                        self.calls += 1
                        result = request()
                finally:
                    self.waited_for_app |= bool(limiter.waited_for & APP_WAITS)
                limiter.observe(_budgets_left(self._api))
                return result
            except Exception as raw:  # translated below: callers only see XeroError
                error = translate(raw, organisation=self.xero_account.tenant_name or "Xero")
                if isinstance(error, XeroRateLimited) and limiter and not error.problem.startswith("onport"):
                    limiter.block(error.retry_after, app_wide=error.problem == "appminute")
                if isinstance(error, XeroTokenRejected) and attempt == 1:
                    rejected = used
                    continue
                if isinstance(error, XeroTokenRejected):
                    error = XeroAuthError("Xero keeps refusing Onport's access token. An admin must reconnect.")
                if isinstance(error, XeroAuthError) and self.on_auth_error is not None:
                    self.on_auth_error(self.xero_account.pk, error.message)
                raise error from raw
        raise AssertionError("unreachable")

    def lookup(self, request: Callable[[], T], *, tenant_id: str) -> T:
        """A list call (`call` otherwise): Xero's 404 to one means it refused the search itself, as it does
        when a URL is too long; it is neither "nothing found" nor an outage to wait out."""
        try:
            return self.call(request, tenant_id=tenant_id)
        except XeroNotFound as error:
            organisation = self.xero_account.tenant_name or "Xero"
            raise XeroLookupRefused(
                f"{organisation} would not answer Onport's search for documents it may already hold "
                "(Xero answered “not found” to the search itself)."
            ) from error

    def refresh_now(self) -> XeroAccount:
        """Refresh the grant now (keep-alive), under the row lock like every refresh."""
        self.call(lambda: self._reload(rejected=self.xero_account.access_token))
        return self.xero_account

    # -- identity -------------------------------------------------------------------------------
    def connections(self, *, auth_event_id: str = "") -> list[XeroConnection]:
        kwargs = {"auth_event_id": auth_event_id} if auth_event_id else {}
        rows = self.call(lambda: self.identity.get_connections(**kwargs, _request_timeout=request_timeout()))
        return [_connection(row) for row in rows]

    def connection_delete(self, connection_id: str) -> None:
        self.call(lambda: self.identity.delete_connection(connection_id, _request_timeout=request_timeout()))

    # -- accounting -----------------------------------------------------------------------------
    def organisation(self, tenant_id: str | None = None) -> XeroOrganisation:
        """Read from Xero's JSON, not the SDK's model: that refuses an edition (`Version`) or other enum value
        newer than the SDK (XERO.md §11), and none of those matter for choosing the Tenant."""
        tenant = tenant_id or self.xero_account.tenant_id
        raw = self.call(
            lambda: self.accounting.get_organisations(
                tenant, _preload_content=False, _request_timeout=request_timeout()
            ),
            tenant_id=tenant,
        )
        try:
            org = json.loads(raw.data)["Organisations"][0]
            return XeroOrganisation(
                name=text(org.get("Name")),
                short_code=text(org.get("ShortCode")),
                base_currency=text(org.get("BaseCurrency")),
                period_lock_date=xero_date(org.get("PeriodLockDate")),
                end_of_year_lock_date=xero_date(org.get("EndOfYearLockDate")),
            )
        except UNREADABLE as error:
            raise translate(error, organisation=self.xero_account.tenant_name or "Xero") from error


BUDGET_HEADERS = {"minute": "X-MinLimit-Remaining", "app": "X-AppMinLimit-Remaining", "day": "X-DayLimit-Remaining"}


def _budgets_left(api_client: ApiClient) -> dict[str, int]:
    """What Xero's last answer says is left of each budget (headers it did not send are left out)."""
    response = getattr(api_client, "last_response", None)
    if response is None:
        return {}
    values = {name: response.getheader(header) for name, header in BUDGET_HEADERS.items()}
    return {name: int(value) for name, value in values.items() if value and value.isascii() and value.isdigit()}


def connections_for_new_grant(tokens: oauth.TokenSet, *, auth_event_id: str) -> list[XeroConnection]:
    """The organisations a consent just allowed, read with its fresh token before we store it."""
    token = {
        "access_token": tokens.access_token,
        "scope": tokens.scopes,
        "expires_at": tokens.expires_at.timestamp(),
        "expires_in": 1800,
        "token_type": "Bearer",
    }
    api_client = sdk_api_client(token_getter=lambda: token)
    kwargs = {"auth_event_id": auth_event_id} if auth_event_id else {}
    try:
        rows = IdentityApi(api_client, base_url=settings.XERO_API_BASE).get_connections(
            **kwargs, _request_timeout=request_timeout()
        )
    except Exception as raw:  # translated: callers only see XeroError
        raise translate(raw) from raw
    return [_connection(row) for row in rows]


def _connection(row) -> XeroConnection:
    return XeroConnection(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        tenant_name=text(row.tenant_name),
        tenant_type=text(row.tenant_type),
        auth_event_id=text(row.auth_event_id),
    )
