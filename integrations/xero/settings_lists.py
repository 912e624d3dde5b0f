"""The organisation's chart of accounts, tax rates and currencies, and Xero's rules for coding a bill.

Setup > Accounting and the per-vendor overrides offer choices from these lists and check a saved
choice against them: a mapping Xero would refuse is never saved.
"""

from dataclasses import dataclass
from decimal import Decimal

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.values import text

# Account types of the ASSET class a bill line may be coded to (stock, equipment, prepayments).
BILLABLE_ASSET_TYPES = frozenset({"CURRENT", "FIXED", "INVENTORY", "NONCURRENT", "PREPAYMENT"})


@dataclass(frozen=True)
class LedgerAccount:
    code: str
    name: str
    type: str  # BANK, DIRECTCOSTS, OVERHEADS, CURRENT, FIXED, INVENTORY, CURRLIAB, …
    account_class: str  # ASSET | EQUITY | EXPENSE | LIABILITY | REVENUE
    status: str  # ACTIVE | ARCHIVED | DELETED
    system_account: str  # "" or DEBTORS, CREDITORS, GST, ROUNDING, …
    enable_payments: bool
    account_id: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


@dataclass(frozen=True)
class TaxRate:
    tax_type: str
    name: str
    rate: Decimal
    status: str  # ACTIVE | DELETED | ARCHIVED | PENDING
    can_apply_to_expenses: bool

    @property
    def label(self) -> str:
        percent = f"{self.rate.normalize():f}%"
        return self.name if percent in self.name else f"{self.name} ({percent})"


@dataclass(frozen=True)
class Currency:
    code: str
    name: str


def accounts(client: XeroClient) -> list[LedgerAccount]:
    tenant_id = client.xero_account.tenant_id
    result = client.call(
        lambda: client.accounting.get_accounts(tenant_id, _request_timeout=request_timeout()), tenant_id=tenant_id
    )
    return [
        LedgerAccount(
            code=text(row.code),
            name=text(row.name),
            type=text(row.type),
            account_class=text(row._class),
            status=text(row.status) or "ACTIVE",
            system_account=text(row.system_account),
            enable_payments=bool(row.enable_payments_to_account),
            account_id=str(row.account_id or ""),
        )
        for row in result.accounts or []
    ]


def tax_rates(client: XeroClient) -> list[TaxRate]:
    tenant_id = client.xero_account.tenant_id
    result = client.call(
        lambda: client.accounting.get_tax_rates(tenant_id, _request_timeout=request_timeout()), tenant_id=tenant_id
    )
    return [
        TaxRate(
            tax_type=text(row.tax_type),
            name=text(row.name),
            rate=Decimal(str(row.effective_rate if row.effective_rate is not None else row.display_tax_rate or 0)),
            status=text(row.status) or "ACTIVE",
            can_apply_to_expenses=bool(row.can_apply_to_expenses),
        )
        for row in result.tax_rates or []
    ]


def currencies(client: XeroClient) -> list[Currency]:
    tenant_id = client.xero_account.tenant_id
    result = client.call(
        lambda: client.accounting.get_currencies(tenant_id, _request_timeout=request_timeout()), tenant_id=tenant_id
    )
    return [Currency(code=text(row.code), name=text(row.description)) for row in result.currencies or []]


# -- Xero's rules for bills, in words a finance person understands ------------------------------


def bill_account_problem(account: LedgerAccount | None, *, code: str, organisation: str) -> str:
    """Why Xero would refuse a bill line coded to this account ("" when it may be used)."""
    if account is None:
        return f"There is no account {code} in {organisation}'s chart of accounts."
    if account.status != "ACTIVE":
        return (
            f"Account {account.label} is archived in Xero, so Xero would refuse bills coded to it. "
            "Choose an active account, or restore it in Xero first."
        )
    if account.type == "BANK":
        return f"Account {account.label} is a bank account: Xero does not let bills be coded to a bank account."
    if account.system_account:
        return (
            f"Account {account.label} is a system account that Xero keeps itself "
            f"({account.system_account.lower()}); Xero refuses bill lines coded to it."
        )
    if account.account_class == "EXPENSE" or (
        account.account_class == "ASSET" and account.type in BILLABLE_ASSET_TYPES
    ):
        return ""
    kind = {"REVENUE": "an income", "EQUITY": "an equity", "LIABILITY": "a liability"}.get(
        account.account_class, "this kind of"
    )
    return f"Account {account.label} is {kind} account; bills from suppliers go to an expense or asset account."


def bill_tax_problem(rate: TaxRate | None, *, tax_type: str, organisation: str) -> str:
    """Why Xero would refuse this tax type on a bill line ("" when it may be used)."""
    if rate is None:
        return f"There is no tax rate {tax_type} in {organisation}."
    if rate.status != "ACTIVE":
        return f"The tax rate “{rate.name}” is no longer active in Xero. Choose another."
    if not rate.can_apply_to_expenses:
        return (
            f"The tax rate “{rate.name}” is for sales only: Xero refuses it on bills. "
            "Choose a tax rate for expenses or purchases."
        )
    return ""
