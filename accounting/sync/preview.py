"""Preview bill: exactly what sync accounting would send to Xero for an invoice, the amounts Xero will compute from
it, and every problem that would stop it — without calling Xero.

The bill comes from the same preflight as the outbox's (`bill_draft`), so the preview cannot drift from what is
sent. Account codes, tax types and the currency are checked against Xero's lists as Onport last read them (a few
minutes' cache); when none were read lately the page says so, and the tax rates are then Onport's own.
"""

from dataclasses import dataclass
from decimal import Decimal

from accounting.outbox.results import Problem
from accounting.setup.models import LineAmountType
from accounting.setup.selectors import accounting_settings_read
from accounting.sync.currencies import PreviewCurrency, preview_currency
from accounting.sync.inputs import BillDraft, CodingContext, bill_draft
from accounting.sync.models import AccountingSync
from accounting.sync.selectors import invoice_sync
from integrations.models import XeroAccount
from integrations.xero.mapping import bill_totals, fingerprint
from integrations.xero_lists import XeroLists, xero_lists_cached
from invoicing.models import PurchaseInvoice


@dataclass(frozen=True)
class PreviewLine:
    description: str
    quantity: int
    unit_amount: Decimal
    account_code: str
    account_name: str
    account_rule: str  # which setting chose the account code
    tax_type: str
    tax_name: str
    tax_rate: Decimal
    amount: Decimal
    tax: Decimal


@dataclass(frozen=True)
class BillPreview:
    xero_account: XeroAccount | None
    draft: BillDraft | None
    contact_name: str
    lines: tuple[PreviewLine, ...]
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal
    problems: tuple[str, ...]
    checked_in_xero: bool  # codes, tax types and currency checked against Xero's lists as last read
    in_xero: str  # what a sync would do with the bill Xero has
    invoice_total: Decimal
    currency: PreviewCurrency | None = None  # a foreign-currency bill: the rate used, the base-currency totals

    @property
    def differs_from_invoice(self) -> bool:
        """Xero's arithmetic (tax per line) gives another total than Onport's invoice."""
        return bool(self.lines) and self.total != self.invoice_total


def bill_preview(*, invoice: PurchaseInvoice) -> BillPreview:
    setup = accounting_settings_read(account=invoice.account)
    sync = invoice_sync(invoice=invoice)
    xero_account = sync.xero_account if sync and sync.xero_id else setup.xero_account
    if xero_account is None:
        return BillPreview(
            xero_account=None,
            draft=None,
            contact_name="",
            lines=(),
            sub_total=Decimal("0.00"),
            total_tax=Decimal("0.00"),
            total=Decimal("0.00"),
            checked_in_xero=False,
            in_xero="",
            invoice_total=invoice.total,
            problems=("Choose the Xero account to sync to in Setup > Accounting first.",),
        )
    context = CodingContext.load(xero_account=xero_account, invoices=[invoice])
    draft = bill_draft(invoice, context, posting_date=sync.posting_date if sync else None)
    lists = xero_lists_cached(xero_account=xero_account)
    problems = [problem.message for problem in draft.problems]
    if not xero_account.is_ready:
        problems.insert(
            0,
            f"The Xero account “{xero_account.name}” is not connected: reconnect it under "
            "Integrations › Xero; nothing is sent until then.",
        )
    if lists is not None:
        problems += [problem.message for problem in _list_problems(draft, lists)]
    drafted = _lines(invoice, draft, lists)
    totals = bill_totals(draft.bill, line_rates=tuple(line.tax_rate for line in drafted))
    lines = tuple(
        PreviewLine(**{**line.__dict__, "unit_amount": total.unit_amount, "amount": total.amount, "tax": total.tax})
        for line, total in zip(drafted, totals.lines, strict=True)
    )
    link = context.links.get(invoice.vendor_id)
    return BillPreview(
        xero_account=xero_account,
        draft=draft,
        contact_name=link.contact_name if link else "",
        lines=lines,
        sub_total=totals.sub_total,
        total_tax=totals.total_tax,
        total=totals.total,
        problems=tuple(problems),
        checked_in_xero=lists is not None,
        in_xero=_what_a_sync_does(sync, draft, problems),
        invoice_total=invoice.total,
        currency=preview_currency(
            context.currencies, invoice, sub_total=totals.sub_total, total_tax=totals.total_tax, total=totals.total
        ),
    )


def _lines(invoice: PurchaseInvoice, draft: BillDraft, lists: XeroLists | None) -> list[PreviewLine]:
    no_tax = draft.bill.line_amount_type == LineAmountType.NO_TAX
    lines = []
    for own, line, rule in zip(invoice.lines.all(), draft.bill.lines, draft.account_rules, strict=True):
        account = lists.by_code.get(line.account_code) if lists else None
        rate = lists.by_tax_type.get(line.tax_type) if lists and line.tax_type else None
        lines.append(
            PreviewLine(
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                account_code=line.account_code,
                account_name=account.name if account else "",
                account_rule=rule,
                tax_type=line.tax_type,
                tax_name=rate.name if rate else "",
                tax_rate=Decimal(0) if no_tax else (rate.rate if rate else own.tax_rate),
                amount=Decimal(0),
                tax=Decimal(0),
            )
        )
    return lines


def _list_problems(draft: BillDraft, lists: XeroLists) -> list[Problem]:
    """What Xero would refuse by its own lists: archived or unusable accounts, tax types, a currency not enabled."""
    problems = []
    # a currency not enabled: the preflight's own (Onport's copy is refreshed whenever these lists are read)
    rules: dict[str, list[str]] = {}  # code → every rule that chose it (a category may share the default's code)
    for line, rule in zip(draft.bill.lines, draft.account_rules, strict=True):
        if rule not in rules.setdefault(line.account_code, []):
            rules[line.account_code].append(rule)
    for code, chosen_by in rules.items():
        if code and (message := lists.account_problem(code)):
            problems.append(Problem(f"{message} (Set in {' and '.join(chosen_by)}.)"))
    for tax_type in dict.fromkeys(line.tax_type for line in draft.bill.lines if line.tax_type):
        if message := lists.tax_problem(tax_type):
            problems.append(Problem(f"{message} (Set in Setup > Accounting or the vendor's tax override.)"))
    return problems


def _what_a_sync_does(sync: AccountingSync | None, draft: BillDraft, problems: list[str]) -> str:
    if problems:
        return "Nothing is sent to Xero until the problems above are fixed."
    if sync is None or not sync.xero_id:
        return "sync accounting would create this bill in Xero."
    if sync.synced_fingerprint and sync.synced_fingerprint == fingerprint(draft.bill):
        return "Xero already has exactly this bill: sync accounting would send nothing."
    return "Xero has an older version of this bill: sync accounting would update it to this."
