"""The sweep with the domain's own adapter (inspections/notifications/): its steps reach people."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from inspections.models import InspectionState, RoundState, TeamState
from inspections.services import inspections as inspection_services
from tests import factories as f
from tests.helpers import put
from workflows.deadlines import deadlines_of
from workflows.models import Colour, DeadlineStatus, OutboxMessage
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
RED = ("responsible", "party_head", "office")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def prepare(world, state: str):
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    finding = f.FindingFactory(inspection=world.inspection, number=1, recorded_by=world.team_member)
    put(world.inspection, state=state)
    return finding


def test_the_domain_names_recipients_for_the_red_step(world, time_machine):
    """With the domain's own adapter (inspections/notifications/): the red step reaches people."""
    prepare(world, InspectionState.HEARD)
    world.unit.party_head_name = "局党组书记"
    world.unit.party_head_email = "head@example.org"
    world.unit.save()
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    inspection_services.inspection_give_feedback(
        inspection=world.inspection, actor=world.office, consent_reference="会议"
    )
    plan = deadlines_of(world.inspection).get(kind="plan")
    time_machine.move_to(at(2026, 10, 27), tick=False)

    sweep()

    messages = list(OutboxMessage.objects.filter(deadline=plan))
    assert messages, "the domain's adapter named nobody for the red step"
    assert {message.context["step"] for message in messages} == {"red"}
    assert {message.context["audience"] for message in messages} <= set(RED)
    for message in messages:
        assert message.key == (f"deadline:{plan.pk}:2026-10-26:0:red:{message.recipient_email}")
    plan.refresh_from_db()
    assert (plan.colour, plan.status) == (Colour.RED, DeadlineStatus.MISSED)
