"""Findings (问题): the team records and corrects them while stationed or just withdrawn."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission

from inspections.models import Finding, FindingCategory, Inspection, InspectionState
from inspections.roles import forget_roles
from inspections.services.findings import finding_record, finding_update
from tests import factories as f
from workflows.audit import audit_trail
from workflows.errors import InvalidInput, PermissionDenied, WrongState
from workflows.models import AuditEntry

S = InspectionState
NOW = datetime.datetime(2026, 9, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RECORDERS = ("team_leader", "team_deputy", "team_member")
OTHERS = (
    "leading_group",
    "office",
    "other_team_member",
    "unit_liaison",
    "other_unit_liaison",
    "organ_desk",
    "outsider",
)
NOT_RECORDING = [state for state in S if state not in (S.STATIONED, S.WITHDRAWN)]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def put(obj, **values):
    type(obj).objects.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()
    return obj


@pytest.fixture
def stationed(world) -> Inspection:
    return put(world.inspection, state=S.STATIONED)


def record(inspection, actor, title="违反中央八项规定精神", category=FindingCategory.INTEGRITY):
    return finding_record(inspection=inspection, actor=actor, category=category, title=title)


def nothing_recorded() -> bool:
    return not Finding.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", RECORDERS)
def test_a_member_of_the_team_records_findings_numbered_one_two_three(world, stationed, role):
    actor = getattr(world, role)

    findings = [record(stationed, actor, title=f"问题{n}") for n in range(3)]

    assert [finding.number for finding in findings] == [1, 2, 3]
    stored = Finding.objects.get(pk=findings[0].pk)
    assert (stored.inspection, stored.recorded_by, stored.title) == (stationed, actor, "问题0")
    assert stored.category == FindingCategory.INTEGRITY


def test_findings_are_recorded_while_withdrawn_too(world):
    inspection = put(world.inspection, state=S.WITHDRAWN)

    finding = record(inspection, world.team_leader)

    assert finding.number == 1


def test_each_inspection_numbers_its_own_findings(world, stationed):
    other = put(world.other_inspection, state=S.STATIONED)
    record(stationed, world.team_leader)
    record(stationed, world.team_member)

    finding = record(other, world.other_team_member)

    assert finding.number == 1


def test_numbering_continues_after_the_highest_number(world, stationed):
    f.FindingFactory(inspection=stationed, number=5, recorded_by=world.team_leader)

    assert record(stationed, world.team_member).number == 6


def test_a_recorded_finding_is_audited_and_leaves_the_inspection_version_alone(world, stationed):
    finding = record(stationed, world.team_member)

    (entry,) = audit_trail(finding)
    assert (entry.actor, entry.action) == (world.team_member, "record_finding")
    assert Inspection.objects.get(pk=stationed.pk).version == stationed.version
    assert not audit_trail(stationed).exists()


def test_the_title_and_description_are_stripped(world, stationed):
    finding = finding_record(
        inspection=stationed,
        actor=world.team_leader,
        category=FindingCategory.POLITICAL,
        title="  学习贯彻不深入  ",
        description="  具体表现  ",
    )

    assert (finding.title, finding.description) == ("学习贯彻不深入", "具体表现")


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_outside_the_team_records_a_finding(world, stationed, role):
    with pytest.raises(PermissionDenied) as refused:
        record(stationed, getattr(world, role))

    assert refused.value.code == "permission_denied"
    assert nothing_recorded()


def test_a_django_model_permission_does_not_stand_in_for_a_team_seat(world, stationed):
    # The one `rules` module decides; a "can add finding" grant in the admin
    # must not let someone outside the team write on the team's problem list.
    world.outsider.user_permissions.add(
        Permission.objects.get(content_type__app_label="inspections", codename="add_finding")
    )
    outsider = type(world.outsider).objects.get(pk=world.outsider.pk)
    forget_roles(outsider)

    with pytest.raises(PermissionDenied):
        record(stationed, outsider)

    assert nothing_recorded()


@pytest.mark.parametrize("state", NOT_RECORDING)
def test_no_finding_is_recorded_outside_the_on_site_period(world, state):
    inspection = put(world.inspection, state=state)

    with pytest.raises(WrongState) as refused:
        record(inspection, world.team_leader)

    assert refused.value.code == "wrong_state"
    assert nothing_recorded()


@pytest.mark.parametrize(
    ("inputs", "field_name"),
    [
        ({"category": "bogus"}, "category"),
        ({"category": ""}, "category"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "问" * 301}, "title"),
    ],
    ids=["unknown-category", "no-category", "empty-title", "blank-title", "301-character-title"],
)
def test_a_bad_finding_is_refused_naming_the_field(world, stationed, inputs, field_name):
    values = {"category": FindingCategory.OTHER, "title": "问题", **inputs}

    with pytest.raises(InvalidInput) as refused:
        finding_record(inspection=stationed, actor=world.team_leader, **values)

    assert refused.value.code == "invalid"
    assert field_name in refused.value.fields
    assert nothing_recorded()


def test_a_title_of_exactly_300_characters_is_accepted(world, stationed):
    finding = record(stationed, world.team_leader, title="问" * 300)

    assert len(Finding.objects.get(pk=finding.pk).title) == 300


# Corrections --------------------------------------------------------------------------------


@pytest.fixture
def finding(world, stationed) -> Finding:
    return record(stationed, world.team_leader, title="原标题")


def update(finding, actor, **changes):
    values = {"category": FindingCategory.ORGANISATION, "title": "新标题", **changes}
    return finding_update(finding=finding, actor=actor, **values)


@pytest.mark.parametrize("role", RECORDERS)
def test_a_member_of_the_team_corrects_a_finding_and_it_is_audited(world, finding, role):
    actor = getattr(world, role)

    update(finding, actor, description="补充说明")

    stored = Finding.objects.get(pk=finding.pk)
    assert (stored.number, stored.title, stored.description) == (1, "新标题", "补充说明")
    assert stored.category == FindingCategory.ORGANISATION
    assert stored.recorded_by == world.team_leader
    assert [(e.action, e.actor) for e in audit_trail(stored)] == [
        ("record_finding", world.team_leader),
        ("update_finding", actor),
    ]


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_outside_the_team_corrects_a_finding(world, finding, role):
    with pytest.raises(PermissionDenied):
        update(finding, getattr(world, role))

    assert Finding.objects.get(pk=finding.pk).title == "原标题"
    assert audit_trail(finding).count() == 1


@pytest.mark.parametrize("state", NOT_RECORDING)
def test_a_finding_is_not_corrected_outside_the_on_site_period(world, finding, state):
    put(world.inspection, state=state)

    with pytest.raises(WrongState):
        update(finding, world.team_leader)

    assert Finding.objects.get(pk=finding.pk).title == "原标题"
    assert audit_trail(finding).count() == 1


@pytest.mark.parametrize(
    "changes",
    [{"title": ""}, {"title": "问" * 301}, {"category": "bogus"}],
    ids=["empty-title", "301-character-title", "unknown-category"],
)
def test_a_bad_correction_is_refused(world, finding, changes):
    with pytest.raises(InvalidInput) as refused:
        update(finding, world.team_leader, **changes)

    assert set(refused.value.fields) == set(changes)
    assert Finding.objects.get(pk=finding.pk).title == "原标题"
    assert audit_trail(finding).count() == 1
