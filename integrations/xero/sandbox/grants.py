"""OAuth state transitions: consent → code → grant → rotating refresh tokens, and bearer checks.

A *connection* links (app, user) to an organisation, as in Xero: every consent refreshes the
connections it ticks (new authEventId), revocation removes all of the user's connections to the
app. A *grant* is one token family born from one code exchange.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .config import ClientApp, SandboxConfig
from .formats import utc_now
from .seed import SANDBOX_USER_ID
from .state import SandboxState
from .tokens import InvalidToken, decode_jwt, encode_jwt

ACCESS_TOKEN_AUDIENCE = "https://identity.xero.com/resources"


class OAuthError(Exception):
    """A token-endpoint refusal: `{"error": code}` with the given HTTP status."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.status = code, status


class BearerRejected(Exception):
    """An API call whose access token is missing, expired, revoked or not ours (401)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class Bearer:
    grant: dict[str, Any]
    claims: dict[str, Any]

    @property
    def client_id(self) -> str:
        return self.grant["client_id"]

    @property
    def scopes(self) -> list[str]:
        return self.grant["scope"]


def user_id_for(user: str | None) -> str:
    return SANDBOX_USER_ID if not user else str(uuid.uuid5(uuid.NAMESPACE_URL, f"xero-sandbox-user:{user}"))


def grant_consent(state: SandboxState, config: SandboxConfig, *, client: ClientApp, redirect_uri: str,
                  scopes: list[str], tenant_ids: list[str], thirty_minutes: bool, user: str | None = None,
                  code_challenge: str | None = None, code_challenge_method: str | None = None) -> dict[str, Any]:
    """The user pressed Allow: (re)connect the ticked organisations and mint a single-use code."""
    now = utc_now()
    user_id = user_id_for(user)
    auth_event_id = str(uuid.uuid4())
    if thirty_minutes:
        scopes = [scope for scope in scopes if scope != "offline_access"]
    with state.lock:
        connections = state.data["connections"]
        for tenant_id in tenant_ids:
            organisation = state.org(tenant_id)["organisation"]
            existing = next((c for c in connections.values() if c["_client_id"] == client.client_id
                             and c["_user_id"] == user_id and c["tenantId"] == tenant_id), None)
            if existing:
                existing.update(authEventId=auth_event_id, updatedDateUtc=now)
            else:
                connection_id = str(uuid.uuid4())
                connections[connection_id] = {
                    "id": connection_id, "authEventId": auth_event_id, "tenantId": tenant_id,
                    "tenantType": "ORGANISATION", "tenantName": organisation["Name"],
                    "createdDateUtc": now, "updatedDateUtc": now, "_client_id": client.client_id, "_user_id": user_id,
                }
        code = secrets.token_urlsafe(32)
        state.data["codes"][code] = {
            "client_id": client.client_id, "redirect_uri": redirect_uri, "scope": scopes, "user_id": user_id,
            "auth_event_id": auth_event_id, "thirty_minutes": thirty_minutes, "code_challenge": code_challenge,
            "code_challenge_method": code_challenge_method, "expires_at": time.time() + config.code_ttl, "used": False,
        }
        state.mark_changed()
    return {"code": code, "auth_event_id": auth_event_id}


def exchange_code(state: SandboxState, config: SandboxConfig, *, client: ClientApp, code: str | None,
                  redirect_uri: str | None, code_verifier: str | None, issuer: str) -> dict[str, Any]:
    if not code or not redirect_uri:
        raise OAuthError("invalid_request")
    with state.lock:
        record = state.data["codes"].get(code)
        if (record is None or record["used"] or record["expires_at"] < time.time()
                or record["client_id"] != client.client_id or record["redirect_uri"] != redirect_uri):
            raise OAuthError("invalid_grant")
        if record["code_challenge"]:
            digest = hashlib.sha256((code_verifier or "").encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not code_verifier or not secrets.compare_digest(expected, record["code_challenge"]):
                raise OAuthError("invalid_grant")
        record["used"] = True
        grant_id = str(uuid.uuid4())
        grant = state.data["grants"][grant_id] = {
            "grant_id": grant_id, "client_id": client.client_id, "user_id": record["user_id"],
            "scope": record["scope"], "auth_event_id": record["auth_event_id"],
            "offline": "offline_access" in record["scope"], "revoked": False, "created_at": utc_now(),
        }
        state.mark_changed()
        return issue_tokens(state, config, grant, issuer=issuer)


SET_UP_REDIRECT_URI = "http://127.0.0.1/_sandbox/grants"


def grant_directly(state: SandboxState, config: SandboxConfig, *, client: ClientApp, scopes: list[str],
                   tenant_id: str, user: str, issuer: str) -> dict[str, Any]:
    """Set-up only (POST /_sandbox/grants): what `user` consenting to one organisation and the app exchanging
    the code would leave (the same two steps, without the browser and the round trips): a connection, a grant
    of its own and its first token pair, which refreshes and rotates like any other."""
    consent = grant_consent(state, config, client=client, redirect_uri=SET_UP_REDIRECT_URI, scopes=scopes,
                            tenant_ids=[tenant_id], thirty_minutes=False, user=user)
    tokens = exchange_code(state, config, client=client, code=consent["code"], redirect_uri=SET_UP_REDIRECT_URI,
                           code_verifier=None, issuer=issuer)
    user_id = user_id_for(user)
    with state.lock:
        connection = next(c for c in state.data["connections"].values() if c["tenantId"] == tenant_id
                          and c["_user_id"] == user_id and c["_client_id"] == client.client_id)
    return {**tokens, "connection_id": connection["id"], "auth_event_id": consent["auth_event_id"]}


def refresh(state: SandboxState, config: SandboxConfig, *, client: ClientApp, refresh_token: str | None,
            requested_scope: str | None, issuer: str) -> dict[str, Any]:
    """Rotate: a used token replays its successor within the grace period, then is refused."""
    if not refresh_token:
        raise OAuthError("invalid_request")
    now = time.time()
    with state.lock:
        record = state.data["refresh_tokens"].get(refresh_token)
        grant = state.data["grants"].get(record["grant_id"]) if record else None
        if record is None or grant is None or grant["revoked"] or grant["client_id"] != client.client_id:
            raise OAuthError("invalid_grant")
        if record["used_at"] is not None:
            if now - record["used_at"] <= config.refresh_grace_seconds:
                return record["response"]
            raise OAuthError("invalid_grant")
        if now - record["issued_at"] > config.refresh_token_ttl:
            raise OAuthError("invalid_grant")
        if requested_scope and not set(requested_scope.split()) <= set(grant["scope"]):
            raise OAuthError("invalid_scope")
        response = issue_tokens(state, config, grant, issuer=issuer)
        record.update(used_at=now, response=response)
        state.mark_changed()
        return response


def revoke(state: SandboxState, *, client: ClientApp, refresh_token: str | None) -> None:
    """Revoke the grant behind a refresh token and every connection of that user to the app."""
    with state.lock:
        record = state.data["refresh_tokens"].get(refresh_token or "")
        grant = state.data["grants"].get(record["grant_id"]) if record else None
        if grant is None or grant["client_id"] != client.client_id:
            return  # RFC 7009: unknown tokens are not an error
        for other in state.data["grants"].values():
            if other["client_id"] == grant["client_id"] and other["user_id"] == grant["user_id"]:
                other["revoked"] = True
        connections = state.data["connections"]
        for connection_id in [key for key, c in connections.items()
                              if c["_client_id"] == grant["client_id"] and c["_user_id"] == grant["user_id"]]:
            del connections[connection_id]
        state.mark_changed()


def issue_tokens(state: SandboxState, config: SandboxConfig, grant: dict[str, Any], *, issuer: str) -> dict[str, Any]:
    now = int(time.time())
    jti = uuid.uuid4().hex
    claims = {
        "nbf": now, "exp": now + config.token_ttl, "iss": issuer, "aud": ACCESS_TOKEN_AUDIENCE,
        "client_id": grant["client_id"], "sub": grant["user_id"].replace("-", ""), "auth_time": now,
        "xero_userid": grant["user_id"], "global_session_id": grant["grant_id"].replace("-", ""),
        "sid": grant["grant_id"].replace("-", ""), "jti": jti, "authentication_event_id": grant["auth_event_id"],
        "scope": list(grant["scope"]), "amr": ["pwd"], "iat": now,
    }
    tokens = state.data["access_tokens"]
    for expired in [key for key, token in tokens.items() if token["expires_at"] < now - 86400]:
        del tokens[expired]
    tokens[jti] = {"grant_id": grant["grant_id"], "expires_at": now + config.token_ttl, "revoked": False}
    response: dict[str, Any] = {
        "access_token": encode_jwt(claims, state.jwt_secret), "expires_in": config.token_ttl,
        "token_type": "Bearer", "scope": " ".join(grant["scope"]),
    }
    if "openid" in grant["scope"]:
        response["id_token"] = encode_jwt({
            "nbf": now, "exp": now + 300, "iss": issuer, "aud": grant["client_id"], "iat": now,
            "sub": claims["sub"], "xero_userid": grant["user_id"], "email": "demo.user@onport.example",
            "given_name": "Demo", "family_name": "User", "preferred_username": "demo.user@onport.example",
            "global_session_id": claims["global_session_id"], "sid": claims["sid"],
        }, state.jwt_secret)
    if grant["offline"]:
        refresh_token = secrets.token_urlsafe(32)
        state.data["refresh_tokens"][refresh_token] = {
            "grant_id": grant["grant_id"], "issued_at": time.time(), "used_at": None, "response": None,
        }
        response["refresh_token"] = refresh_token
    state.mark_changed()
    return response


def authenticate(state: SandboxState, authorization: str | None) -> Bearer:
    """The grant behind `Authorization: Bearer <jwt>`, or BearerRejected with Xero's Detail text."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerRejected("AuthenticationUnsuccessful")
    try:
        claims = decode_jwt(token.strip(), state.jwt_secret)
    except InvalidToken:
        raise BearerRejected("AuthenticationUnsuccessful") from None
    with state.lock:
        record = state.data["access_tokens"].get(claims.get("jti", ""))
        grant = state.data["grants"].get(record["grant_id"]) if record else None
        if record is None or grant is None:
            raise BearerRejected("AuthenticationUnsuccessful")
        expires_at = min(float(claims.get("exp", 0)), float(record["expires_at"]))
        if expires_at <= time.time() or record["revoked"] or grant["revoked"]:
            when = datetime.fromtimestamp(claims.get("exp", 0), tz=timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
            raise BearerRejected(f"TokenExpired: token expired at {when}")
        return Bearer(grant=grant, claims=claims)


def connections_for(state: SandboxState, bearer: Bearer, auth_event_id: str | None = None) -> list[dict[str, Any]]:
    with state.lock:
        return [
            connection for connection in state.data["connections"].values()
            if connection["_client_id"] == bearer.client_id and connection["_user_id"] == bearer.grant["user_id"]
            and (not auth_event_id or connection["authEventId"] == auth_event_id)
        ]


def is_connected(state: SandboxState, bearer: Bearer, tenant_id: str | None) -> bool:
    return bool(tenant_id) and any(c["tenantId"] == tenant_id for c in connections_for(state, bearer))


def expire_access_tokens(state: SandboxState, client_id: str | None = None) -> int:
    with state.lock:
        grants = state.data["grants"]
        expired = 0
        for token in state.data["access_tokens"].values():
            grant = grants.get(token["grant_id"])
            if not token["revoked"] and (client_id is None or (grant and grant["client_id"] == client_id)):
                token["revoked"] = True
                expired += 1
        state.mark_changed()
        return expired


def disconnect_tenant(state: SandboxState, tenant_id: str, client_id: str | None = None) -> int:
    """The organisation removed the app in Xero: its connections go; refresh tokens stay valid."""
    with state.lock:
        connections = state.data["connections"]
        doomed = [key for key, c in connections.items()
                  if c["tenantId"] == tenant_id and (client_id is None or c["_client_id"] == client_id)]
        for key in doomed:
            del connections[key]
        state.mark_changed()
        return len(doomed)
