"""The refusals of automated vendor payout, in words an admin can act on, and the plan it needs."""

from onport.models import Account, Plan
from onport.errors import ApplicationError

PLAN_MESSAGE = (
    "Automated vendor payouts come with the Advance and Plus plans. Your account is on the Starter plan: "
    "upgrade it to pay vendors from Onport."
)


class PayoutRefused(ApplicationError):
    """Payouts refused this request; the message says why in words an admin can act on."""


class BankDetailsInvalid(PayoutRefused):
    """Bank details a bank would refuse; `errors` maps each form field to what is wrong, in plain words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def payouts_allowed(account: Account) -> bool:
    return account.plan_at_least(Plan.ADVANCE)


def payouts_require_plan(account: Account) -> None:
    if not payouts_allowed(account):
        raise PayoutRefused(PLAN_MESSAGE)
