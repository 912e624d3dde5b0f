"""The one path every accounting call takes, in Xero's order:

bearer token (401) → tenant connected to this grant (403) → scope (401) → rate limits (429)
→ faults "before" → Idempotency-Key (replay / mismatch) → latency → endpoint under the state lock
→ idempotency record + state file saved → faults "after" → response with X-*Limit-Remaining headers.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from . import grants
from .accounting import ApiContext, ApiError, parse_json_body
from .faults import BEFORE_KINDS
from .idempotency import MAX_KEY_LENGTH, StoredResponse
from .runtime import JSON_TYPE, Sandbox, json_response
from .surprises import with_unknown_enums
from .url_limit import url_too_long

Handler = Callable[..., Response]
WRITE_METHODS = {"PUT", "POST", "PATCH"}
READ_SCOPES = {
    "settings": {"accounting.settings", "accounting.settings.read"},
    "contacts": {"accounting.contacts", "accounting.contacts.read"},
    "invoices": {"accounting.transactions", "accounting.transactions.read",
                 "accounting.invoices", "accounting.invoices.read"},
    "payments": {"accounting.transactions", "accounting.transactions.read",
                 "accounting.payments", "accounting.payments.read"},
    "attachments": {"accounting.attachments", "accounting.attachments.read"},
}
WRITE_SCOPES = {
    "settings": {"accounting.settings"},
    "contacts": {"accounting.contacts"},
    "invoices": {"accounting.transactions", "accounting.invoices"},
    "payments": {"accounting.transactions", "accounting.payments"},
    "attachments": {"accounting.attachments"},
}
META_KEY = "xero_sandbox.meta"


class ConnectionDropped(ConnectionError):
    """Raised to make the server close the socket without answering (werkzeug ignores it)."""


def problem(status: int, title: str, detail: str) -> Response:
    return json_response({"Type": None, "Title": title, "Status": status, "Detail": detail,
                          "Instance": secrets.token_hex(16), "Extensions": {}}, status)


def unavailable(fault: str) -> Response:
    response = Response("The Xero API is temporarily unavailable. Please try again later.", status=503,
                        content_type="text/plain; charset=utf-8")
    response.headers["X-Sandbox-Fault"] = fault
    return response


def drop_connection(request: Request, fault: str) -> None:
    request.environ.setdefault(META_KEY, {})["dropped"] = fault
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionDropped(fault)


def inject(sandbox: Sandbox, request: Request, fault: str | None, stage: set[str]) -> Response | None:
    if fault not in stage:
        return None
    if fault.startswith("drop"):
        drop_connection(request, fault)
    if fault == "404":
        return url_too_long()
    if fault == "429":
        response = problem(429, "Too Many Requests", "Rate limit exceeded (injected fault)")
        response.headers.update({"Retry-After": "1", "X-Rate-Limit-Problem": "minute"})
        return response
    return unavailable(fault)


def handle_api(sandbox: Sandbox, request: Request, handler: Handler, scope_group: str,
               params: dict[str, Any]) -> Response:
    meta = request.environ.setdefault(META_KEY, {})
    try:
        bearer = grants.authenticate(sandbox.state, request.headers.get("Authorization"))
    except grants.BearerRejected as rejection:
        return problem(401, "Unauthorized", rejection.detail)
    tenant_id = (request.headers.get("xero-tenant-id") or "").strip().lower()
    meta.update(client_id=bearer.client_id, tenant_id=tenant_id)
    if not grants.is_connected(sandbox.state, bearer, tenant_id) or sandbox.state.org(tenant_id) is None:
        return problem(403, "Forbidden", "AuthenticationUnsuccessful")
    needed = (WRITE_SCOPES if request.method in WRITE_METHODS else READ_SCOPES)[scope_group]
    if not needed & set(bearer.scopes):
        return problem(401, "Unauthorized", "AuthorizationUnsuccessful")
    decision = sandbox.limiter.acquire(bearer.client_id, tenant_id)
    if not decision.allowed:
        response = problem(429, "Too Many Requests", f"Rate limit exceeded: {decision.problem}")
        response.headers.update(decision.headers)
        return response
    try:
        response = _limited_call(sandbox, request, handler, params, bearer, tenant_id, meta)
        response.headers.update(sandbox.limiter.headers(bearer.client_id, tenant_id))
        return response
    finally:
        sandbox.limiter.release(bearer.client_id, tenant_id)


def _limited_call(sandbox: Sandbox, request: Request, handler: Handler, params: dict[str, Any],
                  bearer: grants.Bearer, tenant_id: str, meta: dict[str, Any]) -> Response:
    fault = sandbox.faults.next_fault(request.method, request.path)
    meta["fault"] = fault
    injected = inject(sandbox, request, fault, BEFORE_KINDS)
    if injected:
        return injected
    client = sandbox.config.client(bearer.client_id)
    claim = None
    key = request.headers.get("Idempotency-Key")
    if key and request.method in WRITE_METHODS:
        if len(key) > MAX_KEY_LENGTH:
            return _validation_message(f"The Idempotency-Key must be {MAX_KEY_LENGTH} characters or fewer.")
        fingerprint = sandbox.idempotency.fingerprint(
            request.method, request.path, list(request.args.items(multi=True)), request.get_data(cache=True))
        claim = sandbox.idempotency.begin(bearer.client_id, tenant_id, key, fingerprint)
        if claim.outcome == "replay":
            meta["idempotent_replay"] = True
            stored = claim.response
            return Response(stored.body, status=stored.status, content_type=stored.content_type,
                            headers={"Idempotent-Replayed": "true"})
        if claim.outcome == "mismatch":
            return _validation_message(f"The Idempotency-Key '{key}' was already used for a different request. "
                                       "Use a new key for a new request.")
        if claim.outcome == "busy":
            return problem(409, "Conflict", "A request with this Idempotency-Key is still being processed.")
    try:
        if sandbox.faults.latency_seconds():  # Xero's processing time: the call holds its concurrency slot
            time.sleep(sandbox.faults.latency_seconds())
        response = _run_endpoint(sandbox, request, handler, params, client, tenant_id)
    except BaseException:
        if claim:
            sandbox.idempotency.abandon(claim)
        raise
    if claim:
        stored = StoredResponse(response.status_code, response.get_data(), response.content_type or JSON_TYPE)
        sandbox.idempotency.complete(claim, stored)
    sandbox.state.save_if_changed()
    if fault == "unknown_enum":
        return with_unknown_enums(response)
    return inject(sandbox, request, fault, {"503_after", "drop_after"}) or response


def _run_endpoint(sandbox: Sandbox, request: Request, handler: Handler, params: dict[str, Any], client: Any,
                  tenant_id: str) -> Response:
    try:
        body = parse_json_body(request)
        with sandbox.state.lock:
            ctx = ApiContext(sandbox=sandbox, request=request, tenant_id=tenant_id,
                             org=sandbox.state.org(tenant_id), client=client, body=body)
            return handler(ctx, **params)
    except ApiError as error:
        return json_response(error.body, error.status)


def _validation_message(message: str) -> Response:
    body = {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": message}]}]}
    return Response(json.dumps(body), status=400, content_type=JSON_TYPE)
