"""Xero's identity endpoints: consent screen, token, revocation and connections."""

from __future__ import annotations

import base64
import re
import secrets
import time
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import grants
from .config import ClientApp
from .runtime import Sandbox, html_response, json_response
from .templates import SCOPE_DESCRIPTIONS, consent_page, error_page

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
KNOWN_SCOPE_RE = re.compile(
    r"^(accounting|payroll|files|assets|projects|finance|bankfeeds|paymentservices|app)\.[a-z.]+$")
AUTHORIZE_PATH = "/identity/connect/authorize"


def redirect_uri_allowed(client: ClientApp, redirect_uri: str) -> bool:
    if client.redirect_uris:
        return redirect_uri in client.redirect_uris
    parts = urlsplit(redirect_uri)
    return parts.scheme in {"http", "https"} and parts.hostname in LOCAL_HOSTS and not parts.fragment


def scope_is_known(scope: str) -> bool:
    return scope in SCOPE_DESCRIPTIONS or bool(KNOWN_SCOPE_RE.match(scope))


def _redirect_with(redirect_uri: str, **params: str | None) -> Response:
    query = urlencode({key: value for key, value in params.items() if value is not None})
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return redirect(f"{redirect_uri}{separator}{query}", code=302)


def _validate_authorize(sandbox: Sandbox, params: dict[str, str]) -> tuple[ClientApp | None, Response | None]:
    """The client and redirect URI are checked first: when they are wrong nothing may redirect."""
    client = sandbox.config.client(params.get("client_id"))
    if client is None:
        page = error_page("Unauthorized client", "The app's client_id is not registered with Xero.")
        return None, html_response(page, 400)
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(client, redirect_uri):
        page = error_page("Invalid redirect_uri", f"The redirect URI {redirect_uri!r} is not allowed for this app.")
        return None, html_response(page, 400)
    state = params.get("state")
    if params.get("response_type") != "code":
        return client, _redirect_with(redirect_uri, error="unsupported_response_type", state=state)
    scopes = params.get("scope", "").split()
    if not scopes or not all(scope_is_known(scope) for scope in scopes):
        return client, _redirect_with(redirect_uri, error="invalid_scope", state=state)
    if params.get("code_challenge") and params.get("code_challenge_method", "plain") != "S256":
        return client, _redirect_with(redirect_uri, error="invalid_request", state=state)
    return client, None


def authorize_page(sandbox: Sandbox, request: Request) -> Response:
    params = request.args.to_dict()
    client, refusal = _validate_authorize(sandbox, params)
    if refusal:
        return refusal
    request_id = secrets.token_urlsafe(16)
    with sandbox.state.lock:
        pending = sandbox.state.data["consent_requests"]
        for stale in [key for key, value in pending.items() if value["created_at"] < time.time() - 3600]:
            del pending[stale]
        pending[request_id] = {**params, "created_at": time.time()}
        sandbox.state.mark_changed()
    return _render_consent(sandbox, client, params, request_id)


def _render_consent(sandbox: Sandbox, client: ClientApp, params: dict[str, Any], request_id: str,
                    error: str | None = None, checked: set[str] | None = None) -> Response:
    organisations = [(tenant_id, org["organisation"]["Name"]) for tenant_id, org in sandbox.state.orgs().items()]
    scopes = params.get("scope", "").split()
    page = consent_page(
        app_name=client.name, scopes=scopes, organisations=organisations, request_id=request_id,
        action=AUTHORIZE_PATH, user_email="demo.user@onport.example", offline="offline_access" in scopes,
        error=error, checked_tenants=checked,
    )
    return html_response(page, 200 if error is None else 400)


def authorize_decision(sandbox: Sandbox, request: Request) -> Response:
    """The consent form was submitted: Allow access or Cancel."""
    request_id = request.form.get("consent_request_id", "")
    with sandbox.state.lock:
        params = sandbox.state.data["consent_requests"].get(request_id)
    if params is None:
        page = error_page("Sign-in expired", "This consent request has expired. Start again from the app.")
        return html_response(page, 400)
    client, refusal = _validate_authorize(sandbox, params)
    if refusal:
        return refusal
    redirect_uri, state = params["redirect_uri"], params.get("state")
    if request.form.get("action") != "allow":
        _forget_consent_request(sandbox, request_id)
        return _redirect_with(redirect_uri, error="access_denied", state=state)
    tenant_ids = [tenant for tenant in request.form.getlist("tenant") if sandbox.state.org(tenant)]
    if not tenant_ids:
        return _render_consent(sandbox, client, params, request_id, error="Select at least one organisation.",
                               checked=set())
    _forget_consent_request(sandbox, request_id)
    result = grants.grant_consent(
        sandbox.state, sandbox.config, client=client, redirect_uri=redirect_uri, scopes=params["scope"].split(),
        tenant_ids=tenant_ids, thirty_minutes=bool(request.form.get("thirty_minutes")),
        code_challenge=params.get("code_challenge"), code_challenge_method=params.get("code_challenge_method"),
    )
    return _redirect_with(redirect_uri, code=result["code"], scope=params["scope"], state=state)


def _forget_consent_request(sandbox: Sandbox, request_id: str) -> None:
    with sandbox.state.lock:
        sandbox.state.data["consent_requests"].pop(request_id, None)
        sandbox.state.mark_changed()


def authenticate_client(sandbox: Sandbox, request: Request) -> ClientApp:
    """HTTP Basic (the usual code exchange) or client_id/client_secret form fields (xero-python)."""
    client_id, client_secret = request.form.get("client_id"), request.form.get("client_secret")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip()).decode()
        except ValueError:
            raise grants.OAuthError("invalid_client", 401) from None
        basic_id, _, basic_secret = decoded.partition(":")
        client_id, client_secret = unquote(basic_id), unquote(basic_secret)
    client = sandbox.config.client(client_id)
    if client is None or not client_secret or not secrets.compare_digest(client.client_secret, client_secret):
        raise grants.OAuthError("invalid_client", 401)
    return client


def token(sandbox: Sandbox, request: Request) -> Response:
    issuer = request.host_url.rstrip("/") + "/identity"
    try:
        client = authenticate_client(sandbox, request)
        grant_type = request.form.get("grant_type")
        if grant_type == "authorization_code":
            body = grants.exchange_code(
                sandbox.state, sandbox.config, client=client, code=request.form.get("code"),
                redirect_uri=request.form.get("redirect_uri"), code_verifier=request.form.get("code_verifier"),
                issuer=issuer,
            )
        elif grant_type == "refresh_token":
            body = grants.refresh(
                sandbox.state, sandbox.config, client=client, refresh_token=request.form.get("refresh_token"),
                requested_scope=request.form.get("scope"), issuer=issuer,
            )
        else:
            raise grants.OAuthError("unsupported_grant_type")
    except grants.OAuthError as refusal:
        headers = {"WWW-Authenticate": 'Basic realm="xero-sandbox"'} if refusal.status == 401 else None
        return json_response({"error": refusal.code}, refusal.status, headers)
    return json_response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def revocation(sandbox: Sandbox, request: Request) -> Response:
    try:
        client = authenticate_client(sandbox, request)
    except grants.OAuthError as refusal:
        return json_response({"error": refusal.code}, refusal.status)
    grants.revoke(sandbox.state, client=client, refresh_token=request.form.get("token"))
    return Response(status=200)


def _unauthorized(detail: str) -> Response:
    return json_response({"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": detail,
                          "Instance": secrets.token_hex(16), "Extensions": {}}, 401)


def list_connections(sandbox: Sandbox, request: Request) -> Response:
    try:
        bearer = grants.authenticate(sandbox.state, request.headers.get("Authorization"))
    except grants.BearerRejected as rejection:
        return _unauthorized(rejection.detail)
    connections = grants.connections_for(sandbox.state, bearer, request.args.get("authEventId"))
    return json_response([_connection_json(connection) for connection in connections])


def delete_connection(sandbox: Sandbox, request: Request, connection_id: str) -> Response:
    try:
        bearer = grants.authenticate(sandbox.state, request.headers.get("Authorization"))
    except grants.BearerRejected as rejection:
        return _unauthorized(rejection.detail)
    with sandbox.state.lock:
        mine = {c["id"] for c in grants.connections_for(sandbox.state, bearer)}
        if connection_id not in mine:
            return json_response({"Title": "NotFound", "Status": 404, "Detail": "Connection not found"}, 404)
        del sandbox.state.data["connections"][connection_id]
        sandbox.state.mark_changed()
    return Response(status=204)


def _connection_json(connection: dict[str, Any]) -> dict[str, Any]:
    def dotnet(value: Any) -> str:  # Xero: "2019-12-07T18:46:19.5165400" (UTC, no offset)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"

    return {
        "id": connection["id"], "authEventId": connection["authEventId"], "tenantId": connection["tenantId"],
        "tenantType": connection["tenantType"], "tenantName": connection["tenantName"],
        "createdDateUtc": dotnet(connection["createdDateUtc"]), "updatedDateUtc": dotnet(connection["updatedDateUtc"]),
    }


def openid_configuration(sandbox: Sandbox, request: Request) -> Response:
    base = request.host_url.rstrip("/")
    return json_response({
        "issuer": f"{base}/identity", "authorization_endpoint": f"{base}{AUTHORIZE_PATH}",
        "token_endpoint": f"{base}/connect/token", "revocation_endpoint": f"{base}/connect/revocation",
        "response_types_supported": ["code"], "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"], "scopes_supported": sorted(SCOPE_DESCRIPTIONS),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
