"""Set-up and page helpers shared by the inspection-page, portal and leads-desk tests."""

from __future__ import annotations

import datetime

from django.utils import translation

from inspections import models as m
from inspections.web.views.acting import KIND_OF
from tests import factories as f
from tests.helpers import put

TODAY = datetime.date(2026, 11, 26)
FEEDBACK_DAY = datetime.date(2026, 11, 2)


def zh(text) -> str:
    """`text` as the page shows it (zh-hans, whatever the catalogue holds by then)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def page(response) -> str:
    return response.content.decode()


def ready_to_work(world) -> None:
    """The round mobilised and the team authorised, as they are before any inspection moves."""
    put(world.round, state=m.RoundState.MOBILIZED)
    put(world.team, state=m.TeamState.AUTHORIZED)


def at_feedback(world) -> m.Finding:
    """The inspection at feedback_given with one finding: the unit's plan is to be written."""
    ready_to_work(world)
    put(world.inspection, state=m.InspectionState.FEEDBACK_GIVEN, feedback_on=FEEDBACK_DAY)
    return f.FindingFactory(
        inspection=world.inspection,
        number=1,
        title="公务接待管理不规范",
        recorded_by=world.team_member,
    )


def rectifying_item(world, state: str = m.ItemState.IN_PROGRESS, **fields) -> m.RectificationItem:
    """An item of an approved plan, in `state`."""
    ready_to_work(world)
    put(world.inspection, state=m.InspectionState.RECTIFYING, feedback_on=FEEDBACK_DAY)
    item = f.RectificationItemFactory(
        inspection=world.inspection, number=1, problem="财务审批流程不规范", **fields
    )
    return put(item, state=state)


def post(client, user, url, data, **extra):
    client.force_login(user)
    return client.post(url, data, **extra)


def do(record, name: str) -> str:
    """The `do` field a page's form posts for action `name` on `record`."""
    return f"{KIND_OF[type(record)]}:{record.pk}:{name}"
