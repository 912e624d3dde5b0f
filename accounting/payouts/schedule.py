"""When scheduled payout runs are due (daily, weekly, fortnightly, monthly), and collecting them."""

import calendar
import datetime

from django.utils import timezone

from accounting.payouts.errors import PayoutRefused, payouts_require_plan
from accounting.payouts.models import PayoutRun, PayoutSchedule, PayoutSettings
from accounting.payouts.services import payout_run_create
from accounting.payouts.setup import payout_settings_get
from onport.models import Account, Plan


def _add_month(day: datetime.date) -> datetime.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def payout_schedule_due(setup: PayoutSettings, *, today: datetime.date) -> bool:
    if not setup.enabled:
        return False
    last = setup.last_scheduled_on
    if last is None:
        return True
    if setup.schedule == PayoutSchedule.MONTHLY:
        return today >= _add_month(last)
    days = {PayoutSchedule.DAILY: 1, PayoutSchedule.WEEKLY: 7, PayoutSchedule.FORTNIGHTLY: 14}[setup.schedule]
    return today >= last + datetime.timedelta(days=days)


def payout_accounts_due(*, today: datetime.date | None = None) -> list[int]:
    """Accounts (Advance plan and above) whose schedule says a run is due today."""
    today = today or timezone.localdate()
    candidates = PayoutSettings.objects.filter(enabled=True, account__plan__in=[Plan.ADVANCE, Plan.PLUS])
    return [setup.account_id for setup in candidates if payout_schedule_due(setup, today=today)]


def payout_run_scheduled(*, account: Account) -> PayoutRun | None:
    """The scheduled run of one account (waiting for an admin's approval); None when nothing is due."""
    payouts_require_plan(account)
    setup = payout_settings_get(account=account)
    if not payout_schedule_due(setup, today=timezone.localdate()):
        return None
    try:
        return payout_run_create(account=account, scheduled=True)
    except PayoutRefused:
        PayoutSettings.objects.filter(pk=setup.pk).update(last_scheduled_on=timezone.localdate())
        return None
