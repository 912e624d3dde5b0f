"""URL routing of the sandbox: Xero's identity and accounting paths, plus /_sandbox admin paths."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Map, Rule

from . import (
    admin,
    attachments,
    contacts,
    credit_notes,
    history,
    identity,
    invoices,
    org_settings,
    payments,
    webhook_admin,
)

API = "/api.xro/2.0"

# endpoint name -> (handler, scope group); handlers take (ctx, **path params)
API_ENDPOINTS: dict[str, tuple[Any, str]] = {
    "organisation": (org_settings.get_organisation, "settings"),
    "accounts": (org_settings.get_accounts, "settings"),
    "account": (org_settings.get_account, "settings"),
    "tax_rates": (org_settings.get_tax_rates, "settings"),
    "currencies": (org_settings.get_currencies, "settings"),
    "tracking_categories": (org_settings.get_tracking_categories, "settings"),
    "tracking_category": (org_settings.get_tracking_category, "settings"),
    "contacts.list": (contacts.get_contacts, "contacts"),
    "contacts.put": (contacts.put_contacts, "contacts"),
    "contacts.post": (contacts.post_contacts, "contacts"),
    "contact.get": (contacts.get_contact, "contacts"),
    "contact.post": (contacts.post_contact, "contacts"),
    "invoices.list": (invoices.get_invoices, "invoices"),
    "invoices.put": (invoices.put_invoices, "invoices"),
    "invoices.post": (invoices.post_invoices, "invoices"),
    "invoice.get": (invoices.get_invoice, "invoices"),
    "invoice.post": (invoices.post_invoice, "invoices"),
    "invoice.history.get": (history.get_invoice_history, "invoices"),
    "invoice.history.put": (history.put_invoice_history, "invoices"),
    "invoice.attachments.list": (attachments.get_attachments, "attachments"),
    "invoice.attachment.get": (attachments.get_attachment_content, "attachments"),
    "invoice.attachment.upload": (attachments.upload_attachment, "attachments"),
    "credit_notes.list": (credit_notes.get_credit_notes, "invoices"),
    "credit_notes.put": (credit_notes.put_credit_notes, "invoices"),
    "credit_notes.post": (credit_notes.post_credit_notes, "invoices"),
    "credit_note.get": (credit_notes.get_credit_note, "invoices"),
    "credit_note.post": (credit_notes.post_credit_note, "invoices"),
    "credit_note.allocations.put": (credit_notes.put_allocations, "invoices"),
    "credit_note.allocation.delete": (credit_notes.delete_allocation, "invoices"),
    "payments.list": (payments.get_payments, "payments"),
    "payments.put": (payments.put_payments, "payments"),
    "payments.post": (payments.post_payments, "payments"),
    "payment.get": (payments.get_payment, "payments"),
    "payment.post": (payments.post_payment, "payments"),
}
IDENTITY_ENDPOINTS = {
    "authorize.page": identity.authorize_page, "authorize.decision": identity.authorize_decision,
    "token": identity.token, "revocation": identity.revocation, "connections.list": identity.list_connections,
    "connections.delete": identity.delete_connection, "openid": identity.openid_configuration,
}
ADMIN_ENDPOINTS = {
    "admin.state": admin.get_state, "admin.requests": admin.get_requests, "admin.reset": admin.reset,
    "admin.config": admin.config, "admin.faults": admin.faults, "admin.consent": admin.consent,
    "admin.disconnect": admin.disconnect_tenant, "admin.expire_tokens": admin.expire_tokens,
    "admin.lock_dates": admin.lock_dates, "admin.status": admin.set_status, "admin.pay": admin.pay_invoice,
    "admin.invoice_status": admin.set_invoice_status, "admin.bulk_contacts": admin.bulk_contacts,
    "admin.bank_accounts": admin.add_bank_account,
    "admin.tracking_status": admin.set_tracking_status,
    "admin.currency": admin.set_currency,
    "admin.organisations": admin.organisations, "admin.grants": admin.issue_grants,
    "admin.webhooks": webhook_admin.webhooks,
    "admin.webhook_action": webhook_admin.webhook_action,
}


def _collection_rules(path: str, name: str, singular: str, writable: bool = True) -> list[Rule]:
    rules = [Rule(f"{API}/{path}", methods=["GET"], endpoint=f"{name}.list"),
             Rule(f"{API}/{path}/<item_id>", methods=["GET"], endpoint=f"{singular}.get")]
    if writable:
        rules += [Rule(f"{API}/{path}", methods=["PUT"], endpoint=f"{name}.put"),
                  Rule(f"{API}/{path}", methods=["POST"], endpoint=f"{name}.post"),
                  Rule(f"{API}/{path}/<item_id>", methods=["POST"], endpoint=f"{singular}.post")]
    return rules


URL_MAP = Map([
    Rule("/identity/connect/authorize", methods=["GET"], endpoint="authorize.page"),
    Rule("/identity/connect/authorize", methods=["POST"], endpoint="authorize.decision"),
    Rule("/connect/token", methods=["POST"], endpoint="token"),
    Rule("/connect/revocation", methods=["POST"], endpoint="revocation"),
    Rule("/connections", methods=["GET"], endpoint="connections.list"),
    Rule("/connections/<connection_id>", methods=["DELETE"], endpoint="connections.delete"),
    Rule("/.well-known/openid-configuration", methods=["GET"], endpoint="openid"),
    Rule(f"{API}/Organisation", methods=["GET"], endpoint="organisation"),
    Rule(f"{API}/Accounts", methods=["GET"], endpoint="accounts"),
    Rule(f"{API}/Accounts/<account_id>", methods=["GET"], endpoint="account"),
    Rule(f"{API}/TaxRates", methods=["GET"], endpoint="tax_rates"),
    Rule(f"{API}/Currencies", methods=["GET"], endpoint="currencies"),
    Rule(f"{API}/TrackingCategories", methods=["GET"], endpoint="tracking_categories"),
    Rule(f"{API}/TrackingCategories/<tracking_category_id>", methods=["GET"], endpoint="tracking_category"),
    *_collection_rules("Contacts", "contacts", "contact"),
    *_collection_rules("Invoices", "invoices", "invoice"),
    Rule(f"{API}/Invoices/<item_id>/History", methods=["GET"], endpoint="invoice.history.get"),
    Rule(f"{API}/Invoices/<item_id>/History", methods=["PUT"], endpoint="invoice.history.put"),
    Rule(f"{API}/Invoices/<item_id>/Attachments", methods=["GET"], endpoint="invoice.attachments.list"),
    Rule(f"{API}/Invoices/<item_id>/Attachments/<path:file_name>", methods=["GET"], endpoint="invoice.attachment.get"),
    Rule(f"{API}/Invoices/<item_id>/Attachments/<path:file_name>", methods=["PUT", "POST"],
         endpoint="invoice.attachment.upload"),
    *_collection_rules("CreditNotes", "credit_notes", "credit_note"),
    Rule(f"{API}/CreditNotes/<item_id>/Allocations", methods=["PUT"], endpoint="credit_note.allocations.put"),
    Rule(f"{API}/CreditNotes/<item_id>/Allocations/<allocation_id>", methods=["DELETE"],
         endpoint="credit_note.allocation.delete"),
    *_collection_rules("Payments", "payments", "payment"),
    Rule("/_sandbox/state", methods=["GET"], endpoint="admin.state"),
    Rule("/_sandbox/requests", methods=["GET"], endpoint="admin.requests"),
    Rule("/_sandbox/reset", methods=["POST"], endpoint="admin.reset"),
    Rule("/_sandbox/config", methods=["GET", "POST"], endpoint="admin.config"),
    Rule("/_sandbox/faults", methods=["GET", "POST"], endpoint="admin.faults"),
    Rule("/_sandbox/consent", methods=["POST"], endpoint="admin.consent"),
    Rule("/_sandbox/tenants/<tenant_id>/disconnect", methods=["POST"], endpoint="admin.disconnect"),
    Rule("/_sandbox/organisations", methods=["POST"], endpoint="admin.organisations"),
    Rule("/_sandbox/grants", methods=["POST"], endpoint="admin.grants"),
    Rule("/_sandbox/tokens/expire", methods=["POST"], endpoint="admin.expire_tokens"),
    Rule("/_sandbox/orgs/<tenant_id>/lock-dates", methods=["POST"], endpoint="admin.lock_dates"),
    Rule("/_sandbox/orgs/<tenant_id>/<any(contacts, accounts, taxrates):kind>/<key>/status", methods=["POST"],
         endpoint="admin.status"),
    Rule("/_sandbox/orgs/<tenant_id>/trackingcategories/<category>/status", methods=["POST"],
         endpoint="admin.tracking_status"),
    Rule("/_sandbox/orgs/<tenant_id>/trackingcategories/<category>/options/<option>/status", methods=["POST"],
         endpoint="admin.tracking_status"),
    Rule("/_sandbox/orgs/<tenant_id>/invoices/<invoice_id>/pay", methods=["POST"], endpoint="admin.pay"),
    Rule("/_sandbox/orgs/<tenant_id>/invoices/<invoice_id>/status", methods=["POST"], endpoint="admin.invoice_status"),
    Rule("/_sandbox/orgs/<tenant_id>/contacts/bulk", methods=["POST"], endpoint="admin.bulk_contacts"),
    Rule("/_sandbox/orgs/<tenant_id>/bank-accounts", methods=["POST"], endpoint="admin.bank_accounts"),
    Rule("/_sandbox/orgs/<tenant_id>/currencies/<code>", methods=["POST"], endpoint="admin.currency"),
    Rule("/_sandbox/webhooks", methods=["GET", "POST"], endpoint="admin.webhooks"),
    Rule("/_sandbox/webhooks/<any(remove, intent, forge, replay, idle):action>", methods=["POST"],
         endpoint="admin.webhook_action"),
], strict_slashes=False)

# Xero's paths are case-insensitive; known segments are normalised to the spelling the rules use.
CANONICAL_SEGMENTS = {segment.lower(): segment for segment in (
    "Organisation", "Accounts", "TaxRates", "Currencies", "TrackingCategories", "Contacts", "Invoices", "History",
    "Attachments", "CreditNotes", "Allocations", "Payments", "connections", "api.xro", "identity", "connect",
)}
PARAM_NAMES = {"item_id": {"account": "account_id", "contact": "contact_id", "invoice": "invoice_id",
                           "credit_note": "credit_note_id", "payment": "payment_id"}}


def canonical_path(path: str) -> str:
    if path.startswith("/_sandbox/"):
        return path
    segments = path.split("/")
    return "/".join(CANONICAL_SEGMENTS.get(segment.lower(), segment) if index < 6 else segment
                    for index, segment in enumerate(segments))
