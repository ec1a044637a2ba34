"""Who the domain lets act on the engine's records: the office edits policies and extends
deadlines, the leading group reads them, everyone else sees none of them (inspections/rules.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.deadline_checks import (
    D,
    deadline_snapshot,
    missed_deadline,
    policy_change_url,
    policy_form_data,
    staff_client,
    stored_policy,
)
from workflows.deadlines import deadline_extend
from workflows.errors import PermissionDenied
from workflows.models import Deadline, DeadlinePolicy
from workflows.policies import policy_update

pytestmark = pytest.mark.django_db

REASON = "单位主要负责人调整,经领导小组同意延期"


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """The locale middleware leaves the last request's language active; the next test starts afresh."""
    yield
    translation.deactivate()


@pytest.fixture
def overdue(world, time_machine) -> Deadline:
    """The plan, due on 26 October 2026, swept red on the 27th; it is now the 28th."""
    return missed_deadline(
        time_machine, subject=world.inspection, kind="plan", policy_key="plan", responsible="unit"
    )


# Extending a deadline ------------------------------------------------------------------------


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
    before = deadline_snapshot(overdue)

    with pytest.raises(PermissionDenied) as refused:
        deadline_extend(
            deadline=overdue, actor=getattr(world, role), due_on=D(2026, 12, 18), reason=REASON
        )

    assert refused.value.code == "permission_denied"
    assert deadline_snapshot(overdue) == before


def test_the_office_may_extend(world, overdue):
    extended = deadline_extend(
        deadline=overdue, actor=world.office, due_on=D(2026, 12, 18), reason=REASON
    )

    assert (extended.due_on, extended.extensions) == (D(2026, 12, 18), 1)


# Policies, in code and in the admin ----------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["leading_group", "team_leader", "unit_liaison", "organ_desk", "outsider"]
)
def test_only_the_office_changes_policies(world, role):
    before = stored_policy("plan")

    with pytest.raises(PermissionDenied):
        policy_update(
            policy=DeadlinePolicy.objects.get(key="plan"), actor=getattr(world, role), duration=2
        )

    assert stored_policy("plan") == before


def test_the_office_changes_policies(world):
    policy_update(policy=DeadlinePolicy.objects.get(key="plan"), actor=world.office, duration=2)

    assert DeadlinePolicy.objects.get(key="plan").duration == 2


def test_the_leading_group_reads_policies_but_cannot_change_them(client, world):
    reader = staff_client(client, world.leading_group)
    policy = DeadlinePolicy.objects.get(key="plan")
    before = stored_policy("plan")

    page = reader.get(policy_change_url(policy))
    post = reader.post(policy_change_url(policy), policy_form_data(policy, duration="2"))

    assert page.status_code == 200
    assert 'name="duration"' not in page.content.decode()
    assert post.status_code == 403
    assert stored_policy("plan") == before


def test_people_outside_the_office_and_leading_group_see_no_deadlines(client, world):
    outsider = staff_client(client, world.team_leader)

    for name in ("deadline", "outboxmessage", "deadlinepolicy"):
        response = outsider.get(reverse(f"admin:workflows_{name}_changelist"))
        assert response.status_code == 403, name
