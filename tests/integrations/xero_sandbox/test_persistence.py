"""A sandbox with a state file loses nothing across a restart: data, grants, tokens, idempotency keys."""

from __future__ import annotations

from decimal import Decimal

from xero_python.accounting import Contact, Contacts
from xero_python.api_client.oauth2 import TokenApi

from integrations.xero.sandbox.server import SandboxServer
from tests.fixtures.xero_sandbox import XeroSandbox

from .builders import bill, bills


def point_sdk_at(monkeypatch, sandbox: XeroSandbox) -> None:
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{sandbox.base_url}/connect/token")


def test_everything_survives_a_restart(tmp_path, monkeypatch):
    state_file = tmp_path / "xero-sandbox.json"
    first = XeroSandbox(server=SandboxServer(state_file=state_file).start())
    try:
        token = first.connect()
        xero = first.sdk(token)
        uk, acme = first.uk_tenant_id, first.seeded_contact_id(first.uk_tenant_id, "Acme Packaging Ltd")
        created = xero.accounting.create_invoices(
            uk, bills(bill(acme)), summarize_errors=False, idempotency_key="persisted"
        ).invoices[0]
        archive = Contacts(contacts=[Contact(contact_status="ARCHIVED")])
        xero.accounting.update_contact(uk, first.seeded_contact_id(uk, "Cobalt Freight"), archive)
    finally:
        first.server.stop()

    second = XeroSandbox(server=SandboxServer(state_file=state_file).start())
    try:
        point_sdk_at(monkeypatch, second)
        xero = second.sdk(token)  # the access token issued before the restart
        fetched = xero.accounting.get_invoice(uk, created.invoice_id).invoices[0]
        replay = xero.accounting.create_invoices(
            uk, bills(bill(acme)), summarize_errors=False, idempotency_key="persisted"
        ).invoices[0]
        refreshed = xero.api_client.refresh_oauth2_token()

        assert (fetched.total, fetched.status) == (Decimal("12"), "AUTHORISED")
        assert replay.invoice_id == created.invoice_id
        assert "Cobalt Freight" not in {c.name for c in xero.accounting.get_contacts(uk).contacts}
        assert refreshed["access_token"] != token["access_token"]
        assert len(second.state(uk)["orgs"][uk]["invoices"]) == 1
    finally:
        second.server.stop()


def test_a_new_state_file_starts_from_the_seed(tmp_path):
    server = SandboxServer(state_file=tmp_path / "new.json").start()
    server.stop()

    assert (tmp_path / "new.json").exists() and b"Onport Demo (UK)" in (tmp_path / "new.json").read_bytes()
