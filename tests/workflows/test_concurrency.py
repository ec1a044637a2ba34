"""Two people acting at the same moment: real threads, each with its own database connection."""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from inspections import models as m
from inspections.services.findings import finding_record
from inspections.services.inspections import (
    inspection_hear_report,
    inspection_return_report,
    inspection_station,
)
from inspections.services.leads import lead_decide, lead_register
from inspections.services.rectification import (
    ImmediateItem,
    inspection_issue_immediate_notice,
    item_verify,
)
from tests import factories as f
from workflows.audit import audit_trail
from workflows.errors import StaleObject
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Longer than SQLite's busy timeout (20 s), so a queued writer is never cut off by the test.
JOIN_TIMEOUT = 30
BARRIER_TIMEOUT = 10
MONDAY = datetime.date(2025, 3, 3)
TUESDAY = datetime.date(2025, 3, 4)


@dataclass
class Outcome:
    result: Any = None
    error: Exception | None = None


def race(load: Callable[[], Any], *acts: Callable[[Any], Any]) -> list[Outcome]:
    """Each act runs in its own thread on the object that thread loaded; a barrier starts them."""
    barrier = threading.Barrier(len(acts))
    outcomes = [Outcome() for _ in acts]

    def contender(outcome: Outcome, act: Callable[[Any], Any]) -> None:
        try:
            loaded = load()
            barrier.wait(timeout=BARRIER_TIMEOUT)
            outcome.result = act(loaded)
        except Exception as error:
            outcome.error = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=contender, args=(outcome, act), daemon=True)
        for outcome, act in zip(outcomes, acts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a contender did not finish"
    return outcomes


def one_wins(outcomes: list[Outcome]) -> int:
    """The index of the single winner; the other must have been told the row is stale."""
    winners = [i for i, outcome in enumerate(outcomes) if outcome.error is None]
    losers = [outcome.error for outcome in outcomes if outcome.error is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert isinstance(losers[0], StaleObject), outcomes
    assert losers[0].code == "stale"
    return winners[0]


def all_win(outcomes: list[Outcome]) -> None:
    assert [outcome.error for outcome in outcomes] == [None] * len(outcomes), outcomes


def put_inspection(world, state: str) -> m.Inspection:
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=state)
    world.inspection.refresh_from_db()
    return world.inspection


def test_two_team_leaders_stationing_at_once_one_wins_and_the_other_is_stale(world):
    inspection = put_inspection(world, m.InspectionState.NOTIFIED)
    contenders = [(world.team_leader, MONDAY), (world.team_deputy, TUESDAY)]

    outcomes = race(
        lambda: m.Inspection.objects.get(pk=inspection.pk),
        *[
            lambda loaded, actor=actor, on=on: inspection_station(
                inspection=loaded, actor=actor, on=on
            )
            for actor, on in contenders
        ],
    )

    winner, winners_date = contenders[one_wins(outcomes)]
    inspection.refresh_from_db()
    assert (inspection.state, inspection.stationed_on) == (
        m.InspectionState.STATIONED,
        winners_date,
    )
    assert inspection.version == 2
    assert [(e.actor, e.action) for e in audit_trail(inspection)] == [(winner, "station")]


def test_a_team_leader_and_the_office_verifying_one_item_at_once_one_wins(world):
    put_inspection(world, m.InspectionState.RECTIFYING)
    item = f.RectificationItemFactory(inspection=world.inspection, state=m.ItemState.SUBMITTED)
    contenders = [(world.team_leader, MONDAY), (world.office, TUESDAY)]

    outcomes = race(
        lambda: m.RectificationItem.objects.get(pk=item.pk),
        *[
            lambda loaded, actor=actor, on=on: item_verify(item=loaded, actor=actor, on=on)
            for actor, on in contenders
        ],
    )

    winner, winners_date = contenders[one_wins(outcomes)]
    item.refresh_from_db()
    assert (item.state, item.verified_on, item.version) == (
        m.ItemState.VERIFIED,
        winners_date,
        2,
    )
    assert [(e.actor, e.action) for e in audit_trail(item)] == [(winner, "verify")]


def test_returning_and_hearing_one_report_at_once_leaves_only_the_winners_state(world):
    inspection = put_inspection(world, m.InspectionState.REPORTED)
    contenders = [
        (
            "return_report",
            m.InspectionState.WITHDRAWN,
            lambda loaded: inspection_return_report(
                inspection=loaded, actor=world.leading_group, reason="报告需补充"
            ),
        ),
        (
            "hear_report",
            m.InspectionState.HEARD,
            lambda loaded: inspection_hear_report(
                inspection=loaded, actor=world.leading_group, on=MONDAY
            ),
        ),
    ]

    outcomes = race(
        lambda: m.Inspection.objects.get(pk=inspection.pk), *[act for _, _, act in contenders]
    )

    action, target, _ = contenders[one_wins(outcomes)]
    inspection.refresh_from_db()
    assert (inspection.state, inspection.version) == (target, 2)
    if action == "hear_report":
        assert (inspection.heard_on, inspection.returned_reason) == (MONDAY, "")
    else:
        assert (inspection.heard_on, inspection.returned_reason) == (None, "报告需补充")
    assert [e.action for e in audit_trail(inspection)] == [action]


def test_two_leading_group_members_deciding_one_lead_at_once_one_wins(world):
    inspection = put_inspection(world, m.InspectionState.STATIONED)
    lead = f.LeadFactory(inspection=inspection, registered_by=world.team_leader)
    second_member = f.LeadingGroupMemberFactory(user__username="lg2").user
    contenders = [
        (world.leading_group, m.Route.DISCIPLINE, world.organ),
        (second_member, m.Route.OTHER, None),
    ]

    outcomes = race(
        lambda: m.Lead.objects.get(pk=lead.pk),
        *[
            lambda loaded, actor=actor, route=route, organ=organ: lead_decide(
                lead=loaded, actor=actor, route=route, receiving_organ=organ
            )
            for actor, route, organ in contenders
        ],
    )

    winner, route, organ = contenders[one_wins(outcomes)]
    lead.refresh_from_db()
    assert (lead.state, lead.route, lead.receiving_organ, lead.version) == (
        m.LeadState.DECIDED,
        route,
        organ,
        2,
    )
    assert [(e.actor, e.action) for e in audit_trail(lead)] == [(winner, "decide")]


def test_two_findings_recorded_at_once_are_numbered_one_and_two(world):
    inspection = put_inspection(world, m.InspectionState.STATIONED)

    outcomes = race(
        lambda: m.Inspection.objects.get(pk=inspection.pk),
        *[
            lambda loaded, actor=actor: finding_record(
                inspection=loaded, actor=actor, category="political", title=f"{actor}发现的问题"
            )
            for actor in (world.team_leader, world.team_member)
        ],
    )

    all_win(outcomes)
    assert sorted(inspection.findings.values_list("number", flat=True)) == [1, 2]
    assert sorted(outcome.result.number for outcome in outcomes) == [1, 2]
    assert AuditEntry.objects.filter(action="record_finding").count() == 2


def test_two_leads_registered_at_once_are_numbered_one_and_two(world):
    inspection = put_inspection(world, m.InspectionState.STATIONED)

    outcomes = race(
        lambda: m.Inspection.objects.get(pk=inspection.pk),
        *[
            lambda loaded, actor=actor: lead_register(
                inspection=loaded, actor=actor, summary=f"{actor}登记的线索"
            )
            for actor in (world.team_leader, world.team_deputy)
        ],
    )

    all_win(outcomes)
    assert sorted(inspection.leads.values_list("number", flat=True)) == [1, 2]
    assert AuditEntry.objects.filter(action="register_lead").count() == 2


def test_two_immediate_notices_issued_at_once_never_share_an_item_number(world):
    inspection = put_inspection(world, m.InspectionState.STATIONED)
    due = timezone.localdate() + datetime.timedelta(days=30)

    outcomes = race(
        lambda: m.Inspection.objects.get(pk=inspection.pk),
        *[
            lambda loaded, actor=actor: inspection_issue_immediate_notice(
                inspection=loaded,
                actor=actor,
                items=[
                    ImmediateItem(problem=f"{actor}问题{i}", measure="", due_on=due) for i in (1, 2)
                ],
            )
            for actor in (world.team_leader, world.team_deputy)
        ],
    )

    all_win(outcomes)
    assert sorted(inspection.items.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert AuditEntry.objects.filter(action="issue_immediate_notice").count() == 2
