"""Deadline policies: the office edits them through one service and one check, in code and in the admin."""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from inspections.models import InspectionState, RoundState, TeamState
from inspections.services import inspections as inspection_services
from tests import factories as f
from tests.helpers import put
from workflows.audit import audit_trail
from workflows.deadlines import deadline_open, deadlines_of
from workflows.errors import InvalidInput, PermissionDenied
from workflows.models import AuditEntry, Deadline, DeadlinePolicy, OutboxMessage
from workflows.policies import EDITABLE, policy_update, validate_policy

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def stored(key: str) -> dict:
    """Every column of the stored policy, and how many audit rows it has."""
    policy = DeadlinePolicy.objects.get(key=key)
    return {**model_to_dict(policy), "audit_entries": audit_trail(policy).count()}


# The check ----------------------------------------------------------------------------------


def test_every_default_policy_passes_the_check():
    for policy in DeadlinePolicy.objects.all():
        values = {name: getattr(policy, name) for name in EDITABLE}
        assert validate_policy(values, date_set=policy.duration is None) == {}, policy.key


def test_the_check_judges_only_the_fields_it_is_given():
    assert validate_policy({"yellow_days": 5}) == {}
    assert list(validate_policy({"overdue_max_interval_days": 0})) == ["overdue_max_interval_days"]


def test_the_check_names_every_field_that_is_wrong_at_once():
    errors = validate_policy(
        {
            "name": " ",
            "duration": 0,
            "unit": "weeks",
            "reminder_days": [0, "x"],
            "yellow_days": -1,
            "yellow_audiences": ["boss"],
            "red_audiences": [],
            "overdue_first_interval_days": 0,
            "overdue_max_interval_days": 0,
            "repeats_every_months": 0,
        }
    )

    assert set(errors) == set(EDITABLE)
    assert len(errors["reminder_days"]) == 2  # 0 and "x", each named


# The service refuses bad values, naming the field, and changes nothing -------------------------

REFUSED = [
    ("zero duration", "plan", {"duration": 0}, "duration"),
    ("negative duration", "plan", {"duration": -5}, "duration"),
    ("no duration for a period", "plan", {"duration": None}, "duration"),
    ("a duration as text", "plan", {"duration": "60"}, "duration"),
    ("a duration of True", "plan", {"duration": True}, "duration"),
    ("ten thousand days", "on_site_regular", {"duration": 10000}, "duration"),
    ("a duration for a date-set policy", "item", {"duration": 30}, "duration"),
    ("an unknown unit", "plan", {"unit": "weeks"}, "unit"),
    ("an empty name", "plan", {"name": "  "}, "name"),
    ("reminders not a list", "plan", {"reminder_days": 20}, "reminder_days"),
    ("reminders as text", "plan", {"reminder_days": "20"}, "reminder_days"),
    ("a zero reminder", "plan", {"reminder_days": [20, 0]}, "reminder_days"),
    ("a negative reminder", "plan", {"reminder_days": [-3]}, "reminder_days"),
    ("a fractional reminder", "plan", {"reminder_days": [20.5]}, "reminder_days"),
    ("a reminder twice", "plan", {"reminder_days": [20, 20]}, "reminder_days"),
    ("a reminder inside yellow", "plan", {"reminder_days": [30, 5]}, "reminder_days"),
    (
        "yellow swallowing the reminder",
        "plan",
        {"yellow_days": 25},
        "reminder_days",
    ),
    ("negative yellow", "plan", {"yellow_days": -1}, "yellow_days"),
    ("an unknown yellow audience", "plan", {"yellow_audiences": ["boss"]}, "yellow_audiences"),
    ("yellow audiences as text", "plan", {"yellow_audiences": "supervisor"}, "yellow_audiences"),
    ("an unknown red audience", "plan", {"red_audiences": ["office", "mayor"]}, "red_audiences"),
    ("nobody told at red", "plan", {"red_audiences": []}, "red_audiences"),
    ("an audience twice", "plan", {"red_audiences": ["office", "office"]}, "red_audiences"),
    (
        "a zero first interval",
        "plan",
        {"overdue_first_interval_days": 0},
        "overdue_first_interval_days",
    ),
    (
        "a longest gap shorter than the first",
        "plan",
        {"overdue_first_interval_days": 8, "overdue_max_interval_days": 4},
        "overdue_max_interval_days",
    ),
    (
        "repeats every zero months",
        "long_term_progress",
        {"repeats_every_months": 0},
        "repeats_every_months",
    ),
]


@pytest.mark.parametrize(
    ("key", "fields", "field"),
    [pytest.param(key, fields, field, id=name) for name, key, fields, field in REFUSED],
)
def test_bad_values_are_refused_with_the_field_named_and_nothing_changes(world, key, fields, field):
    before = stored(key)

    with pytest.raises(InvalidInput) as refused:
        policy_update(policy=DeadlinePolicy.objects.get(key=key), actor=world.office, **fields)

    assert refused.value.code == "invalid"
    assert list(refused.value.fields) == [field]
    assert all(refused.value.fields[field])
    assert stored(key) == before


def test_one_bad_field_keeps_the_good_ones_from_being_saved(world):
    before = stored("plan")

    with pytest.raises(InvalidInput) as refused:
        policy_update(
            policy=DeadlinePolicy.objects.get(key="plan"),
            actor=world.office,
            duration=2,
            yellow_days=12,
            red_audiences=["responsible", "everyone"],
        )

    assert list(refused.value.fields) == ["red_audiences"]
    assert "everyone" in refused.value.fields["red_audiences"][0]
    assert stored("plan") == before


def test_the_key_cannot_be_changed(world):
    before = stored("plan")

    with pytest.raises(InvalidInput) as refused:
        policy_update(policy=DeadlinePolicy.objects.get(key="plan"), actor=world.office, key="x")

    assert list(refused.value.fields) == ["key"]
    assert stored("plan") == before


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


# A valid edit --------------------------------------------------------------------------------


def test_a_valid_edit_is_saved_with_an_audit_row_of_what_changed(world):
    policy = DeadlinePolicy.objects.get(key="plan")

    updated = policy_update(
        policy=policy,
        actor=world.office,
        duration=6,
        unit="working_days",
        reminder_days=[30, 20],
        yellow_audiences=["supervisor"],
        name=" 报送整改方案 ",
    )

    saved = DeadlinePolicy.objects.get(key="plan")
    assert (saved.duration, saved.unit, saved.reminder_days, saved.yellow_audiences) == (
        6,
        "working_days",
        [30, 20],
        ["supervisor"],
    )
    assert saved.name == updated.name == "报送整改方案"
    (entry,) = audit_trail(saved)
    assert (entry.action, entry.actor) == ("update_policy", world.office)
    assert entry.data["changes"]["duration"] == {"from": 1, "to": 6}
    assert entry.data["changes"]["unit"] == {"from": "months", "to": "working_days"}
    assert entry.data["changes"]["reminder_days"] == {"from": [20], "to": [30, 20]}
    assert set(entry.data["changes"]) == {
        "duration",
        "unit",
        "reminder_days",
        "yellow_audiences",
        "name",
    }


def test_an_edit_that_changes_nothing_writes_nothing(world):
    before = stored("plan")

    policy_update(policy=DeadlinePolicy.objects.get(key="plan"), actor=world.office, duration=1)

    assert stored("plan") == before


def test_a_date_set_policy_keeps_no_duration_and_its_other_fields_can_change(world):
    policy_update(
        policy=DeadlinePolicy.objects.get(key="item"),
        actor=world.office,
        duration=None,
        reminder_days=[15],
    )

    saved = DeadlinePolicy.objects.get(key="item")
    assert (saved.duration, saved.reminder_days) == (None, [15])


def test_a_new_duration_applies_to_deadlines_opened_afterwards(world, time_machine):
    put(world.round, state=RoundState.MOBILIZED)
    for team in (world.team, world.other_team):
        put(team, state=TeamState.AUTHORIZED)
    for inspection in (world.inspection, world.other_inspection):
        put(inspection, state=InspectionState.STATIONED)
    time_machine.move_to(at(2026, 9, 28, 17), tick=False)
    inspection_services.inspection_withdraw(inspection=world.inspection, actor=world.team_leader)

    policy_update(policy=DeadlinePolicy.objects.get(key="report"), actor=world.office, duration=20)
    other_leader = world.other_team.members.get(role="leader").user
    inspection_services.inspection_withdraw(inspection=world.other_inspection, actor=other_leader)

    # Opened before the edit: 15 working days. After it: 20, five working days later.
    assert deadlines_of(world.inspection).get(kind="report").due_on == D(2026, 10, 23)
    assert deadlines_of(world.other_inspection).get(kind="report").due_on == D(2026, 10, 30)


def test_a_new_yellow_period_colours_the_next_sweep(world, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    deadline = deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=D(2026, 9, 25),
        responsible="unit",
    )
    policy_update(
        policy=DeadlinePolicy.objects.get(key="plan"),
        actor=world.office,
        yellow_days=15,
        reminder_days=[25],
    )
    deadline_open(
        subject=world.other_inspection,
        kind="plan",
        policy_key="plan",
        starts_on=D(2026, 9, 25),
        responsible="unit",
    )

    later = deadlines_of(world.other_inspection).get(kind="plan")
    assert deadline.next_action_at == at(2026, 10, 7)  # scheduled under the old policy
    assert later.next_action_at == at(2026, 10, 2)  # 25 days before 27 October


# The admin -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """The locale middleware leaves the last request's language active; the next test starts afresh."""
    yield
    translation.deactivate()


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


def test_the_office_sees_the_policy_form(client, world):
    office = staff_client(client, world.office)
    policy = DeadlinePolicy.objects.get(key="plan")

    page = office.get(change_url(policy))

    assert page.status_code == 200
    html = page.content.decode()
    for name in EDITABLE:
        assert f'name="{name}"' in html
    assert 'name="key"' not in html  # the key is shown, not edited


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"duration": "0"}, "duration", "greater than zero"),
        ({"reminder_days": "[20, -1]"}, "reminder_days", "-1 is not a number of days"),
        ({"red_audiences": '["office", "mayor"]'}, "red_audiences", "“mayor” is not an audience"),
        ({"red_audiences": "[]"}, "red_audiences", "at least one audience"),
        ({"red_audiences": ""}, "red_audiences", "Enter a list"),
        ({"yellow_days": "25"}, "reminder_days", "must come before the yellow warning"),
        (
            {"overdue_first_interval_days": "8", "overdue_max_interval_days": "4"},
            "overdue_max_interval_days",
            "cannot be shorter",
        ),
    ],
)
def test_the_admin_form_shows_the_error_and_changes_nothing(client, world, changes, field, message):
    office = staff_client(client, world.office)
    policy = DeadlinePolicy.objects.get(key="plan")
    before = stored("plan")

    response = office.post(change_url(policy), form_data(policy, **changes))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&quot;", '"')
    assert stored("plan") == before


def test_the_admin_form_lets_nobody_be_told_at_yellow(client, world):
    office = staff_client(client, world.office)
    policy = DeadlinePolicy.objects.get(key="plan")

    response = office.post(change_url(policy), form_data(policy, yellow_audiences="[]"))

    assert response.status_code == 302
    assert DeadlinePolicy.objects.get(key="plan").yellow_audiences == []


def test_a_negative_duration_is_refused_by_the_form_field_and_changes_nothing(client, world):
    office = staff_client(client, world.office)
    policy = DeadlinePolicy.objects.get(key="plan")
    before = stored("plan")

    response = office.post(change_url(policy), form_data(policy, duration="-3"))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["duration"]
    assert stored("plan") == before


def test_the_admin_saves_a_valid_edit_through_the_service(client, world):
    office = staff_client(client, world.office)
    policy = DeadlinePolicy.objects.get(key="report")

    response = office.post(
        change_url(policy), form_data(policy, duration="20", reminder_days="[25]")
    )

    assert response.status_code == 302
    saved = DeadlinePolicy.objects.get(key="report")
    assert (saved.duration, saved.reminder_days) == (20, [25])
    (entry,) = audit_trail(saved)
    assert (entry.action, entry.actor) == ("update_policy", world.office)
    assert entry.data["changes"] == {
        "duration": {"from": 15, "to": 20},
        "reminder_days": {"from": [], "to": [25]},
    }


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


def test_policies_are_neither_added_nor_deleted_in_the_admin(client, world):
    office = staff_client(client, world.office)
    policy = DeadlinePolicy.objects.get(key="plan")

    add = office.get(reverse("admin:workflows_deadlinepolicy_add"))
    delete = office.post(
        reverse("admin:workflows_deadlinepolicy_delete", args=[policy.pk]), {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert DeadlinePolicy.objects.filter(pk=policy.pk).exists()


def test_deadlines_and_the_outbox_are_read_only_lists_for_the_office(
    client, world, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    for inspection in [world.inspection, world.other_inspection] + [
        f.InspectionFactory(round=world.round) for _ in range(5)
    ]:
        deadline_open(
            subject=inspection,
            kind="plan",
            policy_key="plan",
            starts_on=D(2026, 9, 25),
            responsible="unit",
            responsible_name=str(inspection.unit),
        )
    deadline = deadlines_of(world.inspection).get()
    message = OutboxMessage.objects.create(
        key="deadline:test", deadline=deadline, template="emails/deadline", recipient_email="a@b.cn"
    )
    office = staff_client(client, world.office)

    with django_assert_max_num_queries(20):  # as many for 7 rows as for 1
        deadlines = office.get(
            reverse("admin:workflows_deadline_changelist"), {"status__exact": "open"}
        )
    detail = office.get(reverse("admin:workflows_deadline_change", args=[deadline.pk]))
    outbox = office.get(reverse("admin:workflows_outboxmessage_changelist"))
    outbox_detail = office.get(reverse("admin:workflows_outboxmessage_change", args=[message.pk]))
    edit = office.post(
        reverse("admin:workflows_deadline_change", args=[deadline.pk]),
        {"due_on": "2027-01-01", "_save": "Save"},
    )

    assert deadlines.status_code == 200
    assert deadlines.context["cl"].result_count == 7
    assert str(world.inspection) in deadlines.content.decode()
    assert 'name="action"' not in deadlines.content.decode()  # no actions: no bulk extension
    assert detail.status_code == outbox.status_code == outbox_detail.status_code == 200
    assert 'name="due_on"' not in detail.content.decode()
    assert 'name="key"' not in outbox_detail.content.decode()
    assert "deadline:test" in outbox.content.decode()
    assert edit.status_code == 403
    assert Deadline.objects.get(pk=deadline.pk).due_on == D(2026, 10, 26)
    assert not AuditEntry.objects.filter(action="admin_change").exists()


def test_people_outside_the_office_and_leading_group_see_no_deadlines(client, world):
    outsider = staff_client(client, world.team_leader)

    for name in ("deadline", "outboxmessage", "deadlinepolicy"):
        response = outsider.get(reverse(f"admin:workflows_{name}_changelist"))
        assert response.status_code == 403, name
