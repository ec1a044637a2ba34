"""The one read of live deadlines: every face asks the engine, in one query however many rows."""

from __future__ import annotations

import datetime

from django.db.models import Subquery

from tests.workflows.machine.models import Case
from workflows.deadlines import (
    deadline_close,
    deadline_open,
    live_deadlines,
    live_deadlines_of_each,
)
from workflows.models import DeadlineStatus

D = datetime.date


def _open(subject, kind: str, due_on: datetime.date):
    return deadline_open(
        subject=subject,
        kind=kind,
        policy_key="answer",
        starts_on=D(2026, 3, 2),
        due_on=due_on,
        responsible="desk",
    )


def test_each_rows_live_deadlines_come_earliest_first_with_their_policies(
    case, other_case, django_assert_num_queries
):
    later = _open(case, "answer", D(2026, 5, 20))
    sooner = _open(case, "resolution", D(2026, 4, 20))
    other = _open(other_case, "answer", D(2026, 6, 1))
    met = _open(other_case, "resolution", D(2026, 4, 1))
    deadline_close(subject=other_case, kinds=["resolution"], status=DeadlineStatus.MET)

    with django_assert_num_queries(1):
        found = live_deadlines(Case, [case.pk, other_case.pk])
        policies = {d.policy.key for rows in found.values() for d in rows}

    assert found == {case.pk: [sooner, later], other_case.pk: [other]}
    assert met not in found[other_case.pk]
    assert policies == {"answer"}


def test_a_missed_deadline_is_still_live_and_kinds_narrow_the_read(case):
    answer = _open(case, "answer", D(2026, 4, 20))
    _open(case, "resolution", D(2026, 5, 20))
    deadline_close(subject=case, kinds=["answer"], status=DeadlineStatus.MISSED)

    assert live_deadlines(Case, [case.pk], kinds=["answer"]) == {case.pk: [answer]}


def test_no_rows_cost_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert live_deadlines(Case, []) == {}


def test_a_subquery_reads_each_rows_earliest_live_deadline(case, other_case):
    _open(case, "answer", D(2026, 5, 20))
    _open(case, "resolution", D(2026, 4, 20))
    live = live_deadlines_of_each(Case)

    rows = Case.objects.annotate(due_on=Subquery(live.values("due_on")[:1])).order_by("pk")

    assert [(row.pk, row.due_on) for row in rows] == [
        (case.pk, D(2026, 4, 20)),
        (other_case.pk, None),
    ]
