"""Deadline policies: edited through one service and one check, in code and in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.deadline_checks import (
    D,
    at,
    policy_change_url,
    policy_form_data,
    staff_client,
    stored_policy,
)
from tests.workflows.machine.models import Case, Task
from tests.workflows.machine.services import put, take
from workflows.audit import audit_trail
from workflows.deadlines import deadline_open, deadlines_of
from workflows.errors import InvalidInput, PermissionDenied
from workflows.models import AuditEntry, Deadline, DeadlinePolicy, OutboxMessage
from workflows.policies import EDITABLE, policy_update, validate_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _machine_policies(policies):
    """Every test here reads or edits the machine's policies."""


# The check ----------------------------------------------------------------------------------


def test_every_policy_of_the_machine_passes_the_check(policies):
    for policy in DeadlinePolicy.objects.filter(key__in=policies):
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
    ("zero duration", "answer", {"duration": 0}, "duration"),
    ("negative duration", "answer", {"duration": -5}, "duration"),
    ("no duration for a period", "answer", {"duration": None}, "duration"),
    ("a duration as text", "answer", {"duration": "60"}, "duration"),
    ("a duration of True", "answer", {"duration": True}, "duration"),
    ("ten thousand days", "review", {"duration": 10000}, "duration"),
    ("a duration for a date-set policy", "task", {"duration": 30}, "duration"),
    ("an unknown unit", "answer", {"unit": "weeks"}, "unit"),
    ("an empty name", "answer", {"name": "  "}, "name"),
    ("reminders not a list", "answer", {"reminder_days": 20}, "reminder_days"),
    ("reminders as text", "answer", {"reminder_days": "20"}, "reminder_days"),
    ("a zero reminder", "answer", {"reminder_days": [20, 0]}, "reminder_days"),
    ("a negative reminder", "answer", {"reminder_days": [-3]}, "reminder_days"),
    ("a fractional reminder", "answer", {"reminder_days": [20.5]}, "reminder_days"),
    ("a reminder twice", "answer", {"reminder_days": [20, 20]}, "reminder_days"),
    ("a reminder inside yellow", "answer", {"reminder_days": [30, 5]}, "reminder_days"),
    (
        "yellow swallowing the reminder",
        "answer",
        {"yellow_days": 25},
        "reminder_days",
    ),
    ("negative yellow", "answer", {"yellow_days": -1}, "yellow_days"),
    ("an unknown yellow audience", "answer", {"yellow_audiences": ["boss"]}, "yellow_audiences"),
    ("yellow audiences as text", "answer", {"yellow_audiences": "supervisor"}, "yellow_audiences"),
    ("an unknown red audience", "answer", {"red_audiences": ["office", "mayor"]}, "red_audiences"),
    ("nobody told at red", "answer", {"red_audiences": []}, "red_audiences"),
    ("an audience twice", "answer", {"red_audiences": ["office", "office"]}, "red_audiences"),
    (
        "a zero first interval",
        "answer",
        {"overdue_first_interval_days": 0},
        "overdue_first_interval_days",
    ),
    (
        "a longest gap shorter than the first",
        "answer",
        {"overdue_first_interval_days": 8, "overdue_max_interval_days": 4},
        "overdue_max_interval_days",
    ),
    (
        "repeats every zero months",
        "progress",
        {"repeats_every_months": 0},
        "repeats_every_months",
    ),
]


@pytest.mark.parametrize(
    ("key", "fields", "field"),
    [pytest.param(key, fields, field, id=name) for name, key, fields, field in REFUSED],
)
def test_bad_values_are_refused_with_the_field_named_and_nothing_changes(
    people, key, fields, field
):
    before = stored_policy(key)

    with pytest.raises(InvalidInput) as refused:
        policy_update(policy=DeadlinePolicy.objects.get(key=key), actor=people.clerk, **fields)

    assert refused.value.code == "invalid"
    assert list(refused.value.fields) == [field]
    assert all(refused.value.fields[field])
    assert stored_policy(key) == before


def test_one_bad_field_keeps_the_good_ones_from_being_saved(people):
    before = stored_policy("answer")

    with pytest.raises(InvalidInput) as refused:
        policy_update(
            policy=DeadlinePolicy.objects.get(key="answer"),
            actor=people.clerk,
            duration=2,
            yellow_days=12,
            red_audiences=["responsible", "everyone"],
        )

    assert list(refused.value.fields) == ["red_audiences"]
    assert "everyone" in refused.value.fields["red_audiences"][0]
    assert stored_policy("answer") == before


def test_the_key_cannot_be_changed(people):
    before = stored_policy("answer")

    with pytest.raises(InvalidInput) as refused:
        policy_update(policy=DeadlinePolicy.objects.get(key="answer"), actor=people.clerk, key="x")

    assert list(refused.value.fields) == ["key"]
    assert stored_policy("answer") == before


@pytest.mark.parametrize("role", ["reader", "owner", "desk", "outsider"])
def test_only_those_the_rules_let_change_policies(people, role):
    before = stored_policy("answer")

    with pytest.raises(PermissionDenied):
        policy_update(
            policy=DeadlinePolicy.objects.get(key="answer"),
            actor=getattr(people, role),
            duration=2,
        )

    assert stored_policy("answer") == before


# A valid edit --------------------------------------------------------------------------------


def test_a_valid_edit_is_saved_with_an_audit_row_of_what_changed(people):
    policy = DeadlinePolicy.objects.get(key="answer")

    updated = policy_update(
        policy=policy,
        actor=people.clerk,
        duration=6,
        unit="working_days",
        reminder_days=[30, 20],
        yellow_audiences=["supervisor"],
        name=" 答复来函件 ",
    )

    saved = DeadlinePolicy.objects.get(key="answer")
    assert (saved.duration, saved.unit, saved.reminder_days, saved.yellow_audiences) == (
        6,
        "working_days",
        [30, 20],
        ["supervisor"],
    )
    assert saved.name == updated.name == "答复来函件"
    (entry,) = audit_trail(saved)
    assert (entry.action, entry.actor) == ("update_policy", people.clerk)
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


def test_an_edit_that_changes_nothing_writes_nothing(people):
    before = stored_policy("answer")

    policy_update(policy=DeadlinePolicy.objects.get(key="answer"), actor=people.clerk, duration=1)

    assert stored_policy("answer") == before


def test_a_date_set_policy_keeps_no_duration_and_its_other_fields_can_change(people):
    policy_update(
        policy=DeadlinePolicy.objects.get(key="task"),
        actor=people.clerk,
        duration=None,
        reminder_days=[15],
    )

    saved = DeadlinePolicy.objects.get(key="task")
    assert (saved.duration, saved.reminder_days) == (None, [15])


def test_a_new_duration_applies_to_deadlines_opened_afterwards(
    people, case, other_case, time_machine
):
    for each in (case, other_case):
        put(each, urgent=True)
        Task.objects.create(case=each, number=1, title="报送材料")
    time_machine.move_to(at(2026, 9, 28, 17), tick=False)
    take(case, "file", people.owner, on=D(2026, 9, 28))

    policy_update(
        policy=DeadlinePolicy.objects.get(key="urgent_answer"), actor=people.clerk, duration=20
    )
    take(other_case, "file", people.other_owner, on=D(2026, 9, 28))

    # Opened before the edit: 15 working days. After it: 20, five working days later.
    assert deadlines_of(case).get(kind="answer").due_on == D(2026, 10, 23)
    assert deadlines_of(other_case).get(kind="answer").due_on == D(2026, 10, 30)


def test_a_new_yellow_period_colours_the_next_sweep(people, case, other_case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    deadline = deadline_open(
        subject=case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 25),
        responsible="desk",
    )
    policy_update(
        policy=DeadlinePolicy.objects.get(key="answer"),
        actor=people.clerk,
        yellow_days=15,
        reminder_days=[25],
    )
    deadline_open(
        subject=other_case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 25),
        responsible="desk",
    )

    later = deadlines_of(other_case).get(kind="answer")
    assert deadline.next_action_at == at(2026, 10, 6)  # scheduled under the old policy
    assert later.next_action_at == at(2026, 10, 1)  # 25 days before 26 October


# The admin -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """The locale middleware leaves the last request's language active; the next test starts afresh."""
    yield
    translation.deactivate()


def test_a_clerk_sees_the_policy_form(client, people):
    clerk = staff_client(client, people.clerk)
    policy = DeadlinePolicy.objects.get(key="answer")

    page = clerk.get(policy_change_url(policy))

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
def test_the_admin_form_shows_the_error_and_changes_nothing(
    client, people, changes, field, message
):
    clerk = staff_client(client, people.clerk)
    policy = DeadlinePolicy.objects.get(key="answer")
    before = stored_policy("answer")

    response = clerk.post(policy_change_url(policy), policy_form_data(policy, **changes))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&quot;", '"')
    assert stored_policy("answer") == before


def test_the_admin_form_lets_nobody_be_told_at_yellow(client, people):
    clerk = staff_client(client, people.clerk)
    policy = DeadlinePolicy.objects.get(key="answer")

    response = clerk.post(
        policy_change_url(policy), policy_form_data(policy, yellow_audiences="[]")
    )

    assert response.status_code == 302
    assert DeadlinePolicy.objects.get(key="answer").yellow_audiences == []


def test_a_negative_duration_is_refused_by_the_form_field_and_changes_nothing(client, people):
    clerk = staff_client(client, people.clerk)
    policy = DeadlinePolicy.objects.get(key="answer")
    before = stored_policy("answer")

    response = clerk.post(policy_change_url(policy), policy_form_data(policy, duration="-3"))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["duration"]
    assert stored_policy("answer") == before


def test_the_admin_saves_a_valid_edit_through_the_service(client, people):
    clerk = staff_client(client, people.clerk)
    policy = DeadlinePolicy.objects.get(key="urgent_answer")

    response = clerk.post(
        policy_change_url(policy), policy_form_data(policy, duration="20", reminder_days="[25]")
    )

    assert response.status_code == 302
    saved = DeadlinePolicy.objects.get(key="urgent_answer")
    assert (saved.duration, saved.reminder_days) == (20, [25])
    (entry,) = audit_trail(saved)
    assert (entry.action, entry.actor) == ("update_policy", people.clerk)
    assert entry.data["changes"] == {
        "duration": {"from": 15, "to": 20},
        "reminder_days": {"from": [], "to": [25]},
    }


def test_a_reader_reads_policies_but_cannot_change_them(client, people):
    reader = staff_client(client, people.reader)
    policy = DeadlinePolicy.objects.get(key="answer")
    before = stored_policy("answer")

    page = reader.get(policy_change_url(policy))
    post = reader.post(policy_change_url(policy), policy_form_data(policy, duration="2"))

    assert page.status_code == 200
    assert 'name="duration"' not in page.content.decode()
    assert post.status_code == 403
    assert stored_policy("answer") == before


def test_policies_are_neither_added_nor_deleted_in_the_admin(client, people):
    clerk = staff_client(client, people.clerk)
    policy = DeadlinePolicy.objects.get(key="answer")

    add = clerk.get(reverse("admin:workflows_deadlinepolicy_add"))
    delete = clerk.post(
        reverse("admin:workflows_deadlinepolicy_delete", args=[policy.pk]), {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert DeadlinePolicy.objects.filter(pk=policy.pk).exists()


def test_deadlines_and_the_outbox_are_read_only_lists_for_a_clerk(
    client, people, case, other_case, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    for subject in [case, other_case] + [
        Case.objects.create(title=f"来函{n}", owner="owner", desk="市审计局") for n in range(5)
    ]:
        deadline_open(
            subject=subject,
            kind="answer",
            policy_key="answer",
            starts_on=D(2026, 9, 25),
            responsible="desk",
            responsible_name=subject.desk,
        )
    deadline = deadlines_of(case).get()
    message = OutboxMessage.objects.create(
        key="deadline:test", deadline=deadline, template="emails/deadline", recipient_email="a@b.cn"
    )
    clerk = staff_client(client, people.clerk)

    with django_assert_max_num_queries(20):  # as many for 7 rows as for 1
        deadlines = clerk.get(
            reverse("admin:workflows_deadline_changelist"), {"status__exact": "open"}
        )
    detail = clerk.get(reverse("admin:workflows_deadline_change", args=[deadline.pk]))
    outbox = clerk.get(reverse("admin:workflows_outboxmessage_changelist"))
    outbox_detail = clerk.get(reverse("admin:workflows_outboxmessage_change", args=[message.pk]))
    edit = clerk.post(
        reverse("admin:workflows_deadline_change", args=[deadline.pk]),
        {"due_on": "2027-01-01", "_save": "Save"},
    )

    assert deadlines.status_code == 200
    assert deadlines.context["cl"].result_count == 7
    assert str(case) in deadlines.content.decode()
    assert 'name="action"' not in deadlines.content.decode()  # no actions: no bulk extension
    assert detail.status_code == outbox.status_code == outbox_detail.status_code == 200
    assert 'name="due_on"' not in detail.content.decode()
    assert 'name="key"' not in outbox_detail.content.decode()
    assert "deadline:test" in outbox.content.decode()
    assert edit.status_code == 403
    assert Deadline.objects.get(pk=deadline.pk).due_on == D(2026, 10, 26)
    assert not AuditEntry.objects.filter(action="admin_change").exists()


@pytest.mark.parametrize("role", ["owner", "desk", "outsider"])
def test_people_the_rules_do_not_let_read_see_no_deadlines(client, people, role):
    outsider = staff_client(client, getattr(people, role))

    for name in ("deadline", "outboxmessage", "deadlinepolicy"):
        response = outsider.get(reverse(f"admin:workflows_{name}_changelist"))
        assert response.status_code == 403, name
