"""Drains on Celery: queued by how urgent their rows are, a turn at a time, several per Xero account.

Workers take the most urgent message first (the Redis broker's priorities; 0 first). A person's "sync
accounting" goes on its own queue, whose drains send only rows people asked for: a worker kept for that
queue (docker-compose's `worker-urgent`) is never busy with a backlog, so it waits seconds, not behind
another customer's backlog; every other worker takes both queues. A drain
that ends its turn with work left queues its next turn behind what is waiting; one whose budget is spent
comes back when it frees.
"""

from collections.abc import Callable

from celery import Task
from django.utils import timezone

from accounting.outbox.models import Priority
from accounting.outbox.results import DrainReport

URGENT_QUEUE = "xero-urgent"  # every worker takes it; a dedicated `-Q xero-urgent` worker keeps it moving
# By row priority; a drain asked for with none (nothing was left to rank) takes the automatic one.
CELERY_PRIORITY: dict[int | None, int] = {Priority.MANUAL: 0, Priority.AUTOMATIC: 4, Priority.BACKFILL: 8}
LONGEST_COUNTDOWN = 300  # later than this the minute sweep queues it (an ETA message held for hours is redelivered)


def drain_queue_now(
    task: Task, xero_account_id: int, priority: int | None = None, countdown: float | None = None
) -> None:
    """Queue a drain; one for a person's rows goes on the urgent queue and sends only those."""
    options: dict[str, float] = {"priority": CELERY_PRIORITY.get(priority, CELERY_PRIORITY[Priority.AUTOMATIC])}
    if countdown is not None:
        options["countdown"] = countdown
    if priority == Priority.MANUAL:
        task.apply_async((xero_account_id,), {"urgent_only": True}, queue=URGENT_QUEUE, **options)
    else:
        task.apply_async((xero_account_id,), **options)


def drains_queue_due(task: Task, outbox, xero_account_ids: list[int]) -> None:
    """After a sweep: a drain for each Xero account with work due, and an urgent one where people wait."""
    most_urgent = outbox.most_urgent_due(xero_account_ids)
    for xero_account_id in xero_account_ids:
        priority = most_urgent.get(xero_account_id, Priority.AUTOMATIC)
        if priority == Priority.MANUAL:  # the urgent queue's drains send only people's rows
            drain_queue_now(task, xero_account_id, Priority.MANUAL)
        drain_queue_now(task, xero_account_id, max(priority, Priority.AUTOMATIC))


def drain_turn(
    task: Task, drain: Callable[..., DrainReport], xero_account_id: int, *, urgent_only: bool = False
) -> DrainReport:
    """Run one turn of `drain` for the Xero account and queue what comes after it."""
    eager = task.app.conf.task_always_eager  # in-process tasks (tests, no broker): one drain at a time
    spawn = None if eager else (lambda priority: drain_queue_now(task, xero_account_id, priority))
    report = drain(xero_account_id=xero_account_id, spawn=spawn, urgent_only=urgent_only)
    if report.retry_at:
        countdown = (report.retry_at - timezone.now()).total_seconds()
        if countdown <= LONGEST_COUNTDOWN:
            drain_queue_now(task, xero_account_id, report.priority, countdown=max(countdown, 1))
    elif report.more:
        drain_queue_now(task, xero_account_id, report.priority)
    return report
