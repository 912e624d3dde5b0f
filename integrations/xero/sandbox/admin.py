"""/_sandbox/… : inspection and test actions (JSON). Not part of Xero; never behind auth.

GET  /_sandbox/state[?tenant_id=]                   everything stored (decimals as strings, ISO dates)
GET  /_sandbox/requests[?since=<id>&path_prefix=]   requests received (admin calls excluded)
POST /_sandbox/reset                                back to the seed; clears requests, faults, grants, config
GET|POST /_sandbox/config                           {"token_ttl": 60, "rate_per_minute": 5, "latency_ms": 200, …}
GET|POST /_sandbox/faults                           see faults.py
POST /_sandbox/consent                              {"client_id", "redirect_uri", "scope", "state", "tenants"?,
                                                     "thirty_minutes"?, "code_challenge"?, "user"?} → {"code", …}
POST /_sandbox/tenants/<tenant_id>/disconnect       {"client_id"?} → {"removed_connections": n}
POST /_sandbox/organisations                        {"copies": 40} → {"tenants": [id, …]} (more organisations like the UK one)
POST /_sandbox/grants                               {"tenants": [id, …], "scope"?, "client_id"?} → {"grants": [{"tenant_id",
                                                     "access_token", "refresh_token", "connection_id", …}]} set-up only:
                                                     a consent + code exchange per tenant, each by a user of its own
POST /_sandbox/tokens/expire                        {"client_id"?} → {"expired": n}
POST /_sandbox/orgs/<tenant_id>/lock-dates          {"period_lock_date": "YYYY-MM-DD"|null, "end_of_year_lock_date": …}
POST /_sandbox/orgs/<tenant_id>/contacts/<id>/status   {"status": "ARCHIVED"|"ACTIVE"}
POST /_sandbox/orgs/<tenant_id>/accounts/<code or id>/status {"status": "ARCHIVED"|"ACTIVE"}
POST /_sandbox/orgs/<tenant_id>/trackingcategories/<name or id>/status {"status": "ARCHIVED"|"ACTIVE"}
                                                    (at most 2 ACTIVE categories, as in Xero: 400 otherwise)
POST /_sandbox/orgs/<tenant_id>/trackingcategories/<name or id>/options/<name or id>/status {"status": …}
POST /_sandbox/orgs/<tenant_id>/invoices/<id>/pay   {"amount"?, "date"?, "account_code"?} (approves a draft first)
POST /_sandbox/orgs/<tenant_id>/invoices/<id>/status {"status": "VOIDED"|"DELETED"|"AUTHORISED"}
POST /_sandbox/orgs/<tenant_id>/contacts/bulk       {"count": 10000, "prefix"?: "Bulk Supplier"} → {"created": n}
POST /_sandbox/orgs/<tenant_id>/bank-accounts       {"name", "code"?, "currency"?} → the new BANK account (an enabled currency)
GET  /_sandbox/webhooks[?since=<delivery>]           subscriptions and deliveries (see webhooks.py)
POST /_sandbox/webhooks                             {"url", "key", "client_id"?, "categories"?} (as in Xero's portal)
POST /_sandbox/webhooks/remove                      {"client_id"?}
POST /_sandbox/webhooks/intent                      {"client_id"?} intent to receive, now → the subscription
POST /_sandbox/webhooks/forge                       {"client_id"?, "events"?} a payload signed wrong → the delivery
POST /_sandbox/webhooks/replay                      {"delivery": n} an earlier body again, signed right → the delivery
POST /_sandbox/webhooks/idle                        {"timeout"?: 10} waits until every queued event is delivered
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from werkzeug.wrappers import Request, Response

from . import grants, seed
from .accounting import ApiContext, ApiError, ElementInvalid
from .formats import parse_date, to_debug, utc_now
from .identity import redirect_uri_allowed, scope_is_known
from .payments import create_payment
from .runtime import Sandbox, json_response

DEFAULT_CONSENT_SCOPE = "offline_access accounting.transactions accounting.contacts accounting.settings"


class AdminError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def body_of(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise AdminError(f"invalid JSON: {error}") from None
    if not isinstance(body, dict):
        raise AdminError("the body must be a JSON object")
    return body


def _org(sandbox: Sandbox, tenant_id: str) -> dict[str, Any]:
    org = sandbox.state.org(tenant_id.lower())
    if org is None:
        raise AdminError(f"unknown tenant {tenant_id}", 404)
    return org


def _admin_context(sandbox: Sandbox, request: Request, tenant_id: str) -> ApiContext:
    client = sandbox.config.clients[0]
    return ApiContext(sandbox=sandbox, request=request, tenant_id=tenant_id.lower(),
                      org=_org(sandbox, tenant_id), client=client)


def get_state(sandbox: Sandbox, request: Request) -> Response:
    return json_response(sandbox.state.debug_view(request.args.get("tenant_id")))


def get_requests(sandbox: Sandbox, request: Request) -> Response:
    entries = sandbox.requests.entries(int(request.args.get("since", 0)), request.args.get("path_prefix"))
    return json_response({"requests": to_debug(entries)})


def reset(sandbox: Sandbox, request: Request) -> Response:
    sandbox.reset()
    sandbox.state.save_if_changed()
    tenants = {tenant: org["organisation"]["Name"] for tenant, org in sandbox.state.orgs().items()}
    return json_response({"ok": True, "tenants": tenants})


def config(sandbox: Sandbox, request: Request) -> Response:
    """Settings of config.py, plus `latency_ms` (kept with the faults, shown here for convenience)."""
    if request.method == "POST":
        changes = body_of(request)
        try:
            if "latency_ms" in changes:
                sandbox.faults.configure({"latency_ms": changes.pop("latency_ms")})
            sandbox.config.update(changes)
        except (TypeError, ValueError) as error:
            raise AdminError(str(error)) from None
    return json_response({**sandbox.config.to_dict(), "latency_ms": sandbox.faults.latency_ms})


def faults(sandbox: Sandbox, request: Request) -> Response:
    if request.method == "GET":
        return json_response(sandbox.faults.snapshot())
    try:
        return json_response(sandbox.faults.configure(body_of(request)))
    except (TypeError, ValueError) as error:
        raise AdminError(str(error)) from None


def consent(sandbox: Sandbox, request: Request) -> Response:
    """The consent screen without a browser: returns the code the redirect would have carried."""
    body = body_of(request)
    client = sandbox.config.client(body.get("client_id") or sandbox.config.clients[0].client_id)
    if client is None:
        raise AdminError("unknown client_id")
    redirect_uri = body.get("redirect_uri") or "http://127.0.0.1/callback"
    if not redirect_uri_allowed(client, redirect_uri):
        raise AdminError(f"redirect_uri {redirect_uri!r} is not allowed for this app")
    scopes = (body.get("scope") or DEFAULT_CONSENT_SCOPE).split()
    unknown = [scope for scope in scopes if not scope_is_known(scope)]
    if unknown:
        raise AdminError(f"unknown scopes: {' '.join(unknown)}")
    tenants = [tenant.lower() for tenant in (body.get("tenants") or list(sandbox.state.orgs()))]
    for tenant in tenants:
        _org(sandbox, tenant)
    result = grants.grant_consent(
        sandbox.state, sandbox.config, client=client, redirect_uri=redirect_uri, scopes=scopes, tenant_ids=tenants,
        thirty_minutes=bool(body.get("thirty_minutes")), user=body.get("user"),
        code_challenge=body.get("code_challenge"), code_challenge_method=body.get("code_challenge_method"),
    )
    sandbox.state.save_if_changed()
    return json_response({**result, "state": body.get("state"), "redirect_uri": redirect_uri, "tenants": tenants})


def organisations(sandbox: Sandbox, request: Request) -> Response:
    """Add copies of the UK organisation (kept if they exist), so consents can grant many tenants."""
    copies = seed.organisation_copies(int(body_of(request).get("copies", 0)))
    with sandbox.state.lock:
        for tenant_id, org in copies.items():
            sandbox.state.orgs().setdefault(tenant_id, org)
        sandbox.state.mark_changed()
    sandbox.state.save_if_changed()
    return json_response({"tenants": list(copies)})


def issue_grants(sandbox: Sandbox, request: Request) -> Response:
    """Set-up only, for runs across many organisations: for each tenant, what its owner's consent and the code
    exchange would leave (a connection by a Xero user of its own, a grant, a token pair of its own), in one call.
    Tokens are answered here and never recorded in the request log; everything else behaves as after a consent."""
    body = body_of(request)
    client = sandbox.config.client(body.get("client_id") or sandbox.config.clients[0].client_id)
    if client is None:
        raise AdminError("unknown client_id")
    scopes = (body.get("scope") or DEFAULT_CONSENT_SCOPE).split()
    unknown = [scope for scope in scopes if not scope_is_known(scope)]
    if unknown:
        raise AdminError(f"unknown scopes: {' '.join(unknown)}")
    tenants = [str(tenant).lower() for tenant in body.get("tenants") or []]
    if not tenants:
        raise AdminError("tenants: give the organisations to connect")
    organisations = [_org(sandbox, tenant)["organisation"] for tenant in tenants]
    issuer = request.host_url.rstrip("/") + "/identity"
    issued = []
    for tenant, organisation in zip(tenants, organisations):
        tokens = grants.grant_directly(sandbox.state, sandbox.config, client=client, scopes=scopes, tenant_id=tenant,
                                       user=f"owner of {tenant}", issuer=issuer)
        issued.append({"tenant_id": tenant, "tenant_name": organisation["Name"], "short_code": organisation["ShortCode"],
                       "base_currency": organisation["BaseCurrency"], **tokens})
    return json_response({"grants": issued})


def disconnect_tenant(sandbox: Sandbox, request: Request, tenant_id: str) -> Response:
    _org(sandbox, tenant_id)
    removed = grants.disconnect_tenant(sandbox.state, tenant_id.lower(), body_of(request).get("client_id"))
    return json_response({"removed_connections": removed})


def expire_tokens(sandbox: Sandbox, request: Request) -> Response:
    return json_response({"expired": grants.expire_access_tokens(sandbox.state, body_of(request).get("client_id"))})


def lock_dates(sandbox: Sandbox, request: Request, tenant_id: str) -> Response:
    body = body_of(request)
    with sandbox.state.lock:
        organisation = _org(sandbox, tenant_id)["organisation"]
        for field_name, key in (("period_lock_date", "PeriodLockDate"), ("end_of_year_lock_date", "EndOfYearLockDate")):
            if field_name in body:
                organisation[key] = _optional_date(body[field_name])
        sandbox.state.mark_changed()
        return json_response(to_debug(organisation))


def set_status(sandbox: Sandbox, request: Request, tenant_id: str, kind: str, key: str) -> Response:
    """Archive / re-activate a contact, account or tax rate (by its TaxType), as a Xero user would."""
    status = body_of(request).get("status", "ARCHIVED").upper()
    if status not in {"ACTIVE", "ARCHIVED"}:
        raise AdminError("status must be ACTIVE or ARCHIVED")
    with sandbox.state.lock:
        org = _org(sandbox, tenant_id)
        documents = org["tax_rates" if kind == "taxrates" else kind]
        document = (documents.get(key) or documents.get(key.lower())
                    or next((d for d in documents.values() if d.get("Code") == key), None))
        if document is None:
            raise AdminError(f"unknown {kind[:-1]} {key}", 404)
        document["ContactStatus" if kind == "contacts" else "Status"] = status
        if kind != "taxrates":  # a tax rate carries no UpdatedDateUTC in Xero
            document["UpdatedDateUTC"] = utc_now()
        sandbox.state.mark_changed()
        return json_response(to_debug(document))


def set_tracking_status(sandbox: Sandbox, request: Request, tenant_id: str, category: str,
                        option: str | None = None) -> Response:
    """Archive / re-activate a tracking category or one of its options (by name or id), as a Xero user would;
    a third ACTIVE category is refused as Xero refuses it."""
    status = body_of(request).get("status", "ARCHIVED").upper()
    if status not in {"ACTIVE", "ARCHIVED"}:
        raise AdminError("status must be ACTIVE or ARCHIVED")
    with sandbox.state.lock:
        categories = _org(sandbox, tenant_id).setdefault("tracking_categories", {})
        found = _named(list(categories.values()), "TrackingCategoryID", category)
        if found is None:
            raise AdminError(f"unknown tracking category {category}", 404)
        if option is None:
            if status == "ACTIVE" and found["Status"] != "ACTIVE":
                try:
                    seed.check_tracking_limits([*(c for c in categories.values() if c is not found),
                                                {**found, "Status": "ACTIVE"}])
                except ValueError as error:
                    raise AdminError(str(error)) from None
            found["Status"] = status
            document = found
        else:
            document = _named(found["Options"], "TrackingOptionID", option)
            if document is None:
                raise AdminError(f"unknown option {option} of tracking category {found['Name']}", 404)
            document["Status"] = status
        sandbox.state.mark_changed()
        return json_response(to_debug(document))


def set_currency(sandbox: Sandbox, request: Request, tenant_id: str, code: str) -> Response:
    """Enable or remove a currency (Xero › Settings › Currencies), and set its day rate, as a Xero user would.
    The base currency cannot be removed."""
    body = body_of(request)
    code = code.upper()
    if code not in seed.CURRENCY_NAMES:
        raise AdminError(f"unknown currency {code}", 404)
    with sandbox.state.lock:
        org = _org(sandbox, tenant_id)
        enabled = body.get("enabled", True)
        currencies = [c for c in org["currencies"] if c["Code"] != code]
        if not enabled and code == org["organisation"]["BaseCurrency"]:
            raise AdminError("the base currency cannot be removed")
        org["currencies"] = (currencies + [{"Code": code, "Description": seed.CURRENCY_NAMES[code]}]) if enabled else currencies
        if body.get("rate") is not None:
            org["currency_rates"][code] = Decimal(str(body["rate"]))
        sandbox.state.mark_changed()
        return json_response(to_debug({"currencies": org["currencies"], "currency_rates": org["currency_rates"]}))


def _named(documents: list[dict[str, Any]], id_key: str, key: str) -> dict[str, Any] | None:
    wanted = key.strip().casefold()
    return next((d for d in documents if d[id_key] == wanted or d["Name"].casefold() == wanted), None)


def pay_invoice(sandbox: Sandbox, request: Request, tenant_id: str, invoice_id: str) -> Response:
    """Mark a bill paid as if someone paid it in Xero (approving a draft first)."""
    body = body_of(request)
    with sandbox.state.lock:
        ctx = _admin_context(sandbox, request, tenant_id)
        invoice = ctx.org["invoices"].get(invoice_id.lower())
        if invoice is None:
            raise AdminError(f"unknown invoice {invoice_id}", 404)
        if invoice["Status"] in {"DRAFT", "SUBMITTED"}:
            invoice["Status"] = "AUTHORISED"
        element = {
            "Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": body.get("account_code", "090")},
            "Amount": body.get("amount", str(invoice["AmountDue"])),
            "Date": body.get("date") or utc_now().date().isoformat(),
            "Reference": body.get("reference", "Paid in Xero"),
        }
        try:
            payment = create_payment(ctx, element)
        except ElementInvalid as invalid:
            raise AdminError("; ".join(invalid.messages)) from None
        sandbox.state.mark_changed()
        return json_response({"payment": to_debug(payment), "invoice": to_debug(invoice)})


def set_invoice_status(sandbox: Sandbox, request: Request, tenant_id: str, invoice_id: str) -> Response:
    status = body_of(request).get("status", "").upper()
    if status not in {"AUTHORISED", "VOIDED", "DELETED", "DRAFT", "SUBMITTED"}:
        raise AdminError("status must be DRAFT, SUBMITTED, AUTHORISED, VOIDED or DELETED")
    with sandbox.state.lock:
        invoice = _org(sandbox, tenant_id)["invoices"].get(invoice_id.lower())
        if invoice is None:
            raise AdminError(f"unknown invoice {invoice_id}", 404)
        invoice.update(Status=status, UpdatedDateUTC=utc_now())
        if status in {"VOIDED", "DELETED"}:  # as in Xero: nothing is owed on a bill off the books
            invoice["AmountDue"] = Decimal("0.00")
        sandbox.state.mark_changed()
        return json_response(to_debug(invoice))


def add_bank_account(sandbox: Sandbox, request: Request, tenant_id: str) -> Response:
    """Add a BANK account in one of the organisation's currencies (Xero › Chart of accounts › Add Bank Account);
    a currency the organisation has not enabled is refused, as Xero offers only enabled ones."""
    body = body_of(request)
    code, name = str(body.get("code") or "").strip(), str(body.get("name") or "").strip()
    if not name:
        raise AdminError("name: give the bank account a name")
    with sandbox.state.lock:
        org = _org(sandbox, tenant_id)
        currency = str(body.get("currency") or org["organisation"]["BaseCurrency"]).upper()
        if currency not in {c["Code"] for c in org["currencies"]}:
            raise AdminError(f"Organisation is not subscribed to currency {currency}")
        if code and any((a.get("Code") or "").lower() == code.lower() for a in org["accounts"].values()):
            raise AdminError(f"Please enter a unique Code. '{code}' is already used.")
        key = seed.org_key(tenant_id.lower())
        account = {
            "AccountID": seed.stable_id(key, "bank-account", code or name), "Code": code or None, "Name": name,
            "Status": "ACTIVE", "Type": "BANK", "TaxType": "NONE", "Class": "ASSET", "BankAccountType": "BANK",
            "CurrencyCode": currency, "BankAccountNumber": f"{key.upper()}-{currency}-{code or len(org['accounts'])}",
            "EnablePaymentsToAccount": False, "ShowInExpenseClaims": False, "ReportingCode": "",
            "HasAttachments": False, "UpdatedDateUTC": utc_now(), "AddToWatchlist": False, "SystemAccount": None,
        }
        org["accounts"][account["AccountID"]] = account
        sandbox.state.mark_changed()
        return json_response(to_debug(account))


def bulk_contacts(sandbox: Sandbox, request: Request, tenant_id: str) -> Response:
    body = body_of(request)
    count = int(body.get("count", 1000))
    if not 0 < count <= 200_000:
        raise AdminError("count must be between 1 and 200000")
    with sandbox.state.lock:
        org = _org(sandbox, tenant_id)
        contacts = org["contacts"]
        prefix = body.get("prefix", "Bulk Supplier")
        start = sum(1 for c in contacts.values() if c["Name"].startswith(prefix)) + 1
        now = utc_now()
        currency = org["organisation"]["BaseCurrency"]
        for contact in seed.bulk_contacts(seed.org_key(tenant_id.lower()), start, count, prefix, currency):
            contacts[contact["ContactID"]] = {**contact, "UpdatedDateUTC": now}
        sandbox.state.mark_changed()
    return json_response({"created": count, "total_contacts": len(contacts)})


def _optional_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        raise AdminError(f"{value!r} is not a date") from None


def run_admin(sandbox: Sandbox, request: Request, handler: Any, params: dict[str, Any]) -> Response:
    try:
        response = handler(sandbox, request, **params)
    except AdminError as error:
        response = json_response({"error": str(error)}, error.status)
    except ApiError as error:
        response = json_response(error.body, error.status)
    sandbox.state.save_if_changed()
    return response
