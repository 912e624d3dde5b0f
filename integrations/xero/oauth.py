"""OAuth 2.0 with Xero: authorize URL (state + PKCE), code exchange, refresh under a lock, revoke.

The SDK has no code-exchange helper and hard-codes Xero's token URLs, so `_TokenApi` extends its
`TokenApi` with our settings' URLs and the exchange; every request still goes through the SDK's client.
"""

import base64
import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from xero_python.api_client.oauth2 import TokenApi

from integrations.models import XeroAccount
from integrations.xero.errors import XeroAuthError, translate
from integrations.xero.sdk import request_timeout, sdk_api_client

MAX_REFRESH_MARGIN = datetime.timedelta(minutes=5)


def scopes() -> list[str]:
    """Only what Onport uses: bills and credit notes (invoices), payments (payout runs, invoices marked paid),
    contacts (read and create), the chart of accounts and tax rates (settings, read), attachments (the invoice
    document on its bill)."""
    invoices = (
        ["accounting.transactions"] if settings.XERO_LEGACY_SCOPES else ["accounting.invoices", "accounting.payments"]
    )
    return ["offline_access", *invoices, "accounting.contacts", "accounting.settings.read", "accounting.attachments"]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(*, state: str, redirect_uri: str, code_challenge: str | None) -> str:
    params = {
        "response_type": "code",
        "client_id": settings.XERO_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes()),
        "state": state,
    }
    if code_challenge:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    return f"{settings.XERO_AUTHORIZE_URL}?{urlencode(params)}"


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime.datetime
    scopes: list[str]

    @property
    def auth_event_id(self) -> str:
        return str(access_token_claims(self.access_token).get("authentication_event_id", ""))


def access_token_claims(access_token: str) -> dict:
    """The claims of Xero's JWT access token (read, not verified: it came straight from Xero over TLS)."""
    try:
        payload = access_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class _TokenApi(TokenApi):
    def __init__(self):
        super().__init__(sdk_api_client(), settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET)
        self.refresh_token_url = settings.XERO_TOKEN_URL
        self.revoke_token_url = settings.XERO_REVOKE_URL

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str | None) -> dict:
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        response, _status, _headers = self.api_client.call_api(
            settings.XERO_TOKEN_URL,
            "POST",
            header_params={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {basic}",
            },
            post_params=form,
            auth_settings=None,
            _preload_content=False,
            _request_timeout=request_timeout(),
        )
        return self.parse_token_response(response)


def _token_set(data: dict) -> TokenSet:
    return TokenSet(
        access_token=data["access_token"],
        refresh_token=data.get("refresh_token") or "",
        expires_at=timezone.now() + datetime.timedelta(seconds=int(data.get("expires_in", 1800))),
        scopes=str(data.get("scope", "")).split(),
    )


def token_exchange(*, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
    try:
        return _token_set(_TokenApi().exchange_code(code, redirect_uri, code_verifier))
    except Exception as error:  # translated: callers only see XeroError
        raise translate(error) from error


def token_refresh(*, refresh_token: str, scopes: list[str]) -> TokenSet:
    try:
        return _token_set(_TokenApi().refresh_token(refresh_token, scopes))
    except Exception as error:  # translated: callers only see XeroError
        raise translate(error) from error


def token_revoke(*, refresh_token: str) -> None:
    try:
        _TokenApi().revoke_token(refresh_token)
    except Exception as error:  # translated: callers only see XeroError
        raise translate(error) from error


def token_expiry(xero_account: XeroAccount) -> datetime.datetime:
    """When the grant's access token ends. Tokens are always saved with their expiry; a grant without one
    counts as ended (refreshed, or reconnected), never as a crash."""
    return xero_account.token_expires_at or timezone.now()


def refresh_margin(xero_account: XeroAccount) -> datetime.timedelta:
    """Refresh this long before expiry: 5 minutes, or half of a (test-sized) short lifetime."""
    issued = xero_account.token_refreshed_at or xero_account.connected_at or timezone.now()
    lifetime = token_expiry(xero_account) - issued
    return min(MAX_REFRESH_MARGIN, max(lifetime / 2, datetime.timedelta(0)))


def xero_account_access_token(*, xero_account_id: int, rejected: str = "") -> XeroAccount:
    """The Xero account row with an access token that is good for a while; refreshed at most once.

    The row lock (held across the refresh call, on purpose) makes every other worker wait and then
    re-read the rotated token instead of refreshing the same refresh token again. `rejected` is an
    access token Xero just answered 401 to: refresh unless someone already replaced it.
    """
    with transaction.atomic():
        xero_account = XeroAccount.objects.select_for_update().get(pk=xero_account_id)
        if not xero_account.has_grant:
            raise XeroAuthError(f"{xero_account.name} is not connected to Xero.")
        now = timezone.now()
        stale = rejected and rejected == xero_account.access_token
        if not stale and token_expiry(xero_account) - now > refresh_margin(xero_account):
            return xero_account
        if not xero_account.refresh_token:
            raise XeroAuthError(
                f"The 30-minute access to Xero for {xero_account.name} has ended. Reconnect to continue."
            )
        try:
            tokens = token_refresh(refresh_token=xero_account.refresh_token, scopes=xero_account.scopes)
        except XeroAuthError as refused:
            raise XeroAuthError(
                f"Xero no longer accepts Onport's connection for {xero_account.name}. An admin must reconnect it."
            ) from refused
        xero_account.access_token = tokens.access_token
        xero_account.refresh_token = tokens.refresh_token
        xero_account.token_expires_at = tokens.expires_at
        xero_account.scopes = tokens.scopes or xero_account.scopes
        xero_account.token_refreshed_at = now
        xero_account.save(
            update_fields=[
                "access_token",
                "refresh_token",
                "token_expires_at",
                "scopes",
                "token_refreshed_at",
                "updated_at",
            ]
        )
        return xero_account
