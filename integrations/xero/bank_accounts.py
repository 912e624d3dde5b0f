"""The organisation's bank accounts: where Setup > Payouts records vendor payments from."""

from dataclasses import dataclass

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.values import text


@dataclass(frozen=True)
class BankAccount:
    account_id: str
    code: str
    name: str
    currency: str

    @property
    def label(self) -> str:
        suffix = f" ({self.currency})" if self.currency else ""
        return f"{self.code} – {self.name}{suffix}" if self.code else f"{self.name}{suffix}"


def bank_accounts(client: XeroClient) -> list[BankAccount]:
    """Active BANK accounts, live from Xero (payments can only be recorded from these)."""
    tenant_id = client.xero_account.tenant_id
    result = client.call(
        lambda: client.accounting.get_accounts(
            tenant_id, where='Type=="BANK"&&Status=="ACTIVE"', order="Code", _request_timeout=request_timeout()
        ),
        tenant_id=tenant_id,
    )
    return [
        BankAccount(
            account_id=text(row.account_id),
            code=text(row.code),
            name=text(row.name),
            currency=text(row.currency_code),
        )
        for row in result.accounts or []
        if text(row.type) == "BANK"
    ]
