"""The daily digest: one e-mail a day per leading-group and office member, with the warnings."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import models as m
from inspections.tasks import send_digests
from tests import factories as f
from tests.inspections.test_notifications import (
    FEEDBACK_ON,
    LEAD_SUMMARY,
    SITE_URL,
    assert_snapshot,
    at,
    english,
    give_feedback,
)
from workflows.deadlines import deadline_open
from workflows.emails import render_message
from workflows.models import Colour, Deadline, OutboxMessage
from workflows.sweep import sweep

D = datetime.date
DIGEST_DAY = D(2026, 11, 18)  # the plan (due 26 Oct) is red, the report (due 25 Nov) yellow


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def warnings(world, time_machine):
    """Feedback on 25 September; swept on the digest's morning: one red, one yellow."""
    time_machine.move_to(at(FEEDBACK_ON), tick=False)
    give_feedback(world)
    time_machine.move_to(at(DIGEST_DAY, 7), tick=False)
    sweep(now=at(DIGEST_DAY, 7))
    live = Deadline.objects.filter(status__in=["open", "missed"])
    colours = dict(live.values_list("kind", "colour"))
    assert colours == {"plan": Colour.RED, "rectification_report": Colour.YELLOW}
    OutboxMessage.objects.all().delete()  # the notice, the feedback and the warnings
    time_machine.move_to(at(DIGEST_DAY, 8), tick=False)
    return world


def digests() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="emails/digest").order_by("recipient_email"))


def test_each_leading_group_and_office_member_gets_one_digest(warnings):
    world = warnings
    second = f.OfficeMemberFactory(user__username="office2").user

    written = send_digests(DIGEST_DAY.isoformat())

    rows = digests()
    assert written == 3
    assert {row.recipient_email for row in rows} == {
        world.leading_group.email,
        world.office.email,
        second.email,
    }
    assert {row.key for row in rows} == {
        f"digest:2026-11-18:{user.pk}" for user in (world.leading_group, world.office, second)
    }
    # Nobody else: not the team, not the unit, not the receiving organ.
    for user in (world.team_leader, world.team_member, world.unit_liaison, world.organ_desk):
        assert user.email not in {row.recipient_email for row in rows}


def test_the_digest_counts_red_and_yellow_per_round_and_lists_the_most_overdue(warnings):
    world = warnings

    send_digests(DIGEST_DAY.isoformat())

    row = OutboxMessage.objects.get(template="emails/digest", recipient_email=world.office.email)
    context = row.context
    assert (context["red"], context["yellow"]) == (1, 1)
    assert context["rounds"] == [
        {
            "title": "十二届市委第六轮巡视",
            "red": 1,
            "yellow": 1,
            "path": f"/rounds/{world.round.pk}/",
        }
    ]
    (overdue,) = context["overdue"]
    assert overdue["unit"] == "市科学技术局"
    assert overdue["due_on"] == "2026年10月26日"
    assert overdue["days_overdue"] == 23
    assert overdue["path"] == f"/inspections/{world.inspection.pk}/"
    email = render_message(row)
    assert "2026年11月18日" in email.subject
    assert "23" in email.body and "2026年10月26日" in email.body
    assert "十二届市委第六轮巡视" in email.alternatives[0].content
    assert_snapshot("digest", email.body)


def test_each_reads_the_digest_in_their_language(warnings):
    world = warnings
    english(world.leading_group)

    send_digests(DIGEST_DAY.isoformat())

    by_email = {row.recipient_email: row for row in digests()}
    assert by_email[world.leading_group.email].language == "en"
    assert by_email[world.office.email].language == "zh-hans"
    email = render_message(by_email[world.leading_group.email])
    assert email.subject == "[Daily digest] 18 November 2026: 1 red, 1 yellow"
    assert "the rectification plan" in email.body
    assert "due on 26 October 2026, 23 days overdue" in email.body


def test_a_second_run_on_the_same_day_sends_nothing_more(warnings):
    assert send_digests(DIGEST_DAY.isoformat()) == 2
    before = sorted(OutboxMessage.objects.values_list("pk", "key"))

    assert send_digests(DIGEST_DAY.isoformat()) == 0

    assert sorted(OutboxMessage.objects.values_list("pk", "key")) == before
    # The next day is a new digest.
    assert send_digests("2026-11-19") == 2
    assert len(digests()) == 4


def test_the_day_defaults_to_today_in_shanghai(warnings, time_machine):
    # 23:30 UTC on the 17th is already the morning of the 18th in Shanghai.
    time_machine.move_to(datetime.datetime(2026, 11, 17, 23, 30, tzinfo=datetime.UTC), tick=False)

    send_digests()

    assert {row.key.split(":")[1] for row in digests()} == {"2026-11-18"}


def test_nobody_gets_a_digest_when_nothing_is_red_or_yellow(world, time_machine):
    time_machine.move_to(at(FEEDBACK_ON), tick=False)
    give_feedback(world)  # plan and report run, both green

    assert send_digests(FEEDBACK_ON.isoformat()) == 0
    assert digests() == []


def test_people_without_an_address_or_no_longer_active_get_none(warnings):
    world = warnings
    m.User.objects.filter(pk=world.leading_group.pk).update(email="")
    m.User.objects.filter(pk=world.office.pk).update(is_active=False)
    member = f.LeadingGroupMemberFactory(user__username="lg2").user

    send_digests(DIGEST_DAY.isoformat())

    assert [row.recipient_email for row in digests()] == [member.email]


def test_a_lead_in_the_digest_is_its_number_only(warnings):
    world = warnings
    lead = f.LeadFactory(
        inspection=world.inspection, receiving_organ=world.organ, number=7, summary=LEAD_SUMMARY
    )
    deadline = deadline_open(
        subject=lead,
        kind="report_back",
        policy_key="lead_report_back",
        starts_on=D(2026, 6, 1),
        responsible="receiving_organ",
    )
    Deadline.objects.filter(pk=deadline.pk).update(colour=Colour.RED, status="missed")

    send_digests(DIGEST_DAY.isoformat())

    row = OutboxMessage.objects.get(template="emails/digest", recipient_email=world.office.email)
    assert row.context["red"] == 2
    first = row.context["overdue"][0]  # due on 1 September: the most overdue
    assert first["path"] == f"/leads/{lead.pk}/"
    assert first["days_overdue"] == 78
    email = render_message(row)
    assert LEAD_SUMMARY not in email.body + email.alternatives[0].content + str(row.context)


def test_the_digest_lists_at_most_ten_most_overdue_first(warnings):
    world = warnings
    # Twelve items due on successive days of September (all working days: 1-4, 7-11, 14-16).
    due_days = [D(2026, 9, day) for day in (1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16)]
    for n, due_on in enumerate(due_days):
        item = f.RectificationItemFactory(
            inspection=world.inspection, number=100 + n, problem=f"事项{n}"
        )
        deadline = deadline_open(
            subject=item,
            kind="item",
            policy_key="item",
            starts_on=D(2026, 8, 1),
            due_on=due_on,
            responsible="unit",
        )
        Deadline.objects.filter(pk=deadline.pk).update(colour=Colour.RED, status="missed")

    send_digests(DIGEST_DAY.isoformat())

    context = digests()[0].context
    assert context["red"] == 13
    days = [row["days_overdue"] for row in context["overdue"]]
    assert len(days) == 10
    assert days == [(DIGEST_DAY - due_on).days for due_on in due_days[:10]]
    assert days[0] == 78  # 1 September to 18 November
    assert context["overdue"][0]["detail"] == "事项0"
    assert "100" in context["overdue"][0]["what"]  # rectification item 100


def deadlines_on_many_rounds(world, count: int) -> None:
    """`count` red and `count` yellow deadlines, each on its own round, unit and item."""
    for _n in range(count):
        round_ = f.RoundFactory(term=world.round.term)
        inspection = f.InspectionFactory(round=round_, team=f.TeamFactory(round=round_))
        item = f.RectificationItemFactory(inspection=inspection)
        lead = f.LeadFactory(inspection=inspection, receiving_organ=world.organ)
        for subject, kind, policy, colour, due in (
            (inspection, "plan", "plan", Colour.RED, None),
            (item, "item", "item", Colour.YELLOW, D(2026, 11, 25)),
            (lead, "report_back", "lead_report_back", Colour.RED, None),
        ):
            deadline = deadline_open(
                subject=subject,
                kind=kind,
                policy_key=policy,
                starts_on=D(2026, 8, 1),
                due_on=due,
                responsible="unit",
            )
            Deadline.objects.filter(pk=deadline.pk).update(colour=colour)


def test_the_digest_asks_the_same_number_of_queries_for_few_or_many_deadlines(
    world, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(at(DIGEST_DAY, 8), tick=False)
    f.LeadingGroupMemberFactory(user__username="lg_en", user__language="en")
    deadlines_on_many_rounds(world, 1)
    with CaptureQueriesContext(connection) as few:
        send_digests(DIGEST_DAY.isoformat())
    OutboxMessage.objects.all().delete()
    deadlines_on_many_rounds(world, 30)

    with django_assert_max_num_queries(len(few.captured_queries)):
        written = send_digests(DIGEST_DAY.isoformat())

    assert written == 3
    context = digests()[0].context
    assert (context["red"], context["yellow"]) == (62, 31)
    assert len(context["rounds"]) == 31
    assert len(context["overdue"]) == 10


def test_the_beat_runs_the_digest_task_by_its_name(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    assert entry["task"] == send_digests.name == "inspections.send_digests"
