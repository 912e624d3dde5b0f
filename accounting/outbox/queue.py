"""Drains on Celery: queued by how urgent their rows are, a turn at a time, several per Xero account.

Workers take the most urgent message first (the Redis broker's priorities; 0 first), so a person's
"sync accounting" is picked up by the next free worker, not behind another customer's backlog. A drain
that ends its turn with work left queues its next turn behind what is waiting; one whose budget is spent
comes back when it frees.
"""

from collections.abc import Callable

from celery import Task
from django.utils import timezone

from accounting.outbox.models import Priority
from accounting.outbox.results import DrainReport

CELERY_PRIORITY = {Priority.MANUAL: 0, Priority.AUTOMATIC: 4, Priority.BACKFILL: 8}
LONGEST_COUNTDOWN = 300  # later than this the minute sweep queues it (an ETA message held for hours is redelivered)


def drain_queue_now(task: Task, xero_account_id: int, priority: int | None = None, countdown: float | None = None) -> None:
    options = {"priority": CELERY_PRIORITY.get(priority, CELERY_PRIORITY[Priority.AUTOMATIC])}
    if countdown is not None:
        options["countdown"] = countdown
    task.apply_async((xero_account_id,), **options)


def drain_turn(task: Task, drain: Callable[..., DrainReport], xero_account_id: int) -> DrainReport:
    """Run one turn of `drain` for the Xero account and queue what comes after it."""
    eager = task.app.conf.task_always_eager  # in-process tasks (tests, no broker): one drain at a time
    spawn = None if eager else (lambda priority: drain_queue_now(task, xero_account_id, priority))
    report = drain(xero_account_id=xero_account_id, spawn=spawn)
    if report.retry_at:
        countdown = (report.retry_at - timezone.now()).total_seconds()
        if countdown <= LONGEST_COUNTDOWN:
            drain_queue_now(task, xero_account_id, report.priority, countdown=max(countdown, 1))
    elif report.more:
        drain_queue_now(task, xero_account_id, report.priority)
    return report
