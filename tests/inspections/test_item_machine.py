"""Rectification items (整改事项): the unit's plan items, immediate notices and the item machine."""

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from inspections import models as m
from inspections.services import rectification
from inspections.services.rectification import (
    ImmediateItem,
    inspection_issue_immediate_notice,
    item_close,
    item_mark_long_term,
    item_report_progress,
    item_return,
    item_start,
    item_submit,
    item_verify,
    plan_item_add,
    plan_item_remove,
    plan_item_update,
)
from inspections.states import InspectionState, inspection_states_from
from tests import factories as f
from tests.roles import ROLES
from workflows.audit import audit_trail
from workflows.errors import ApplicationError
from workflows.models import AuditEntry

S = m.ItemState

TODAY = datetime.date(2026, 5, 20)
FEEDBACK_ON = datetime.date(2026, 5, 10)
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)

TEAM_LEADERS = ("team_leader", "team_deputy")


def roles_except(*allowed: str) -> list[str]:
    return [role for role in ROLES if role not in allowed]


def rows() -> dict:
    """Everything a rectification service could write, to show that a refusal wrote nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (m.RectificationItem, m.Inspection, m.Finding, AuditEntry)
    }


def assert_refused(code: str, call) -> ApplicationError:
    before = rows()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    assert rows() == before
    return caught.value


def only_entry(subject) -> AuditEntry:
    entries = list(audit_trail(subject))
    assert len(entries) == 1
    return entries[0]


def put_inspection(world, state: str) -> m.Inspection:
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=state, feedback_on=FEEDBACK_ON)
    world.inspection.refresh_from_db()
    return world.inspection


def item_at(world, state: str = S.OPEN, **fields: Any) -> m.RectificationItem:
    return f.RectificationItemFactory(inspection=world.inspection, state=state, **fields)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 5, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        tick=False,
    )


@pytest.fixture
def rectifying(world):
    """The plan is approved: items can be worked."""
    put_inspection(world, InspectionState.RECTIFYING)
    return world


@pytest.fixture
def feedback_given(world):
    """Feedback was given on FEEDBACK_ON; the unit is drafting its plan."""
    put_inspection(world, InspectionState.FEEDBACK_GIVEN)
    world.finding = f.FindingFactory(
        inspection=world.inspection,
        number=1,
        title="落实主体责任不到位",
        recorded_by=world.team_member,
    )
    return world


@pytest.fixture
def stationed(world):
    put_inspection(world, InspectionState.STATIONED)
    return world


# The item machine, as a table ---------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    service: Any
    arguments: dict
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]


EDGES = {
    "start": Edge(item_start, {}, (S.OPEN,), S.IN_PROGRESS, ("unit_liaison",)),
    "submit": Edge(
        item_submit,
        {"progress": "已完成", "evidence": "制度文件"},
        (S.IN_PROGRESS, S.LONG_TERM),
        S.SUBMITTED,
        ("unit_liaison",),
    ),
    "return_item": Edge(
        item_return,
        {"reason": "证据不足"},
        (S.SUBMITTED,),
        S.IN_PROGRESS,
        (*TEAM_LEADERS, "office"),
    ),
    "verify": Edge(item_verify, {}, (S.SUBMITTED,), S.VERIFIED, (*TEAM_LEADERS, "office")),
    "close": Edge(item_close, {}, (S.VERIFIED,), S.CLOSED, ("office",)),
    "mark_long_term": Edge(
        item_mark_long_term,
        {"reason": "需长期坚持"},
        (S.OPEN, S.IN_PROGRESS),
        S.LONG_TERM,
        ("office",),
    ),
}

ALLOWED = [
    pytest.param(name, source, actor, id=f"{name}-{source}-{actor}")
    for name, edge in EDGES.items()
    for source in edge.sources
    for actor in edge.actors
]
WRONG_STATES = [
    pytest.param(name, state, id=f"{name}-{state}")
    for name, edge in EDGES.items()
    for state in S.values
    if state not in edge.sources
]
DENIED = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, edge in EDGES.items()
    for role in roles_except(*edge.actors)
]


@pytest.mark.parametrize(("name", "source", "role"), ALLOWED)
def test_an_allowed_actor_moves_the_item_and_the_audit_trail_records_it(
    rectifying, name, source, role
):
    edge = EDGES[name]
    item = item_at(rectifying, source)
    actor = getattr(rectifying, role)

    edge.service(item=item, actor=actor, **edge.arguments)

    item.refresh_from_db()
    assert (item.state, item.version) == (edge.target, 2)
    entry = only_entry(item)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        actor,
        name,
        source,
        edge.target,
    )


@pytest.mark.parametrize(("name", "state"), WRONG_STATES)
def test_a_transition_from_another_state_is_refused(rectifying, name, state):
    edge = EDGES[name]
    item = item_at(rectifying, state)
    actor = getattr(rectifying, edge.actors[0])

    assert_refused("wrong_state", lambda: edge.service(item=item, actor=actor, **edge.arguments))


@pytest.mark.parametrize(("name", "role"), DENIED)
def test_a_transition_is_refused_to_every_other_role(rectifying, name, role):
    edge = EDGES[name]
    item = item_at(rectifying, edge.sources[0])

    assert_refused(
        "permission_denied",
        lambda: edge.service(item=item, actor=getattr(rectifying, role), **edge.arguments),
    )


@pytest.mark.parametrize("name", EDGES)
def test_the_second_of_two_people_acting_on_the_same_item_gets_stale(rectifying, name):
    edge = EDGES[name]
    item = item_at(rectifying, edge.sources[0])
    actor = getattr(rectifying, edge.actors[0])
    first = m.RectificationItem.objects.get(pk=item.pk)
    second = m.RectificationItem.objects.get(pk=item.pk)
    edge.service(item=first, actor=actor, **edge.arguments)

    assert_refused("stale", lambda: edge.service(item=second, actor=actor, **edge.arguments))
    item.refresh_from_db()
    assert (item.state, item.version) == (edge.target, 2)
    assert len(audit_trail(item)) == 1


# What each transition records ----------------------------------------------------------------


def test_submitting_records_the_progress_the_evidence_and_the_date(rectifying):
    item = item_at(rectifying, S.IN_PROGRESS)

    item_submit(
        item=item,
        actor=rectifying.unit_liaison,
        progress="  已修订制度  ",
        evidence=" 文件编号 ",
        on=YESTERDAY,
    )

    item.refresh_from_db()
    assert (item.progress, item.evidence, item.submitted_on) == (
        "已修订制度",
        "文件编号",
        YESTERDAY,
    )


def test_returning_records_the_reason_and_clears_the_submission_date(rectifying):
    item = item_at(rectifying, S.SUBMITTED, submitted_on=YESTERDAY)

    item_return(item=item, actor=rectifying.team_leader, reason="  证据不足  ")

    item.refresh_from_db()
    assert (item.returned_reason, item.submitted_on) == ("证据不足", None)
    assert only_entry(item).note == "证据不足"


def test_verifying_and_signing_off_record_their_dates_and_notes(rectifying):
    item = item_at(rectifying, S.SUBMITTED)

    item_verify(item=item, actor=rectifying.office, on=YESTERDAY, note="现场核查")
    item.refresh_from_db()
    item_close(item=item, actor=rectifying.office, note="同意销号")

    item.refresh_from_db()
    assert (item.state, item.verified_on, item.closed_on, item.version) == (
        S.CLOSED,
        YESTERDAY,
        TODAY,
        3,
    )
    assert [entry.note for entry in audit_trail(item)] == ["现场核查", "同意销号"]


def test_marking_long_term_keeps_the_reason_in_the_audit_trail(rectifying):
    item = item_at(rectifying, S.OPEN)

    item_mark_long_term(item=item, actor=rectifying.office, reason="  需长期坚持  ")

    assert only_entry(item).note == "需长期坚持"


def test_a_long_term_item_can_be_submitted(rectifying):
    item = item_at(rectifying, S.LONG_TERM)

    item = item_submit(
        item=item, actor=rectifying.unit_liaison, progress="阶段完成", evidence="台账"
    )

    assert item.state == S.SUBMITTED


# The start condition -------------------------------------------------------------------------


@pytest.mark.parametrize("state", [InspectionState.FEEDBACK_GIVEN, InspectionState.PLAN_SUBMITTED])
def test_a_plan_item_cannot_be_started_before_the_plan_is_approved(world, state):
    put_inspection(world, state)
    item = item_at(world, S.OPEN)

    with translation.override("en"):
        error = assert_refused(
            "condition_failed", lambda: item_start(item=item, actor=world.unit_liaison)
        )
    assert error.details == ["The rectification plan has not been approved yet."]


@pytest.mark.parametrize("state", inspection_states_from(InspectionState.RECTIFYING))
def test_a_plan_item_can_be_started_once_the_plan_is_approved(world, state):
    put_inspection(world, state)
    item = item_at(world, S.OPEN)

    item = item_start(item=item, actor=world.unit_liaison)

    assert item.state == S.IN_PROGRESS


def test_an_immediate_item_can_be_started_while_the_team_is_stationed(stationed):
    item = item_at(stationed, S.OPEN, is_immediate=True)

    item = item_start(item=item, actor=stationed.unit_liaison, note="立即整改")

    assert item.state == S.IN_PROGRESS
    assert only_entry(item).note == "立即整改"


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"progress": "", "evidence": "文件"}, "progress"),
        ({"progress": "   ", "evidence": "文件"}, "progress"),
        ({"progress": "已完成", "evidence": ""}, "evidence"),
        ({"progress": "已完成", "evidence": "文件", "on": TOMORROW}, "on"),
    ],
)
def test_a_submission_needs_progress_evidence_and_a_date_not_in_the_future(
    rectifying, arguments, field
):
    item = item_at(rectifying, S.IN_PROGRESS)

    error = assert_refused(
        "invalid", lambda: item_submit(item=item, actor=rectifying.unit_liaison, **arguments)
    )
    assert field in error.fields


@pytest.mark.parametrize("reason", ["", "  "])
def test_returning_an_item_needs_a_reason(rectifying, reason):
    item = item_at(rectifying, S.SUBMITTED)

    error = assert_refused(
        "invalid", lambda: item_return(item=item, actor=rectifying.office, reason=reason)
    )
    assert "reason" in error.fields


@pytest.mark.parametrize("reason", ["", "  "])
def test_marking_an_item_long_term_needs_a_reason(rectifying, reason):
    item = item_at(rectifying, S.IN_PROGRESS)

    error = assert_refused(
        "invalid", lambda: item_mark_long_term(item=item, actor=rectifying.office, reason=reason)
    )
    assert "reason" in error.fields


@pytest.mark.parametrize(
    ("service", "state"), [(item_verify, S.SUBMITTED), (item_close, S.VERIFIED)]
)
def test_verifying_or_signing_off_cannot_be_dated_in_the_future(rectifying, service, state):
    item = item_at(rectifying, state)

    error = assert_refused(
        "invalid", lambda: service(item=item, actor=rectifying.office, on=TOMORROW)
    )
    assert "on" in error.fields


# Progress reports ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.IN_PROGRESS, S.LONG_TERM])
def test_the_unit_reports_progress_on_an_item_being_worked(rectifying, state):
    item = item_at(rectifying, state)

    item_report_progress(item=item, actor=rectifying.unit_liaison, progress="  已完成一半  ")

    item.refresh_from_db()
    assert (item.state, item.progress, item.version) == (state, "已完成一半", 2)
    entry = only_entry(item)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        rectifying.unit_liaison,
        "report_progress",
        state,
        state,
    )


@pytest.mark.parametrize("state", [S.OPEN, S.SUBMITTED, S.VERIFIED, S.CLOSED])
def test_no_progress_is_reported_on_an_item_not_being_worked(rectifying, state):
    item = item_at(rectifying, state)

    assert_refused(
        "wrong_state",
        lambda: item_report_progress(item=item, actor=rectifying.unit_liaison, progress="进展"),
    )


@pytest.mark.parametrize("role", roles_except("unit_liaison"))
def test_only_the_units_liaison_reports_progress(rectifying, role):
    item = item_at(rectifying, S.LONG_TERM)

    assert_refused(
        "permission_denied",
        lambda: item_report_progress(item=item, actor=getattr(rectifying, role), progress="进展"),
    )


@pytest.mark.parametrize("progress", ["", "   "])
def test_a_progress_report_cannot_be_empty(rectifying, progress):
    item = item_at(rectifying, S.LONG_TERM)

    error = assert_refused(
        "invalid",
        lambda: item_report_progress(item=item, actor=rectifying.unit_liaison, progress=progress),
    )
    assert "progress" in error.fields


def test_a_progress_report_on_an_item_changed_meanwhile_is_stale(rectifying):
    item = item_at(rectifying, S.LONG_TERM)
    first = m.RectificationItem.objects.get(pk=item.pk)
    second = m.RectificationItem.objects.get(pk=item.pk)
    item_report_progress(item=first, actor=rectifying.unit_liaison, progress="一季度")

    assert_refused(
        "stale",
        lambda: item_report_progress(item=second, actor=rectifying.unit_liaison, progress="二季度"),
    )
    item.refresh_from_db()
    assert (item.progress, item.version) == ("一季度", 2)


# Plan items ---------------------------------------------------------------------------------


def add_item(world, **overrides: Any) -> m.RectificationItem:
    arguments = {
        "inspection": world.inspection,
        "actor": world.unit_liaison,
        "finding": world.finding,
        "measure": "修订议事规则",
        "responsible_person": "李四",
        "due_on": datetime.date(2026, 6, 30),
        **overrides,
    }
    return plan_item_add(**arguments)


def test_the_liaison_adds_a_plan_item_numbered_after_the_existing_items(feedback_given):
    world = feedback_given
    item_at(world, S.IN_PROGRESS, number=1, is_immediate=True)
    item_at(world, S.OPEN, number=2, is_immediate=True)
    f.RectificationItemFactory(inspection=world.other_inspection, number=7)

    item = add_item(world, measure="  修订议事规则  ", responsible_person=" 李四 ")

    item.refresh_from_db()
    assert (item.number, item.state, item.is_immediate, item.version) == (3, S.OPEN, False, 1)
    assert (item.finding, item.problem, item.measure, item.responsible_person, item.due_on) == (
        world.finding,
        "落实主体责任不到位",
        "修订议事规则",
        "李四",
        datetime.date(2026, 6, 30),
    )
    entry = only_entry(item)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        world.unit_liaison,
        "add_plan_item",
        "",
        S.OPEN,
    )


def test_a_plan_item_may_fall_due_on_the_day_of_the_feedback(feedback_given):
    item = add_item(feedback_given, due_on=FEEDBACK_ON)

    assert item.due_on == FEEDBACK_ON


@pytest.mark.parametrize(
    "state", [s for s in InspectionState.values if s != InspectionState.FEEDBACK_GIVEN]
)
def test_plan_items_are_added_only_while_feedback_is_given(feedback_given, state):
    put_inspection(feedback_given, state)

    assert_refused("wrong_state", lambda: add_item(feedback_given))


@pytest.mark.parametrize("role", roles_except("unit_liaison"))
def test_only_the_units_liaison_adds_plan_items(feedback_given, role):
    assert_refused(
        "permission_denied", lambda: add_item(feedback_given, actor=getattr(feedback_given, role))
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"measure": ""}, "measure"),
        ({"measure": "   "}, "measure"),
        ({"responsible_person": ""}, "responsible_person"),
        ({"responsible_person": "张" * 101}, "responsible_person"),
        ({"due_on": None}, "due_on"),
        ({"due_on": FEEDBACK_ON - datetime.timedelta(days=1)}, "due_on"),
    ],
)
def test_a_plan_item_needs_a_measure_a_responsible_person_and_a_due_date(
    feedback_given, overrides, field
):
    error = assert_refused("invalid", lambda: add_item(feedback_given, **overrides))
    assert field in error.fields


def test_a_plan_item_cannot_cover_a_finding_of_another_inspection(feedback_given):
    world = feedback_given
    foreign = f.FindingFactory(
        inspection=world.other_inspection, recorded_by=world.other_team_member
    )

    error = assert_refused("invalid", lambda: add_item(world, finding=foreign))
    assert "finding" in error.fields


def update_item(world, item, **overrides: Any) -> m.RectificationItem:
    arguments = {
        "item": item,
        "actor": world.unit_liaison,
        "measure": "建立长效机制",
        "responsible_person": "王五",
        "due_on": datetime.date(2026, 7, 31),
        **overrides,
    }
    return plan_item_update(**arguments)


def test_the_liaison_changes_an_open_plan_item(feedback_given):
    world = feedback_given
    item = add_item(world)

    update_item(world, item)

    item.refresh_from_db()
    assert (item.measure, item.responsible_person, item.due_on, item.version) == (
        "建立长效机制",
        "王五",
        datetime.date(2026, 7, 31),
        2,
    )
    entry = list(audit_trail(item))[-1]
    assert (entry.actor, entry.action, entry.to_state) == (
        world.unit_liaison,
        "update_plan_item",
        S.OPEN,
    )


@pytest.mark.parametrize("state", [s for s in S.values if s != S.OPEN])
def test_only_an_open_plan_item_can_be_changed(feedback_given, state):
    item = item_at(feedback_given, state, finding=feedback_given.finding)

    assert_refused("wrong_state", lambda: update_item(feedback_given, item))


def test_an_immediate_item_is_not_changed_through_the_plan(feedback_given):
    item = item_at(feedback_given, S.OPEN, is_immediate=True)

    assert_refused("wrong_state", lambda: update_item(feedback_given, item))


@pytest.mark.parametrize("state", [InspectionState.PLAN_SUBMITTED, InspectionState.RECTIFYING])
def test_a_submitted_plan_cannot_be_changed(feedback_given, state):
    item = item_at(feedback_given, S.OPEN, finding=feedback_given.finding)
    put_inspection(feedback_given, state)

    assert_refused("wrong_state", lambda: update_item(feedback_given, item))


@pytest.mark.parametrize("role", roles_except("unit_liaison"))
def test_only_the_units_liaison_changes_plan_items(feedback_given, role):
    item = item_at(feedback_given, S.OPEN, finding=feedback_given.finding)

    assert_refused(
        "permission_denied",
        lambda: update_item(feedback_given, item, actor=getattr(feedback_given, role)),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"measure": ""}, "measure"),
        ({"responsible_person": " "}, "responsible_person"),
        ({"due_on": None}, "due_on"),
        ({"due_on": FEEDBACK_ON - datetime.timedelta(days=1)}, "due_on"),
    ],
)
def test_a_changed_plan_item_still_needs_its_measure_person_and_due_date(
    feedback_given, overrides, field
):
    item = item_at(feedback_given, S.OPEN, finding=feedback_given.finding)

    error = assert_refused("invalid", lambda: update_item(feedback_given, item, **overrides))
    assert field in error.fields


def test_the_second_of_two_changes_to_the_same_plan_item_is_stale(feedback_given):
    world = feedback_given
    item = item_at(world, S.OPEN, finding=world.finding)
    first = m.RectificationItem.objects.get(pk=item.pk)
    second = m.RectificationItem.objects.get(pk=item.pk)
    update_item(world, first, measure="第一人的措施")

    assert_refused("stale", lambda: update_item(world, second, measure="第二人的措施"))
    item.refresh_from_db()
    assert (item.measure, item.version) == ("第一人的措施", 2)


def test_the_liaison_removes_an_open_plan_item_and_the_inspection_keeps_the_record(
    feedback_given,
):
    world = feedback_given
    item = add_item(world)
    number = item.number

    plan_item_remove(item=item, actor=world.unit_liaison)

    assert not m.RectificationItem.objects.filter(pk=item.pk).exists()
    entry = only_entry(world.inspection)
    assert (entry.actor, entry.action, entry.to_state, entry.data) == (
        world.unit_liaison,
        "remove_plan_item",
        InspectionState.FEEDBACK_GIVEN,
        {"item": item.pk, "number": number},
    )
    assert [entry.action for entry in audit_trail(item)] == ["add_plan_item"]


@pytest.mark.parametrize("state", [s for s in S.values if s != S.OPEN])
def test_only_an_open_plan_item_can_be_removed(feedback_given, state):
    item = item_at(feedback_given, state, finding=feedback_given.finding)

    assert_refused(
        "wrong_state", lambda: plan_item_remove(item=item, actor=feedback_given.unit_liaison)
    )


def test_an_immediate_item_cannot_be_removed_from_the_plan(feedback_given):
    item = item_at(feedback_given, S.OPEN, is_immediate=True)

    assert_refused(
        "wrong_state", lambda: plan_item_remove(item=item, actor=feedback_given.unit_liaison)
    )


def test_an_item_of_a_submitted_plan_cannot_be_removed(feedback_given):
    item = item_at(feedback_given, S.OPEN, finding=feedback_given.finding)
    put_inspection(feedback_given, InspectionState.PLAN_SUBMITTED)

    assert_refused(
        "wrong_state", lambda: plan_item_remove(item=item, actor=feedback_given.unit_liaison)
    )


@pytest.mark.parametrize("role", roles_except("unit_liaison"))
def test_only_the_units_liaison_removes_plan_items(feedback_given, role):
    item = item_at(feedback_given, S.OPEN, finding=feedback_given.finding)

    assert_refused(
        "permission_denied",
        lambda: plan_item_remove(item=item, actor=getattr(feedback_given, role)),
    )


# Immediate-rectification notices (立行立改) -----------------------------------------------------


def notice(*due_dates: datetime.date | None) -> list[ImmediateItem]:
    return [
        ImmediateItem(problem=f"  问题{i}  ", measure=f" 措施{i} ", due_on=due)
        for i, due in enumerate(due_dates, start=1)
    ]


@pytest.mark.parametrize("role", TEAM_LEADERS)
def test_a_team_leader_issues_a_notice_whose_items_open_at_once_after_the_existing_ones(
    stationed, role
):
    world = stationed
    actor = getattr(world, role)
    item_at(world, S.IN_PROGRESS, number=1, is_immediate=True)
    f.RectificationItemFactory(inspection=world.other_inspection, number=5)

    items = inspection_issue_immediate_notice(
        inspection=world.inspection,
        actor=actor,
        items=notice(TODAY, datetime.date(2026, 6, 5)),
        note="立行立改通知书第1号",
    )

    assert [(i.number, i.problem, i.measure, i.due_on) for i in items] == [
        (2, "问题1", "措施1", TODAY),
        (3, "问题2", "措施2", datetime.date(2026, 6, 5)),
    ]
    assert all(i.is_immediate and i.state == S.OPEN and i.version == 1 for i in items)
    assert world.inspection.items.count() == 3
    entry = only_entry(world.inspection)
    assert (entry.actor, entry.action, entry.to_state, entry.note, entry.data) == (
        actor,
        "issue_immediate_notice",
        InspectionState.STATIONED,
        "立行立改通知书第1号",
        {"items": 2},
    )


@pytest.mark.parametrize(
    "state", [s for s in InspectionState.values if s != InspectionState.STATIONED]
)
def test_a_notice_is_issued_only_while_the_team_is_stationed(world, state):
    put_inspection(world, state)

    assert_refused(
        "wrong_state",
        lambda: inspection_issue_immediate_notice(
            inspection=world.inspection, actor=world.team_leader, items=notice(TOMORROW)
        ),
    )


@pytest.mark.parametrize("role", roles_except(*TEAM_LEADERS))
def test_only_a_team_leader_issues_a_notice(stationed, role):
    assert_refused(
        "permission_denied",
        lambda: inspection_issue_immediate_notice(
            inspection=stationed.inspection, actor=getattr(stationed, role), items=notice(TOMORROW)
        ),
    )


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "items"),
        (notice(YESTERDAY), "items.0.due_on"),
        (notice(TOMORROW, None), "items.1.due_on"),
        ([ImmediateItem(problem=" ", measure="", due_on=TOMORROW)], "items.0.problem"),
        ([ImmediateItem(problem="问" * 301, measure="", due_on=TOMORROW)], "items.0.problem"),
    ],
)
def test_a_notice_names_at_least_one_problem_each_due_today_or_later(stationed, items, field):
    error = assert_refused(
        "invalid",
        lambda: inspection_issue_immediate_notice(
            inspection=stationed.inspection, actor=stationed.team_leader, items=items
        ),
    )
    assert field in error.fields


def test_a_notice_returns_its_own_items_even_when_another_lands_right_after_it(
    stationed, monkeypatch
):
    # Replays one interleaving of two notices: the deputy's commits between the leader's
    # commit and the moment the leader's service reads back what it created.
    world = stationed
    really_write = rectification.perform_child_write
    interleaved = []

    def write_then_let_the_deputy_in(**arguments):
        child = really_write(**arguments)
        if not interleaved:
            interleaved.append(True)
            inspection_issue_immediate_notice(
                inspection=world.inspection,
                actor=world.team_deputy,
                items=[ImmediateItem(problem="副组长的问题", measure="", due_on=TOMORROW)],
            )
        return child

    monkeypatch.setattr(rectification, "perform_child_write", write_then_let_the_deputy_in)

    items = inspection_issue_immediate_notice(
        inspection=world.inspection, actor=world.team_leader, items=notice(TOMORROW)
    )

    assert interleaved
    assert [(item.number, item.problem) for item in items] == [(1, "问题1")]
