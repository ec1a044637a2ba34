"""S1, S2 and P1: one sweep of a fixed number of due deadlines, and the load-everything way."""

from __future__ import annotations

import datetime
import random

from django.db import connection, transaction

from benchmarks.generate import NOW
from benchmarks.timing import repeat


class DueSet:
    """A fixed sample of live deadlines made due at NOW, restored after every run.

    The same rows each run, so every repetition does the same work; restoring also removes
    the outbox rows the run wrote, so the next run writes them again.
    """

    def __init__(self, size: int, seed: int = 11):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM workflows_deadline WHERE status IN ('open', 'missed') ORDER BY id"
            )
            live = [row[0] for row in cursor.fetchall()]
        if len(live) < size:
            raise ValueError(f"only {len(live)} live deadlines, {size} wanted")
        self.ids = sorted(random.Random(seed).sample(live, size))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_due")
            cursor.execute(
                "CREATE TABLE bench_due AS SELECT id, colour, status, next_action_at,"
                " overdue_reminders FROM workflows_deadline WHERE id = ANY(%s)",
                [self.ids],
            )

    def make_due(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            # Their time came a minute before NOW, as after a sweep that ran a minute ago.
            cursor.execute(
                "UPDATE workflows_deadline SET next_action_at = %s WHERE id = ANY(%s)",
                [NOW - datetime.timedelta(minutes=1), self.ids],
            )

    def restore(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM workflows_outboxmessage WHERE deadline_id = ANY(%s)", [self.ids]
            )
            cursor.execute(
                "UPDATE workflows_deadline d SET colour = b.colour, status = b.status,"
                " next_action_at = b.next_action_at, overdue_reminders = b.overdue_reminders"
                " FROM bench_due b WHERE d.id = b.id"
            )

    def drop(self) -> None:
        self.restore()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_due")


def _our_sweep() -> dict:
    from workflows.sweep import sweep

    return sweep(now=NOW).as_dict()


def _reference_job() -> dict:
    """The reference systems' way: read every live deadline into Python, check each, act.

    Each row is checked as an SLA job checks each finding: its colour and the step its
    policy calls for are worked out in Python (the engine's own functions). The rows acted
    on are the same as the sweep's (their next action has come), and the acting is the same
    code, so the difference is in finding the rows.
    """
    from workflows.deadlines import colour_at, step_due
    from workflows.models import LIVE_STATUSES, Deadline, DeadlinePolicy
    from workflows.sweep import CHUNK_SIZE, _process

    policies = {policy.pk: policy for policy in DeadlinePolicy.objects.all()}
    checked = 0
    due: list[Deadline] = []
    with transaction.atomic():
        for deadline in Deadline.objects.filter(status__in=LIVE_STATUSES).iterator(chunk_size=2000):
            checked += 1
            policy = policies[deadline.policy_id]
            colour_at(deadline, policy, NOW)
            step_due(deadline, policy, NOW)
            if deadline.next_action_at is not None and deadline.next_action_at <= NOW:
                due.append(deadline)
        messages = 0
        for start in range(0, len(due), CHUNK_SIZE):
            messages += _process(due[start : start + CHUNK_SIZE], policies, NOW)
    return {"checked": checked, "deadlines": len(due), "messages": messages}


def stored_counts() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('open', 'missed'))"
            " FROM workflows_deadline"
        )
        stored, live = cursor.fetchone()
    return {"stored": stored, "live": live}


def measure_sweep(due: int, *, repetitions: int = 5) -> dict:
    """One sweep handling exactly `due` deadlines, on whatever is stored now (S1, S2)."""
    sample = DueSet(due)
    try:
        timing = repeat(
            _our_sweep, before=sample.make_due, after=sample.restore, repetitions=repetitions
        )
    finally:
        sample.drop()
    report = timing.pop("last")
    if report["deadlines"] != due:
        raise RuntimeError(f"the sweep handled {report['deadlines']} deadlines, not {due}")
    return {
        **stored_counts(),
        "due": due,
        **timing,
        "messages": report["messages"],
        "deadlines_per_s": round(due / timing["median_s"]),
    }


def measure_reference(due: int, *, repetitions: int = 5) -> dict:
    """P1: the same `due` deadlines found by the load-everything job, then our sweep again."""
    sample = DueSet(due)
    try:
        reference = repeat(
            _reference_job, before=sample.make_due, after=sample.restore, repetitions=repetitions
        )
        ours = repeat(
            _our_sweep, before=sample.make_due, after=sample.restore, repetitions=repetitions
        )
    finally:
        sample.drop()
    checked = reference.pop("last")
    ours.pop("last")
    return {
        **stored_counts(),
        "due": due,
        "reference": {**reference, **checked},
        "ours": ours,
        "speed_up": round(reference["median_s"] / ours["median_s"], 1),
    }
