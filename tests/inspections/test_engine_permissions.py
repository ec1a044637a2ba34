"""Who the domain lets act on the engine's records: the office edits policies and extends
deadlines, the leading group reads them, everyone else sees none of them (inspections/rules.py)."""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from workflows.audit import audit_trail
from workflows.deadlines import deadline_extend, deadline_open
from workflows.errors import PermissionDenied
from workflows.models import Colour, Deadline, DeadlinePolicy, DeadlineStatus
from workflows.policies import policy_update
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
REASON = "单位主要负责人调整,经领导小组同意延期"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """The locale middleware leaves the last request's language active; the next test starts afresh."""
    yield
    translation.deactivate()


# Extending a deadline ------------------------------------------------------------------------


@pytest.fixture
def overdue(world, time_machine) -> Deadline:
    """The plan, due on 26 October 2026, swept red on the 27th; it is now the 28th."""
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    deadline = deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=D(2026, 9, 25),
        responsible="unit",
    )
    time_machine.move_to(at(2026, 10, 27), tick=False)
    sweep()
    time_machine.move_to(at(2026, 10, 28, 10), tick=False)
    deadline.refresh_from_db()
    assert (deadline.colour, deadline.status) == (Colour.RED, DeadlineStatus.MISSED)
    return deadline


def snapshot(deadline: Deadline) -> tuple:
    stored = Deadline.objects.get(pk=deadline.pk)
    return (
        stored.due_on,
        stored.due_at,
        stored.status,
        stored.colour,
        stored.next_action_at,
        stored.overdue_reminders,
        stored.extensions,
        stored.extension_reason,
        audit_trail(stored).count(),
    )


@pytest.mark.parametrize(
    "role",
    [
        "leading_group",
        "team_leader",
        "team_member",
        "unit_liaison",
        "other_unit_liaison",
        "organ_desk",
        "outsider",
    ],
)
def test_only_the_office_may_extend(world, overdue, role):
    before = snapshot(overdue)

    with pytest.raises(PermissionDenied) as refused:
        deadline_extend(
            deadline=overdue, actor=getattr(world, role), due_on=D(2026, 12, 18), reason=REASON
        )

    assert refused.value.code == "permission_denied"
    assert snapshot(overdue) == before


def test_the_office_may_extend(world, overdue):
    extended = deadline_extend(
        deadline=overdue, actor=world.office, due_on=D(2026, 12, 18), reason=REASON
    )

    assert (extended.due_on, extended.extensions) == (D(2026, 12, 18), 1)


# Policies, in code and in the admin ----------------------------------------------------------


def stored(key: str) -> dict:
    """Every column of the stored policy, and how many audit rows it has."""
    policy = DeadlinePolicy.objects.get(key=key)
    return {**model_to_dict(policy), "audit_entries": audit_trail(policy).count()}


def staff_client(client, user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def change_url(policy: DeadlinePolicy) -> str:
    return reverse("admin:workflows_deadlinepolicy_change", args=[policy.pk])


def form_data(policy: DeadlinePolicy, **changes) -> dict:
    """What the change form posts for the policy as stored, with `changes` typed in."""
    data = {
        "name": policy.name,
        "duration": "" if policy.duration is None else str(policy.duration),
        "unit": policy.unit,
        "reminder_days": json.dumps(policy.reminder_days),
        "yellow_days": str(policy.yellow_days),
        "yellow_audiences": json.dumps(policy.yellow_audiences),
        "red_audiences": json.dumps(policy.red_audiences),
        "overdue_first_interval_days": str(policy.overdue_first_interval_days),
        "overdue_max_interval_days": str(policy.overdue_max_interval_days),
        "repeats_every_months": ""
        if policy.repeats_every_months is None
        else str(policy.repeats_every_months),
        "_save": "Save",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    "role", ["leading_group", "team_leader", "unit_liaison", "organ_desk", "outsider"]
)
def test_only_the_office_changes_policies(world, role):
    before = stored("plan")

    with pytest.raises(PermissionDenied):
        policy_update(
            policy=DeadlinePolicy.objects.get(key="plan"), actor=getattr(world, role), duration=2
        )

    assert stored("plan") == before


def test_the_office_changes_policies(world):
    policy_update(policy=DeadlinePolicy.objects.get(key="plan"), actor=world.office, duration=2)

    assert DeadlinePolicy.objects.get(key="plan").duration == 2


def test_the_leading_group_reads_policies_but_cannot_change_them(client, world):
    reader = staff_client(client, world.leading_group)
    policy = DeadlinePolicy.objects.get(key="plan")
    before = stored("plan")

    page = reader.get(change_url(policy))
    post = reader.post(change_url(policy), form_data(policy, duration="2"))

    assert page.status_code == 200
    assert 'name="duration"' not in page.content.decode()
    assert post.status_code == 403
    assert stored("plan") == before


def test_people_outside_the_office_and_leading_group_see_no_deadlines(client, world):
    outsider = staff_client(client, world.team_leader)

    for name in ("deadline", "outboxmessage", "deadlinepolicy"):
        response = outsider.get(reverse(f"admin:workflows_{name}_changelist"))
        assert response.status_code == 403, name
