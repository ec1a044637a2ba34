"""The inspection work's e-mails: who gets each, in which language, what it says.

Each e-mail is written by the real services (so the steps' deadlines and letters follow) and
rendered the way delivery renders it; its text part is compared with a committed snapshot.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import models as m
from inspections.notifications import (
    InspectionDeadlines,
    ItemDeadlines,
    LeadDeadlines,
)
from inspections.notifications.common import format_date
from inspections.services import inspections as services
from inspections.services.findings import finding_record
from inspections.services.leads import lead_decide, lead_hand_over, lead_register
from inspections.services.rectification import (
    item_return,
    item_start,
    item_submit,
    item_verify,
    plan_item_add,
)
from inspections.services.rounds import round_approve, round_mobilize
from inspections.services.teams import team_authorize
from tests import factories as f
from workflows.deadlines import deadline_open, deadlines_of
from workflows.emails import render_message
from workflows.models import Deadline, OutboxMessage
from workflows.registry import step_of
from workflows.sweep import sweep

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
SITE_URL = "https://xunshi.example.org"
SNAPSHOTS = Path(__file__).parent / "snapshots"

FEEDBACK_ON = D(2026, 9, 25)  # a Friday: the plan falls due on Monday 26 October
PLAN_DUE = D(2026, 10, 26)
REPORT_DUE = D(2026, 11, 25)
STATIONING_ON = D(2026, 9, 28)
ON_SITE_ENDS = D(2026, 11, 27)  # 60 days after stationing, a Friday
LEAD_SUMMARY = "反映某处长违规收受礼金"
PERSONS_NAMED = "王某某"
FINDINGS = [
    ("political", "贯彻落实党中央决策部署有差距"),
    ("integrity", "违规发放津贴补贴"),
    ("organisation", "干部选拔任用程序不规范"),
]


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


# Snapshots ----------------------------------------------------------------------------------


def normalised(text: str) -> str:
    """Ids differ between databases and runs; the rest of an e-mail must not."""
    return re.sub(r"/(inspections|leads|rounds)/\d+/", r"/\1/<id>/", text)


def assert_snapshot(name: str, text: str) -> None:
    """Compare with tests/inspections/snapshots/<name>.txt; UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / f"{name}.txt"
    text = normalised(text)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}; run the tests with UPDATE_SNAPSHOTS=1 to write it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"the e-mail differs from {path}; if the change is intended, run the tests with "
        "UPDATE_SNAPSHOTS=1 and review the diff"
    )


# Driving the world through the real services ---------------------------------------------------


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(at(FEEDBACK_ON), tick=False)
    return time_machine


def notify(world, *, stationing_on: datetime.date = STATIONING_ON) -> m.Inspection:
    """Approve the round, authorise both teams, mobilise, and send the unit the notice."""
    round_ = round_approve(round_=world.round, actor=world.leading_group)
    for team in (world.team, world.other_team):
        team_authorize(team=team, actor=world.leading_group)
    round_mobilize(round_=round_, actor=world.office)
    return services.inspection_notify(
        inspection=world.inspection, actor=world.office, stationing_on=stationing_on
    )


def stationed(world) -> m.Inspection:
    inspection = notify(world)
    return services.inspection_station(inspection=inspection, actor=world.team_leader)


def give_feedback(world) -> m.Inspection:
    """Everything up to feedback, today; the team records FINDINGS while on site."""
    inspection = stationed(world)
    for category, title in FINDINGS:
        finding_record(
            inspection=inspection, actor=world.team_member, category=category, title=title
        )
    inspection = services.inspection_withdraw(inspection=inspection, actor=world.team_leader)
    inspection = services.inspection_submit_report(inspection=inspection, actor=world.team_leader)
    inspection = services.inspection_hear_report(inspection=inspection, actor=world.leading_group)
    return services.inspection_give_feedback(
        inspection=inspection, actor=world.office, consent_reference="市委常委会2026年第20次会议"
    )


def submit_plan(world) -> m.Inspection:
    inspection = give_feedback(world)
    for number, finding in enumerate(inspection.findings.order_by("number"), start=1):
        plan_item_add(
            inspection=inspection,
            actor=world.unit_liaison,
            finding=finding,
            measure="建立制度,堵塞漏洞",
            responsible_person=f"责任人{number}",
            due_on=D(2026, 12, 31),
        )
    return services.inspection_submit_plan(
        inspection=inspection, actor=world.unit_liaison, signed_by="局党组书记"
    )


def submitted_item(world) -> m.RectificationItem:
    inspection = submit_plan(world)
    services.inspection_approve_plan(inspection=inspection, actor=world.office)
    item = inspection.items.get(number=2)
    item = item_start(item=item, actor=world.unit_liaison)
    return item_submit(
        item=item, actor=world.unit_liaison, progress="已清退全部津贴", evidence="财务凭证"
    )


def letters(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("recipient_email"))


def one_to(template: str, email: str) -> OutboxMessage:
    return OutboxMessage.objects.get(template=template, recipient_email=email)


def english(user: m.User) -> m.User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def unit_addresses(world) -> set[str]:
    return {world.unit_liaison.email, world.unit.email}


# The written notice ----------------------------------------------------------------------------


def test_the_notice_goes_to_every_liaison_and_the_units_address_in_chinese(world, frozen):
    second = f.UnitLiaisonFactory(unit=world.unit, user__username="liaison2").user

    notify(world)

    rows = letters("emails/notice")
    assert {row.recipient_email for row in rows} == {*unit_addresses(world), second.email}
    assert {row.language for row in rows} == {"zh-hans"}
    mailbox = one_to("emails/notice", world.unit.email)
    assert mailbox.recipient_name == "市科学技术局"
    assert one_to("emails/notice", world.unit_liaison.email).recipient_name == "联络员"
    # Nobody else hears of it: not the other unit, not the team.
    assert OutboxMessage.objects.count() == 3


def test_the_notice_says_who_comes_when_and_for_how_long(world, frozen):
    notify(world)

    email = render_message(one_to("emails/notice", world.unit_liaison.email))

    assert "第一巡视组" in email.subject
    assert "市科学技术局" in email.subject
    assert "2026年9月28日" in email.subject
    assert "十二届市委第六轮巡视" in email.body
    assert "2026年11月27日" in email.body  # the end of the 60-day on-site period
    assert f"{SITE_URL}/inspections/{world.inspection.pk}/" in email.body
    html = email.alternatives[0].content
    assert "2026年9月28日" in html and "市科学技术局" in html
    assert_snapshot("notice", email.body)


def test_a_liaison_who_reads_english_gets_the_notice_in_english(world, frozen):
    english(world.unit_liaison)

    notify(world)

    row = one_to("emails/notice", world.unit_liaison.email)
    assert row.language == "en"
    assert one_to("emails/notice", world.unit.email).language == "zh-hans"
    email = render_message(row)
    assert email.subject == (
        "[Inspection notice] 第一巡视组 will be stationed at 市科学技术局 from 28 September 2026"
    )
    assert "the on-site period runs until 27 November 2026" in email.body
    assert "Regular" in email.body
    assert_snapshot("notice.en", email.body)


def test_the_notice_carries_the_on_site_period_as_a_calendar_event(world, frozen):
    notify(world)

    email = render_message(one_to("emails/notice", world.unit_liaison.email))

    ((filename, content, mimetype),) = email.attachments
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    unfolded = content.replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20260928\r\n" in unfolded  # the planned stationing date
    assert "DTEND;VALUE=DATE:20261128\r\n" in unfolded  # the day after the period's last
    assert f"UID:inspection-{world.inspection.pk}-on-site@xunshi" in unfolded
    assert "LOCATION:市科学技术局" in unfolded


# Feedback ---------------------------------------------------------------------------------------


def test_feedback_lists_every_finding_and_the_two_due_dates(world, frozen):
    inspection = give_feedback(world)

    rows = letters("emails/feedback")
    assert {row.recipient_email for row in rows} == unit_addresses(world)
    assert {row.language for row in rows} == {"zh-hans"}
    email = render_message(one_to("emails/feedback", world.unit_liaison.email))
    assert "市科学技术局" in email.subject
    for finding in inspection.findings.all():
        line = f"{finding.number}. [{finding.get_category_display()}] {finding.title}"
        assert line in email.body
        assert finding.title in email.alternatives[0].content
    assert len(inspection.findings.all()) == len(FINDINGS)
    # The dates are those of the deadlines feedback opened.
    due = {d.kind: d.due_on for d in deadlines_of(inspection)}
    assert (due["plan"], due["rectification_report"]) == (PLAN_DUE, REPORT_DUE)
    assert "2026年10月26日" in email.body
    assert "2026年11月25日" in email.body
    assert_snapshot("feedback", email.body)


def test_feedback_in_english_has_english_dates_and_categories(world, frozen):
    english(world.unit_liaison)

    give_feedback(world)

    row = one_to("emails/feedback", world.unit_liaison.email)
    assert row.language == "en"
    email = render_message(row)
    assert email.subject == (
        "[Inspection feedback] 市科学技术局: the problem list and the rectification deadlines"
    )
    assert "1. [Political responsibility (政治建设)] 贯彻落实党中央决策部署有差距" in email.body
    assert "by 26 October 2026" in email.body
    assert "by 25 November 2026" in email.body


# Returns and verification -----------------------------------------------------------------------


def test_a_returned_plan_tells_the_unit_why_and_when_it_is_still_due(world, frozen):
    inspection = submit_plan(world)

    services.inspection_return_plan(
        inspection=inspection, actor=world.office, reason="责任清单未落实到具体责任人"
    )

    rows = letters("emails/plan_returned")
    assert {row.recipient_email for row in rows} == unit_addresses(world)
    email = render_message(one_to("emails/plan_returned", world.unit_liaison.email))
    assert "市科学技术局" in email.subject
    assert "责任清单未落实到具体责任人" in email.body
    assert "2026年10月26日" in email.body  # the reopened plan deadline keeps its day
    assert_snapshot("plan_returned", email.body)


def test_a_plan_returned_after_its_due_date_asks_for_it_at_once(world, frozen):
    english(world.unit_liaison)
    inspection = submit_plan(world)
    frozen.move_to(at(D(2026, 10, 28)), tick=False)

    services.inspection_return_plan(inspection=inspection, actor=world.office, reason="重写")

    email = render_message(one_to("emails/plan_returned", world.unit_liaison.email))
    assert email.subject == "[Plan returned] 市科学技术局: please revise the rectification plan"
    assert (
        "Please revise the plan and submit it again as soon as possible: "
        "it was due on 26 October 2026."
    ) in email.body


def test_a_returned_item_tells_the_unit_the_reason(world, frozen):
    item = submitted_item(world)

    item_return(item=item, actor=world.team_leader, reason="佐证材料不足")

    rows = letters("emails/item_returned")
    assert {row.recipient_email for row in rows} == unit_addresses(world)
    email = render_message(one_to("emails/item_returned", world.unit_liaison.email))
    assert "市科学技术局" in email.subject and "2" in email.subject
    assert "佐证材料不足" in email.body
    assert "违规发放津贴补贴" in email.body
    assert "2026年12月31日" in email.body
    assert_snapshot("item_returned", email.body)


def test_a_verified_item_tells_the_unit(world, frozen):
    item = submitted_item(world)
    english(world.unit_liaison)

    item_verify(item=item, actor=world.office)

    rows = letters("emails/item_verified")
    assert {row.recipient_email for row in rows} == unit_addresses(world)
    row = one_to("emails/item_verified", world.unit_liaison.email)
    assert row.language == "en"
    email = render_message(row)
    assert email.subject == "[Item verified] 市科学技术局: rectification item 2"
    assert "Rectification item 2 of 市科学技术局 was verified on 25 September 2026" in email.body
    zh = render_message(one_to("emails/item_verified", world.unit.email))
    assert "2026年9月25日" in zh.body
    assert_snapshot("item_verified", zh.body)


def test_only_the_five_events_write_letters(world, frozen):
    submit_plan(world)

    templates = set(OutboxMessage.objects.values_list("template", flat=True))
    # approve, authorise, mobilise, station, record findings, withdraw, report, hear, plan
    # items and the plan's submission wrote nothing; the notice and the feedback did.
    assert templates == {"emails/notice", "emails/feedback"}
    assert OutboxMessage.objects.count() == 2 * len(unit_addresses(world))


def test_a_letter_is_written_once_per_event(world, frozen):
    inspection = notify(world)
    before = set(OutboxMessage.objects.values_list("key", flat=True))

    notify_step = step_of(m.Inspection, "notify")
    notify_step.tells(inspection, notify_step)

    assert set(OutboxMessage.objects.values_list("key", flat=True)) == before
    assert before == {
        f"transition:inspections.inspection:{inspection.pk}:notify:{inspection.version}:{email}"
        for email in unit_addresses(world)
    }


def test_a_unit_without_addresses_gets_no_letter_and_the_step_still_happens(world, frozen):
    m.Unit.objects.filter(pk=world.unit.pk).update(email="")
    m.User.objects.filter(pk=world.unit_liaison.pk).update(email="")

    inspection = notify(world)

    assert inspection.state == m.InspectionState.NOTIFIED
    assert not OutboxMessage.objects.exists()


# Deadline warnings, through the sweep -----------------------------------------------------------


@pytest.fixture
def party_head(world):
    world.unit.party_head_name = "局党组书记"
    world.unit.party_head_email = "head@example.org"
    world.unit.save()
    return world.unit


def test_an_overdue_plan_warns_the_unit_its_party_head_and_the_office_in_their_languages(
    world, frozen, party_head
):
    english(world.office)
    give_feedback(world)
    plan = Deadline.objects.get(kind="plan")
    frozen.move_to(at(D(2026, 10, 29), 9), tick=False)

    sweep(now=at(D(2026, 10, 29), 9))

    rows = list(OutboxMessage.objects.filter(deadline=plan))
    assert {(row.recipient_email, row.context["audience"], row.language) for row in rows} == {
        (world.unit_liaison.email, "responsible", "zh-hans"),
        (world.unit.email, "responsible", "zh-hans"),
        ("head@example.org", "party_head", "zh-hans"),
        (world.office.email, "office", "en"),
    }
    assert {row.context["step"] for row in rows} == {"red"}
    head = next(row for row in rows if row.recipient_email == "head@example.org")
    assert head.recipient_name == "局党组书记"

    office = render_message(next(row for row in rows if row.language == "en"))
    assert office.subject == "[Red warning] 市科学技术局: the rectification plan is 3 days overdue"
    assert "was due on 26 October 2026 and is 3 days overdue" in office.body
    assert "supervision notice (督办)" in office.body
    assert f"{SITE_URL}/inspections/{world.inspection.pk}/" in office.body

    liaison = render_message(
        next(row for row in rows if row.recipient_email == world.unit_liaison.email)
    )
    assert "市科学技术局" in liaison.subject and "3" in liaison.subject
    assert "2026年10月26日" in liaison.body
    assert "#c81e1e" in liaison.alternatives[0].content  # the red banner
    assert_snapshot("deadline.red", liaison.body)


def test_a_red_warning_names_only_those_who_were_told(world, frozen):
    """The unit gave no party head's address: the warning does not claim the head was told."""
    give_feedback(world)
    frozen.move_to(at(D(2026, 10, 29), 9), tick=False)

    sweep(now=at(D(2026, 10, 29), 9))

    plan = Deadline.objects.get(kind="plan")
    audiences = set(
        OutboxMessage.objects.filter(deadline=plan).values_list("context__audience", flat=True)
    )
    assert audiences == {"responsible", "office"}
    context = InspectionDeadlines().context([plan], "en")[plan.pk]
    assert context["escalation"] == (
        "This warning also went to the inspection office. "
        "The inspection office will issue a supervision notice (督办)."
    )


def test_names_are_escaped_in_the_html_part_only(world, frozen):
    m.Unit.objects.filter(pk=world.unit.pk).update(name="市<b>科技</b>局")

    notify(world)

    email = render_message(one_to("emails/notice", world.unit_liaison.email))
    assert "市<b>科技</b>局" in email.body
    html = email.alternatives[0].content
    assert "市&lt;b&gt;科技&lt;/b&gt;局" in html
    assert "<b>科技</b>" not in html


def test_a_plan_due_soon_warns_the_unit_and_the_team_leaders_in_yellow(world, frozen, party_head):
    give_feedback(world)
    plan = Deadline.objects.get(kind="plan")
    frozen.move_to(at(D(2026, 10, 19), 9), tick=False)

    sweep(now=at(D(2026, 10, 19), 9))

    rows = list(OutboxMessage.objects.filter(deadline=plan))
    assert {(row.recipient_email, row.context["audience"]) for row in rows} == {
        (world.unit_liaison.email, "responsible"),
        (world.unit.email, "responsible"),
        (world.team_leader.email, "supervisor"),
        (world.team_deputy.email, "supervisor"),
    }
    leader = render_message(
        next(row for row in rows if row.recipient_email == world.team_leader.email)
    )
    assert "市科学技术局" in leader.subject and "7" in leader.subject  # due in 7 days
    assert "2026年10月26日" in leader.body
    plan.refresh_from_db()
    context = InspectionDeadlines().context([plan], "en")[plan.pk]
    assert context["days_left"] == 7
    assert context["also_told"] == "This warning also went to the inspection team's leaders."
    assert context["if_not"] == (
        "If it is not done by 26 October 2026, it turns red and the unit's party head "
        "and the inspection office will be told."
    )
    assert_snapshot("deadline.yellow", leader.body)


def test_a_green_reminder_goes_to_the_responsible_party_only(world, frozen, party_head):
    give_feedback(world)
    plan = Deadline.objects.get(kind="plan")
    frozen.move_to(at(D(2026, 10, 7), 9), tick=False)

    sweep(now=at(D(2026, 10, 7), 9))

    rows = list(OutboxMessage.objects.filter(deadline=plan))
    assert {row.recipient_email for row in rows} == unit_addresses(world)
    assert {row.context["step"] for row in rows} == {"reminder-20"}
    email = render_message(rows[0])
    assert "2026年10月26日" in email.subject
    assert "2026年10月16日" in email.body  # the day it turns yellow


# Leads stay confidential ------------------------------------------------------------------------


def test_no_letter_carries_what_a_lead_says(world, frozen, party_head):
    inspection = stationed(world)
    lead = lead_register(
        inspection=inspection,
        actor=world.team_leader,
        summary=LEAD_SUMMARY,
        persons_named=PERSONS_NAMED,
    )
    lead = lead_decide(
        lead=lead, actor=world.leading_group, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )
    lead = lead_hand_over(lead=lead, actor=world.office)
    report_back = Deadline.objects.get(kind="report_back")
    assert report_back.due_on == D(2026, 12, 25)
    # Every step of the ladder: reminder, yellow, red, and an overdue reminder.
    for day in (D(2026, 12, 7), D(2026, 12, 17), D(2026, 12, 28), D(2026, 12, 29)):
        frozen.move_to(at(day, 9), tick=False)
        sweep(now=at(day, 9))

    rows = list(OutboxMessage.objects.filter(deadline=report_back))
    assert {row.context["step"] for row in rows} == {"reminder-20", "yellow", "red", "overdue-1"}
    assert {row.recipient_email for row in rows} == {
        world.organ_desk.email,  # the desk that has the lead
        world.office.email,  # supervises the organ, and is told at red
    }
    for row in OutboxMessage.objects.all():
        email = render_message(row)
        everything = " ".join(
            [json.dumps(row.context, ensure_ascii=False), email.subject, email.body]
            + [content for content, _mimetype in email.alternatives]
        )
        assert LEAD_SUMMARY not in everything
        assert PERSONS_NAMED not in everything
    red = render_message(next(row for row in rows if row.context["step"] == "red"))
    assert f"{SITE_URL}/leads/{lead.pk}/" in red.body
    assert_snapshot("deadline.lead", red.body)


def test_a_receiving_organ_with_an_address_is_told_at_red_as_its_own_head(world, frozen):
    world.organ.email = "jw@example.org"
    world.organ.save()
    lead = f.LeadFactory(inspection=world.inspection, receiving_organ=world.organ, number=4)
    deadline = deadline_open(
        subject=lead,
        kind="report_back",
        policy_key="lead_report_back",
        starts_on=D(2026, 6, 1),
        responsible="receiving_organ",
    )
    adapter = LeadDeadlines()

    assert [r.email for r in adapter.recipients([deadline], "responsible")[deadline.pk]] == [
        world.organ_desk.email,
        "jw@example.org",
    ]
    assert [r.email for r in adapter.recipients([deadline], "party_head")[deadline.pk]] == [
        "jw@example.org"
    ]
    assert [r.email for r in adapter.recipients([deadline], "supervisor")[deadline.pk]] == [
        world.office.email
    ]
    context = adapter.context([deadline], "en")[deadline.pk]
    assert context["what"] == "the report on how lead 4 was handled"
    assert context["subject"] == "Lead 4"
    assert context["path"] == f"/leads/{lead.pk}/"


# The adapters' recipients and context -------------------------------------------------------------


def test_a_teams_obligation_goes_to_its_leaders_and_up_to_the_office_and_leading_group(world):
    deadline = deadline_open(
        subject=world.inspection,
        kind="report",
        policy_key="report",
        starts_on=D(2026, 9, 28),
        responsible="team",
    )
    adapter = InspectionDeadlines()

    def emails(audience: str) -> list[str]:
        return [r.email for r in adapter.recipients([deadline], audience)[deadline.pk]]

    assert emails("responsible") == [world.team_leader.email, world.team_deputy.email]
    assert emails("supervisor") == [world.office.email]
    assert emails("party_head") == [world.leading_group.email]
    assert emails("office") == [world.office.email]


def test_recipients_without_an_address_are_skipped_and_addresses_are_not_repeated(world):
    m.User.objects.filter(pk=world.team_deputy.pk).update(email="")
    world.unit.email = world.unit_liaison.email.upper()  # the liaison uses the unit's mailbox
    world.unit.save()
    inactive = f.UnitLiaisonFactory(unit=world.unit, user__username="gone").user
    inactive.is_active = False
    inactive.save()
    deadline = deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=D(2026, 9, 25),
        responsible="unit",
    )
    adapter = InspectionDeadlines()

    responsible = adapter.recipients([deadline], "responsible")[deadline.pk]
    supervisor = adapter.recipients([deadline], "supervisor")[deadline.pk]
    party_head = adapter.recipients([deadline], "party_head")[deadline.pk]

    assert [r.email for r in responsible] == [world.unit_liaison.email]
    assert [r.email for r in supervisor] == [world.team_leader.email]
    assert party_head == []  # the unit has not given its party head's address


def test_the_context_is_plain_json_in_the_language_asked_for(world, frozen):
    item = f.RectificationItemFactory(
        inspection=world.inspection, number=3, problem="违规发放津贴补贴", due_on=D(2026, 10, 20)
    )
    deadline = deadline_open(
        subject=item,
        kind="item",
        policy_key="item",
        starts_on=FEEDBACK_ON,
        due_on=item.due_on,
        responsible="unit",
        responsible_name="市科学技术局",
    )

    zh = ItemDeadlines().context([deadline], "zh-hans")[deadline.pk]
    en = ItemDeadlines().context([deadline], "en")[deadline.pk]

    for context in (zh, en):
        assert json.loads(json.dumps(context)) == context
        assert all(isinstance(value, str | int | bool | list | dict) for value in context.values())
        assert context["round"] == "十二届市委第六轮巡视"
        assert context["unit"] == "市科学技术局"
        assert context["team"] == "第一巡视组"
        assert context["days_left"] == 25
        assert (context["days_overdue"], context["overdue"]) == (0, False)
        assert context["path"] == f"/inspections/{world.inspection.pk}/"
    assert zh["due_on"] == "2026年10月20日"
    assert en["due_on"] == "20 October 2026"
    assert en["what"] == "rectification item 3"
    assert en["subject"] == "Rectification item 3: 违规发放津贴补贴"
    assert "10 October 2026" in en["if_not"]  # green: when it turns yellow


def test_days_count_from_the_instant_the_sweep_passes(world, frozen):
    deadline = deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=FEEDBACK_ON,
        responsible="unit",
    )
    adapter = InspectionDeadlines()

    today = adapter.context([deadline], "en")[deadline.pk]
    later = adapter.context([deadline], "en", now=at(D(2026, 11, 2)))[deadline.pk]

    assert (today["days_left"], today["days_overdue"]) == (31, 0)
    assert (later["days_left"], later["days_overdue"], later["overdue"]) == (0, 7, True)


def test_what_is_due_is_named_for_every_kind(world):
    item = f.RectificationItemFactory(inspection=world.inspection, number=5)
    immediate = f.RectificationItemFactory(inspection=world.inspection, number=6, is_immediate=True)
    lead = f.LeadFactory(inspection=world.inspection, receiving_organ=world.organ, number=2)
    cases = [
        (InspectionDeadlines(), world.inspection, "on_site", "on_site_regular", "team"),
        (InspectionDeadlines(), world.inspection, "report", "report", "team"),
        (InspectionDeadlines(), world.inspection, "plan", "plan", "unit"),
        (
            InspectionDeadlines(),
            world.inspection,
            "rectification_report",
            "rectification_report",
            "unit",
        ),
        (ItemDeadlines(), item, "item", "item", "unit"),
        (ItemDeadlines(), immediate, "item", "immediate_item", "unit"),
        (ItemDeadlines(), item, "long_term_progress", "long_term_progress", "unit"),
        (LeadDeadlines(), lead, "report_back", "lead_report_back", "receiving_organ"),
    ]
    named = []
    for adapter, subject, kind, policy, responsible in cases:
        deadline = deadline_open(
            subject=subject,
            kind=kind,
            policy_key=policy,
            starts_on=D(2026, 9, 25),
            due_on=D(2026, 12, 31) if policy.endswith("item") else None,
            responsible=responsible,
        )
        named.append(adapter.context([deadline], "en")[deadline.pk]["what"])

    assert named == [
        "the end of the on-site period",
        "the inspection report",
        "the rectification plan",
        "the rectification report and the principal leader's report",
        "rectification item 5",
        "immediate-rectification item 6",
        "a progress report on long-term item 5",
        "the report on how lead 2 was handled",
    ]


def many_deadlines(world, count: int) -> dict[str, list[Deadline]]:
    """`count` deadlines of each model, each on its own unit, team and organ."""
    made: dict[str, list[Deadline]] = {"inspection": [], "item": [], "lead": []}
    for _n in range(count):
        unit = f.UnitFactory()
        unit.party_head_email = f"head{unit.pk}@example.org"
        unit.save()
        f.UnitLiaisonFactory(unit=unit)
        f.UnitLiaisonFactory(unit=unit)
        team = f.TeamFactory(round=world.round)
        f.TeamMemberFactory(team=team, role=m.TeamRole.LEADER)
        f.TeamMemberFactory(team=team, role=m.TeamRole.DEPUTY)
        organ = f.ReceivingOrganFactory(name=f"机关{unit.pk}", email=f"organ{unit.pk}@example.org")
        f.ReceivingOrganDeskFactory(organ=organ)
        inspection = f.InspectionFactory(round=world.round, unit=unit, team=team)
        item = f.RectificationItemFactory(inspection=inspection)
        lead = f.LeadFactory(inspection=inspection, receiving_organ=organ)
        common = {"starts_on": D(2026, 9, 25)}
        made["inspection"].append(
            deadline_open(
                subject=inspection, kind="plan", policy_key="plan", responsible="unit", **common
            )
        )
        made["item"].append(
            deadline_open(
                subject=item,
                kind="item",
                policy_key="item",
                due_on=D(2026, 12, 31),
                responsible="unit",
                **common,
            )
        )
        made["lead"].append(
            deadline_open(
                subject=lead,
                kind="report_back",
                policy_key="lead_report_back",
                responsible="receiving_organ",
                **common,
            )
        )
    return made


ADAPTERS = {"inspection": InspectionDeadlines, "item": ItemDeadlines, "lead": LeadDeadlines}
AUDIENCES = ("responsible", "supervisor", "party_head", "office")


@pytest.mark.parametrize("model", ADAPTERS)
def test_the_adapters_ask_the_same_number_of_queries_for_1_or_30_deadlines(
    world, model, django_assert_max_num_queries
):
    few = many_deadlines(world, 1)[model]
    many = many_deadlines(world, 30)[model]
    adapter = ADAPTERS[model]()

    def ask(deadlines):
        found = {audience: adapter.recipients(deadlines, audience) for audience in AUDIENCES}
        contexts = adapter.context(deadlines, "zh-hans")
        return found, contexts

    with CaptureQueriesContext(connection) as one:
        found_one, _contexts = ask(few)
    with django_assert_max_num_queries(len(one.captured_queries)):
        found, contexts = ask(many)

    # One query for the subjects per call, one per body of people, two for the context.
    assert len(one.captured_queries) <= 10
    assert set(contexts) == {deadline.pk for deadline in many}
    for audience in AUDIENCES:
        assert set(found[audience]) == {deadline.pk for deadline in many}
    # Everyone is found: each unit's two liaisons and its address, each team's two leaders,
    # each organ's desk and address.
    expected = {"inspection": 3, "item": 3, "lead": 2}[model]
    assert [len(found["responsible"][d.pk]) for d in many] == [expected] * len(many)
    assert all(found["party_head"][d.pk] for d in many)
    assert found_one["office"][few[0].pk][0].email == world.office.email


def test_dates_read_as_each_language_writes_them():
    day = D(2026, 10, 26)
    assert format_date(day, "zh-hans") == "2026年10月26日"
    assert format_date(day, "en") == "26 October 2026"
    assert format_date(None, "en") == ""
