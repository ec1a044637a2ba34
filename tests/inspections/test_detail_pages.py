"""The inspection and lead pages the e-mails link to: who sees what, deadlines, cost."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from inspections import models as m
from inspections.services.inspections import inspection_give_feedback
from tests import factories as f
from tests.helpers import numbered_problems, put
from workflows.audit import audit_record
from workflows.deadlines import deadline_open
from workflows.models import Colour, Deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEEDBACK_DAY = datetime.date(2026, 9, 25)
PLAN_DUE = datetime.date(2026, 10, 26)  # a month is the 25th, a Sunday
SUMMARY = "反映某处长违规收受礼金,金额较大"
FINDING = "落实意识形态工作责任制不到位"
INTERNAL_NOTE = "组内讨论:材料需补充核实"

IN_FULL = ("leading_group", "office", "team_leader", "team_deputy", "team_member")
NOT_ALLOWED = ("other_team_member", "other_unit_liaison", "organ_desk", "outsider")
LEAD_HANDLERS = ("leading_group", "office", "team_leader", "team_deputy")
NOT_LEAD_HANDLERS = (
    "team_member",
    "unit_liaison",
    "other_team_member",
    "other_unit_liaison",
    "organ_desk",
    "outsider",
)


def zh(text) -> str:
    """`text` as the page shows it (zh-hans, whatever the catalogue holds by then)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def page(response) -> str:
    return response.content.decode()


def inspection_url(inspection) -> str:
    return reverse("inspection_detail", args=[inspection.pk])


def lead_url(lead) -> str:
    return reverse("lead_detail", args=[lead.pk])


def get_as(client, user, url):
    client.force_login(user)
    return client.get(url)


def assert_not_found(response) -> None:
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI), tick=False)
    return time_machine


@pytest.fixture
def lead(world) -> m.Lead:
    return f.LeadFactory(
        inspection=world.inspection,
        number=1,
        registered_by=world.team_leader,
        summary=SUMMARY,
        persons_named="某处长",
    )


# The inspection page ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", IN_FULL)
def test_leadership_office_and_the_team_see_the_inspection_in_full(client, world, who):
    m.UnitAlias.objects.create(unit=world.unit, name="市知识产权局")
    f.FindingFactory(inspection=world.inspection, title=FINDING, recorded_by=world.team_member)
    audit_record(subject=world.inspection, actor=world.office, action="plan", to_state="planned")

    response = get_as(client, getattr(world, who), inspection_url(world.inspection))

    assert response.status_code == 200
    html = page(response)
    assert "市科学技术局" in html
    assert "市知识产权局" in html
    assert str(world.round) in html
    assert str(world.batch) in html
    assert str(world.team) in html
    assert zh(m.InspectionKind.REGULAR.label) in html
    assert zh(m.InspectionState.PLANNED.label) in html
    assert response.context["in_full"] is True
    # The team records findings while on site: they see them before any feedback.
    assert FINDING in html
    assert 'id="timeline-title"' in html
    assert zh("Plan the inspection") in html
    assert "巡视办干部" in html


@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_others_get_not_found_and_no_hint(client, world, who):
    response = get_as(client, getattr(world, who), inspection_url(world.inspection))
    assert_not_found(response)
    assert "市科学技术局" not in page(response)


def test_anonymous_is_sent_to_login(client, world):
    url = inspection_url(world.inspection)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    response = client.get(f"/leads/{world.inspection.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_unit_liaison_gets_the_reduced_view(client, world, lead):
    f.FindingFactory(inspection=world.inspection, title=FINDING, recorded_by=world.team_member)
    audit_record(
        subject=world.inspection,
        actor=world.team_leader,
        action="plan",
        to_state="planned",
        note=INTERNAL_NOTE,
    )
    put(world.inspection, notified_on=datetime.date(2026, 9, 1))
    client.force_login(world.unit_liaison)

    response = client.get(inspection_url(world.inspection))
    assert response.status_code == 200
    html = page(response)
    assert "市科学技术局" in html
    assert response.context["in_full"] is False
    assert '<time datetime="2026-09-01">' in html
    assert zh(m.InspectionState.PLANNED.label) in html
    assert FINDING not in html
    assert zh("The problem list is shown here once feedback is given.") in html
    assert 'id="timeline-title"' not in html
    assert INTERNAL_NOTE not in html
    assert "组长甲" not in html
    assert SUMMARY not in html
    assert lead_url(lead) not in html

    m.Inspection.objects.filter(pk=world.inspection.pk).update(state="feedback_given")
    html = page(client.get(inspection_url(world.inspection)))
    assert FINDING in html
    assert zh(m.InspectionState.FEEDBACK_GIVEN.label) in html
    assert zh("The problem list is shown here once feedback is given.") not in html
    assert 'id="timeline-title"' not in html
    assert INTERNAL_NOTE not in html
    assert SUMMARY not in html
    assert lead_url(lead) not in html


def test_the_unit_liaison_sees_its_rectification_items(client, world):
    put(world.inspection, state=m.InspectionState.RECTIFYING)
    f.RectificationItemFactory(
        inspection=world.inspection,
        number=1,
        problem="财务审批流程不规范",
        measure="修订财务管理办法",
        responsible_person="李四",
        due_on=datetime.date(2026, 12, 31),
    )

    html = page(get_as(client, world.unit_liaison, inspection_url(world.inspection)))

    for text in ("财务审批流程不规范", "修订财务管理办法", "李四", '<time datetime="2026-12-31">'):
        assert text in html
    assert zh(m.ItemState.OPEN.label) in html


@pytest.mark.parametrize(
    "path", ["/inspections/999999/", "/inspections/abc/", "/leads/999999/", "/leads/abc/"]
)
def test_an_unknown_or_malformed_id_is_not_found(client, world, path):
    assert_not_found(get_as(client, world.office, path))


# Leads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", LEAD_HANDLERS)
def test_those_who_handle_leads_see_the_link_and_open_the_lead(client, world, lead, who):
    client.force_login(getattr(world, who))

    html = page(client.get(inspection_url(world.inspection)))
    assert f'href="{lead_url(lead)}"' in html
    assert zh(m.LeadState.REGISTERED.label) in html
    assert SUMMARY in html  # those who handle leads read the summary beside the link

    response = client.get(lead_url(lead))
    assert response.status_code == 200
    html = page(response)
    assert SUMMARY in html
    assert "某处长" in html
    assert "市科学技术局" in html
    assert str(world.round) in html
    assert f'href="{inspection_url(world.inspection)}"' in html


@pytest.mark.parametrize("who", NOT_LEAD_HANDLERS)
def test_nobody_else_finds_the_lead(client, world, lead, who):
    client.force_login(getattr(world, who))

    response = client.get(lead_url(lead))
    assert_not_found(response)
    assert SUMMARY not in page(response)

    response = client.get(inspection_url(world.inspection))
    assert response.status_code in (200, 404)
    assert SUMMARY not in page(response)
    assert lead_url(lead) not in page(response)


def test_the_organ_desk_finds_the_lead_only_once_handed_to_its_organ(client, world, lead):
    client.force_login(world.organ_desk)
    assert_not_found(client.get(lead_url(lead)))

    m.Lead.objects.filter(pk=lead.pk).update(
        state=m.LeadState.DECIDED, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )
    assert_not_found(client.get(lead_url(lead)))

    m.Lead.objects.filter(pk=lead.pk).update(
        state=m.LeadState.HANDED_OVER, handed_over_on=datetime.date(2026, 9, 20)
    )
    response = client.get(lead_url(lead))
    assert response.status_code == 200
    html = page(response)
    assert SUMMARY in html
    assert "市纪委监委" in html
    assert zh(m.LeadState.HANDED_OVER.label) in html
    assert '<time datetime="2026-09-20">' in html
    # The desk sees the lead, not the inspection: no link to a page that would say "not found".
    assert f'href="{inspection_url(world.inspection)}"' not in html
    assert_not_found(client.get(inspection_url(world.inspection)))


def test_a_desk_of_another_organ_never_finds_the_lead(client, world, lead):
    other_desk = f.ReceivingOrganDeskFactory(
        organ=f.ReceivingOrganFactory(name="市委组织部", route=m.Route.ORGANISATION)
    ).user
    m.Lead.objects.filter(pk=lead.pk).update(
        state=m.LeadState.HANDED_OVER, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )
    assert_not_found(get_as(client, other_desk, lead_url(lead)))


# Deadlines and the timeline ------------------------------------------------------------------------


def test_feedback_opens_deadlines_that_turn_red_when_overdue(client, world, frozen):
    put(world.inspection, state=m.InspectionState.HEARD, heard_on=datetime.date(2026, 9, 20))
    f.FindingFactory(inspection=world.inspection, title=FINDING, recorded_by=world.team_member)
    inspection_give_feedback(
        inspection=world.inspection,
        actor=world.office,
        consent_reference="市委常委会会议",
        on=FEEDBACK_DAY,
        note="已经市委同意",
    )
    client.force_login(world.unit_liaison)

    rows = {
        row.kind: row for row in client.get(inspection_url(world.inspection)).context["deadlines"]
    }
    plan = rows[zh("Rectification plan")]
    assert (plan.due_on, plan.colour, plan.days_left) == (PLAN_DUE, Colour.GREEN, 31)

    frozen.move_to(datetime.datetime(2026, 10, 28, 9, 0, tzinfo=SHANGHAI), tick=False)
    client.force_login(world.unit_liaison)  # the session of a month ago has expired
    response = client.get(inspection_url(world.inspection))
    assert response.status_code == 200
    html = page(response)
    rows = {row.kind: row for row in response.context["deadlines"]}
    plan = rows[zh("Rectification plan")]
    report = rows[zh("Rectification report")]
    assert (plan.colour, plan.days_overdue, plan.subject) == (Colour.RED, 2, "")
    assert report.colour == Colour.GREEN and report.days_left > 10
    assert f'<time datetime="{PLAN_DUE:%Y-%m-%d}">' in html
    deadlines_table = html[html.index('id="deadlines-title"') :]
    plan_row = deadlines_table[deadlines_table.index(zh("Rectification plan")) :]
    plan_row = plan_row[: plan_row.index("</tr>")]
    assert f'<time datetime="{PLAN_DUE:%Y-%m-%d}">' in plan_row
    assert '<span class="badge badge--red">' in plan_row
    assert zh(Colour.RED.label) in plan_row  # the colour is named, not only shown
    assert "badge--green" in html


def test_item_deadlines_are_listed_with_their_item(client, world, frozen):
    put(world.inspection, state=m.InspectionState.RECTIFYING)
    item = f.RectificationItemFactory(inspection=world.inspection, number=7)
    deadline_open(
        subject=item,
        kind="item",
        policy_key="item",
        starts_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 9, 30),
        responsible="unit",
        responsible_name="市科学技术局",
    )
    response = get_as(client, world.office, inspection_url(world.inspection))
    html = page(response)
    (row,) = response.context["deadlines"]
    assert (row.kind, row.subject, row.colour, row.days_left) == (
        zh("Rectification item"),
        zh("Item %(number)s") % {"number": 7},
        Colour.YELLOW,
        5,
    )
    assert '<span class="badge badge--yellow">' in html
    assert zh(Colour.YELLOW.label) in html


def test_the_lead_page_shows_the_report_back_deadline(client, world, lead, frozen):
    m.Lead.objects.filter(pk=lead.pk).update(
        state=m.LeadState.HANDED_OVER, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )
    deadline_open(
        subject=lead,
        kind="report_back",
        policy_key="lead_report_back",
        starts_on=datetime.date(2026, 6, 1),
        responsible="receiving_organ",
        responsible_name="市纪委监委",
    )
    due_on = Deadline.objects.get().due_on
    assert due_on < FEEDBACK_DAY

    response = get_as(client, world.organ_desk, lead_url(lead))
    html = page(response)
    (row,) = response.context["deadlines"]
    assert (row.kind, row.colour) == (zh("Report back on the lead"), Colour.RED)
    assert f'<time datetime="{due_on:%Y-%m-%d}">' in html
    assert '<span class="badge badge--red">' in html


def test_the_timeline_says_who_did_what_when_in_shanghai_time(client, world, frozen):
    put(world.inspection, state=m.InspectionState.HEARD)
    f.FindingFactory(inspection=world.inspection, recorded_by=world.team_member)
    inspection_give_feedback(
        inspection=world.inspection,
        actor=world.team_leader,
        consent_reference="市委常委会会议",
        on=FEEDBACK_DAY,
        note="已经市委同意",
    )
    html = page(get_as(client, world.office, inspection_url(world.inspection)))
    timeline = html[html.index('id="timeline-title"') :]
    assert "2026-09-25 10:30" in timeline  # 02:30 UTC
    assert "组长甲" in timeline
    assert zh("Give feedback") in timeline
    assert zh(m.InspectionState.HEARD.label) in timeline
    assert zh(m.InspectionState.FEEDBACK_GIVEN.label) in timeline
    assert "已经市委同意" in timeline


# Cost ----------------------------------------------------------------------------------------------


def fill(world, numbers: range) -> None:
    """Findings, items (each with its deadline) and leads numbered `numbers`."""
    for number in numbers:
        numbered_problems(world, number)
        f.LeadFactory(inspection=world.inspection, number=number, registered_by=world.team_leader)
        audit_record(subject=world.inspection, actor=world.office, action="grade", note=str(number))


@pytest.mark.parametrize("who", ["office", "team_leader", "unit_liaison"])
def test_the_inspection_page_costs_the_same_for_1_item_as_for_15(client, world, frozen, who):
    put(world.inspection, state=m.InspectionState.RECTIFYING)
    deadline_open(
        subject=world.inspection,
        kind="rectification_report",
        policy_key="rectification_report",
        starts_on=datetime.date(2026, 9, 1),
        responsible="unit",
    )
    fill(world, range(1, 2))
    client.force_login(getattr(world, who))
    client.get(inspection_url(world.inspection))  # warm the content-type cache

    with CaptureQueriesContext(connection) as one:
        response = client.get(inspection_url(world.inspection))
    assert len(response.context["items"]) == 1
    assert len(response.context["deadlines"]) == 2

    fill(world, range(2, 16))
    with CaptureQueriesContext(connection) as fifteen:
        response = client.get(inspection_url(world.inspection))
    assert len(response.context["items"]) == 15
    assert len(response.context["findings"]) == 15
    assert len(response.context["deadlines"]) == 16
    assert len(response.context["leads"]) == (15 if who != "unit_liaison" else 0)
    assert len(fifteen) == len(one)
    # Session, user, roles (5), inspection, aliases, findings, items, evidence files,
    # deadlines (2), leads, trail.
    assert len(one) <= 16
