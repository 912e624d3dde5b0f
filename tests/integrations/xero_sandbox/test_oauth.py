"""Identity: consent screen, code exchange, refresh rotation, revocation, connections — over HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from xero_python.exceptions import HTTPStatusException

CONSENT_ID = re.compile(r'name="consent_request_id" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def authorize_url(sandbox, **overrides) -> str:
    params = {
        "response_type": "code",
        "client_id": sandbox.client_id,
        "redirect_uri": sandbox.redirect_uri,
        "scope": "offline_access accounting.transactions accounting.settings",
        "state": "csrf-123",
        **overrides,
    }
    return f"{sandbox.base_url}/identity/connect/authorize?{urllib.parse.urlencode(params)}"


def submit_consent(sandbox, page: str, fields: list[tuple[str, str]]) -> tuple[int, dict[str, str], str]:
    """Post the consent form; (status, callback query, body) without following the redirect."""
    form = [("consent_request_id", CONSENT_ID.search(page).group(1)), *fields]
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(
            f"{sandbox.base_url}/identity/connect/authorize", data=urllib.parse.urlencode(form).encode()
        )
        return response.status, {}, response.read().decode()
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        return error.code, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)), error.read().decode()


def decode_unverified(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_consent_page_lists_app_scopes_and_organisations(xero_sandbox):
    page = urllib.request.urlopen(authorize_url(xero_sandbox)).read().decode()

    assert "Onport wants to access your Xero data" in page
    assert "View and manage your business transactions" in page
    assert page.count('type="checkbox" name="tenant"') == 2 and page.count(" checked>") == 2
    assert "Onport Demo (UK)" in page and "Onport Demo (AU)" in page
    assert "Only allow access for 30 minutes" in page
    assert ">Allow access</button>" in page and ">Cancel</button>" in page


def test_allow_redirects_with_code_and_state_and_the_code_exchanges(xero_sandbox):
    page = urllib.request.urlopen(authorize_url(xero_sandbox)).read().decode()

    fields = [("action", "allow"), ("tenant", xero_sandbox.uk_tenant_id)]
    status, callback, _ = submit_consent(xero_sandbox, page, fields)

    assert status == 302 and callback["state"] == "csrf-123"
    token = xero_sandbox.exchange_code(callback["code"])
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1800 and token["refresh_token"]
    assert token["scope"] == "offline_access accounting.transactions accounting.settings"
    connections = xero_sandbox.sdk(xero_sandbox.sdk_token(token)).identity.get_connections()
    assert [c.tenant_name for c in connections] == ["Onport Demo (UK)"]


def test_cancel_redirects_with_access_denied(xero_sandbox):
    page = urllib.request.urlopen(authorize_url(xero_sandbox)).read().decode()

    status, callback, _ = submit_consent(xero_sandbox, page, [("action", "cancel")])

    assert status == 302 and callback == {"error": "access_denied", "state": "csrf-123"}


def test_allow_without_an_organisation_shows_the_page_again(xero_sandbox):
    page = urllib.request.urlopen(authorize_url(xero_sandbox)).read().decode()

    status, _, body = submit_consent(xero_sandbox, page, [("action", "allow")])

    assert status == 400 and "Select at least one organisation." in body


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"client_id": "nobody"}, "Unauthorized client"),
        ({"redirect_uri": "https://evil.example/callback"}, "Invalid redirect_uri"),
    ],
)
def test_unknown_client_or_redirect_uri_gives_an_error_page_not_a_redirect(xero_sandbox, overrides, message):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.build_opener(NoRedirect).open(authorize_url(xero_sandbox, **overrides))

    assert error.value.code == 400 and message in error.value.read().decode()


def test_configured_redirect_uris_are_matched_exactly(xero_sandbox):
    xero_sandbox.configure(
        clients=[
            {
                "client_id": xero_sandbox.client_id,
                "client_secret": xero_sandbox.client_secret,
                "name": "Onport",
                "redirect_uris": ["https://onport.example/xero/callback"],
            }
        ]
    )

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(authorize_url(xero_sandbox))  # the default local URI is no longer allowed
    allowed = authorize_url(xero_sandbox, redirect_uri="https://onport.example/xero/callback")
    page = urllib.request.urlopen(allowed).read()

    assert error.value.code == 400 and b"Allow access" in page


def test_unknown_scope_redirects_with_invalid_scope(xero_sandbox):
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(authorize_url(xero_sandbox, scope="accounting.everything!"))

    assert redirect.value.code == 302 and "error=invalid_scope" in redirect.value.headers["Location"]


def test_code_exchange_accepts_form_credentials_and_refuses_bad_ones(xero_sandbox):
    code = xero_sandbox.consent()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": xero_sandbox.redirect_uri}

    assert xero_sandbox.token_request(form, client_secret="wrong") == (401, {"error": "invalid_client"})
    status, body = xero_sandbox.token_request(
        {**form, "client_id": xero_sandbox.client_id, "client_secret": xero_sandbox.client_secret}, basic_auth=False
    )
    assert status == 200 and body["access_token"]


def test_code_is_single_use_bound_to_redirect_uri_and_short_lived(xero_sandbox):
    code = xero_sandbox.consent()
    exchange = {"grant_type": "authorization_code", "code": code}

    invalid_grant = (400, {"error": "invalid_grant"})

    assert xero_sandbox.token_request({**exchange, "redirect_uri": "http://127.0.0.1:8000/other"}) == invalid_grant
    assert xero_sandbox.token_request({**exchange, "redirect_uri": xero_sandbox.redirect_uri})[0] == 200
    assert xero_sandbox.token_request({**exchange, "redirect_uri": xero_sandbox.redirect_uri}) == invalid_grant
    xero_sandbox.configure(code_ttl=0)
    stale = xero_sandbox.consent()
    time.sleep(0.01)
    assert (
        xero_sandbox.token_request(
            {"grant_type": "authorization_code", "code": stale, "redirect_uri": xero_sandbox.redirect_uri}
        )
        == invalid_grant
    )
    assert xero_sandbox.token_request({"grant_type": "password"}) == (400, {"error": "unsupported_grant_type"})


def test_pkce_verifier_is_checked(xero_sandbox):
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()

    with pytest.raises(Exception) as wrong:
        xero_sandbox.exchange_code(xero_sandbox.consent(code_challenge=challenge), code_verifier="x" * 64)
    token = xero_sandbox.exchange_code(xero_sandbox.consent(code_challenge=challenge), code_verifier=verifier)

    assert wrong.value.body == {"error": "invalid_grant"} and token["access_token"]


def test_access_token_is_a_jwt_with_the_claims_the_app_reads(xero_sandbox):
    token = xero_sandbox.exchange_code(xero_sandbox.consent(tenants=[xero_sandbox.au_tenant_id]))
    claims = decode_unverified(token["access_token"])

    assert {"exp", "iat", "authentication_event_id", "xero_userid", "scope"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 1800 and "offline_access" in claims["scope"]
    identity = xero_sandbox.sdk(xero_sandbox.sdk_token(token)).identity
    connections = identity.get_connections(auth_event_id=claims["authentication_event_id"])
    assert [c.tenant_id for c in connections] == [xero_sandbox.au_tenant_id]


def test_connections_can_be_filtered_by_auth_event_after_a_second_consent(xero_sandbox):
    first = xero_sandbox.connect(tenants=[xero_sandbox.uk_tenant_id])
    second = xero_sandbox.connect(tenants=[xero_sandbox.au_tenant_id])
    identity = xero_sandbox.sdk(second).identity
    event = decode_unverified(second["access_token"])["authentication_event_id"]

    everything = identity.get_connections()
    latest = identity.get_connections(auth_event_id=event)

    assert {c.tenant_id for c in everything} == set(xero_sandbox.tenant_ids)
    assert [c.tenant_id for c in latest] == [xero_sandbox.au_tenant_id]
    # same user and app: the first grant reaches the organisation connected later
    assert xero_sandbox.sdk(first).accounting.get_organisations(xero_sandbox.au_tenant_id).organisations


def test_refresh_rotates_and_a_reused_token_replays_within_the_grace_period(xero_sandbox):
    xero = xero_sandbox.sdk(xero_sandbox.connect())
    original = dict(xero.token)

    first = xero.api_client.refresh_oauth2_token()
    xero.holder["token"] = original  # a second worker still holding the old token
    replay = xero.api_client.refresh_oauth2_token()

    assert first["refresh_token"] != original["refresh_token"]
    assert isinstance(first["scope"], list) and first["expires_at"] > time.time() + 1700
    assert (replay["access_token"], replay["refresh_token"]) == (first["access_token"], first["refresh_token"])
    assert xero.accounting.get_organisations(xero_sandbox.uk_tenant_id).organisations[0].name == "Onport Demo (UK)"


def test_a_used_refresh_token_is_refused_after_the_grace_period(xero_sandbox):
    xero_sandbox.configure(refresh_grace_seconds=0)
    xero = xero_sandbox.sdk(xero_sandbox.connect())
    original = dict(xero.token)
    xero.api_client.refresh_oauth2_token()
    time.sleep(0.01)

    xero.holder["token"] = original
    with pytest.raises(HTTPStatusException) as refused:
        xero.api_client.refresh_oauth2_token()

    assert refused.value.status == 400 and json.loads(refused.value.body) == {"error": "invalid_grant"}


def test_the_sdk_refreshes_an_expiring_token_by_itself(xero_sandbox):
    xero_sandbox.configure(token_ttl=30)  # inside the SDK's 60 s buffer: every call refreshes first
    xero = xero_sandbox.sdk(xero_sandbox.connect())
    before = xero.token["refresh_token"]

    xero.accounting.get_organisations(xero_sandbox.uk_tenant_id)

    assert xero.token["refresh_token"] != before
    paths = [r["path"] for r in xero_sandbox.requests()]
    assert paths[-2:] == ["/connect/token", "/api.xro/2.0/Organisation"]


@pytest.mark.parametrize(
    "scope, thirty_minutes",
    [
        ("accounting.transactions accounting.settings", False),
        ("offline_access accounting.transactions accounting.settings", True),
    ],
)
def test_no_refresh_token_without_offline_access_or_with_thirty_minute_access(xero_sandbox, scope, thirty_minutes):
    token = xero_sandbox.exchange_code(xero_sandbox.consent(scope=scope, thirty_minutes=thirty_minutes))

    assert "refresh_token" not in token and "offline_access" not in token["scope"]


def test_expired_access_token_gets_xero_401(xero_sandbox):
    xero = xero_sandbox.sdk({**xero_sandbox.connect(), "refresh_token": None})
    xero_sandbox.expire_access_tokens()

    with pytest.raises(HTTPStatusException) as refused:
        xero.accounting.get_organisations(xero_sandbox.uk_tenant_id)

    body = json.loads(refused.value.body)
    assert (refused.value.status, body["Title"]) == (401, "Unauthorized")
    assert body["Detail"].startswith("TokenExpired: token expired at ")


def test_missing_scope_gets_authorization_unsuccessful(xero_sandbox):
    xero = xero_sandbox.sdk(xero_sandbox.connect(scope="offline_access accounting.contacts"))

    with pytest.raises(HTTPStatusException) as refused:
        xero.accounting.get_invoices(xero_sandbox.uk_tenant_id)

    assert refused.value.status == 401 and json.loads(refused.value.body)["Detail"] == "AuthorizationUnsuccessful"


def test_disconnected_tenant_gets_403_but_the_refresh_token_still_works(xero_sandbox):
    xero = xero_sandbox.sdk(xero_sandbox.connect())

    assert xero_sandbox.disconnect_tenant(xero_sandbox.uk_tenant_id) == 1
    with pytest.raises(HTTPStatusException) as refused:
        xero.accounting.get_organisations(xero_sandbox.uk_tenant_id)

    body = json.loads(refused.value.body)
    assert (refused.value.status, body["Title"], body["Detail"]) == (403, "Forbidden", "AuthenticationUnsuccessful")
    assert xero.api_client.refresh_oauth2_token()["access_token"]
    assert [c.tenant_id for c in xero.identity.get_connections()] == [xero_sandbox.au_tenant_id]


def test_delete_connection_removes_one_tenant(xero_sandbox):
    xero = xero_sandbox.sdk(xero_sandbox.connect())
    uk_connection = next(c for c in xero.identity.get_connections() if c.tenant_id == xero_sandbox.uk_tenant_id)

    xero.identity.delete_connection(uk_connection.id)
    status, _, _ = xero_sandbox.http(
        "DELETE", f"/connections/{uk_connection.id}", headers={"Authorization": f"Bearer {xero.token['access_token']}"}
    )

    assert status == 404
    assert [c.tenant_id for c in xero.identity.get_connections()] == [xero_sandbox.au_tenant_id]


def test_revocation_removes_every_connection_and_kills_the_refresh_token(xero_sandbox):
    raw = xero_sandbox.exchange_code(xero_sandbox.consent())
    xero = xero_sandbox.sdk(xero_sandbox.sdk_token(raw))

    xero.api_client.revoke_oauth2_token()

    assert xero_sandbox.state()["connections"] == {}
    refresh = {"grant_type": "refresh_token", "refresh_token": raw["refresh_token"]}
    assert xero_sandbox.token_request(refresh) == (400, {"error": "invalid_grant"})
