"""My work (the home page): what each role must do next, with colours and days."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from inspections import models as m
from tests import factories as f
from tests.helpers import put
from tests.web.test_overview_ledger import make_items
from workflows.calendar import end_of_day
from workflows.models import Colour, Deadline, DeadlinePolicy


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def work_of(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["work"], response.content.decode()


def lead_deadline(lead, due_on):
    return Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(m.Lead),
        object_id=lead.pk,
        kind="report_back",
        policy=DeadlinePolicy.objects.get(key="lead_report_back"),
        responsible="receiving_organ",
        responsible_name=str(lead.receiving_organ),
        starts_on=due_on - datetime.timedelta(days=90),
        due_on=due_on,
        due_at=end_of_day(due_on),
    )


@pytest.fixture
def busy(world):
    """The round mobilised and its teams authorised; the first inspection notified (the team
    leader must station), the second reported (the leading group must hear it); leads in each
    stage; the first unit rectifying items of an earlier inspection."""
    today = timezone.localdate()
    put(world.round, m.RoundState.MOBILIZED)
    put(world.team, m.TeamState.AUTHORIZED)
    put(world.other_team, m.TeamState.AUTHORIZED)
    put(world.inspection, m.InspectionState.NOTIFIED)
    put(world.other_inspection, m.InspectionState.REPORTED)
    earlier = f.InspectionFactory(
        round=f.RoundFactory(number=3),
        unit=world.unit,
        state=m.InspectionState.RECTIFYING,
    )
    make_items(earlier, 6)  # due from 5 days ago: red, red, …
    other_earlier = f.InspectionFactory(
        round=earlier.round, unit=world.other_unit, state=m.InspectionState.RECTIFYING
    )
    make_items(other_earlier, 2)
    f.LeadFactory(inspection=world.inspection, number=1, summary="待决定线索摘要")
    handed = f.LeadFactory(
        inspection=world.other_inspection,
        number=2,
        summary="已移交线索摘要",
        persons_named="李某",
        state=m.LeadState.HANDED_OVER,
        receiving_organ=world.organ,
        route=m.Route.DISCIPLINE,
    )
    lead_deadline(handed, today + datetime.timedelta(days=3))
    elsewhere = f.LeadFactory(
        inspection=world.other_inspection,
        number=3,
        summary="他处线索",
        state=m.LeadState.HANDED_OVER,
        receiving_organ=f.ReceivingOrganFactory(name="市委组织部", route=m.Route.ORGANISATION),
    )
    lead_deadline(elsewhere, today + datetime.timedelta(days=50))
    world.earlier = earlier
    world.handed = handed
    return world


def test_home_is_my_work_and_anonymous_must_log_in(client, world):
    assert reverse("home") == "/"
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(world.office)
    response = client.get("/")
    assert "overview/my_work.html" in [t.name for t in response.templates]
    assert zh("My work") in response.content.decode()


@pytest.mark.parametrize("who", ["team_leader", "team_deputy"])
def test_a_team_leader_is_asked_to_station_the_team(client, busy, who):
    work, html = work_of(client, getattr(busy, who))
    (row,) = work.waiting.rows
    assert row.inspection == busy.inspection
    assert row.yours == [zh("Station the team")]
    assert zh("Station the team") in html
    assert "市数据局" not in html  # another team's inspection


def test_a_team_member_follows_the_inspection_the_leader_acts_on(client, busy):
    work, html = work_of(client, busy.team_member)
    assert work.waiting.rows == []
    (row,) = work.following.rows
    assert row.inspection == busy.inspection and row.others == [zh("Station the team")]
    assert zh("Your team's inspections") in html


def test_the_leading_group_hears_reports_and_decides_leads(client, busy):
    work, html = work_of(client, busy.leading_group)
    assert [row.inspection for row in work.waiting.rows] == [busy.other_inspection]
    assert work.waiting.rows[0].yours == [zh("Hear the report")]
    assert [lead.number for lead in work.leads_to_decide.rows] == [1]
    assert reverse("lead_detail", args=[work.leads_to_decide.rows[0].pk]) in html
    # A work list names a lead; it never shows what the lead says.
    assert "待决定线索摘要" not in html and "已移交线索摘要" not in html


def test_the_office_sees_what_is_overdue(client, busy):
    work, html = work_of(client, busy.office)
    overdue = work.overdue.rows
    # Most overdue first, whichever unit: both units' first items fell due 5 days ago.
    assert [(row.unit, row.number) for row in overdue] == [
        ("市科学技术局", 1),
        ("市数据局", 1),
        ("市科学技术局", 2),
        ("市数据局", 2),
        ("市科学技术局", 3),
        ("市科学技术局", 4),
        ("市科学技术局", 5),
    ]
    assert overdue[0].standing.colour == Colour.RED and overdue[0].standing.days_overdue == 5
    assert zh("Overdue") in html
    assert "badge badge--red" in html
    # Nothing the office must do on the notified or reported inspections.
    assert work.waiting.rows == []


def test_a_liaison_sees_their_units_open_items_with_colour_and_days(client, busy):
    work, html = work_of(client, busy.unit_liaison)
    rows = work.items.rows
    assert [row.item.number for row in rows] == [1, 2, 3, 4, 5, 6]
    assert {row.item.inspection.unit for row in rows} == {busy.unit}
    assert [row.standing.colour for row in rows] == ["red"] * 5 + ["yellow"]
    assert rows[0].standing.days_left == -5 and rows[-1].standing.days_left == 0
    assert "市数据局" not in html
    assert zh("Due today") in html
    with translation.override("zh-hans"):
        five_overdue = translation.ngettext("%(days)s day overdue", "%(days)s days overdue", 5)
    assert five_overdue % {"days": 5} in html
    # The unit reports on its rectification, and follows the inspection the team stations next.
    assert [row.inspection for row in work.waiting.rows] == [busy.earlier]
    assert work.waiting.rows[0].yours == [zh("Submit the rectification report")]
    assert [row.inspection for row in work.following.rows] == [busy.inspection]


def test_another_units_liaison_never_sees_the_first_units_items(client, busy):
    work, html = work_of(client, busy.other_unit_liaison)
    assert {row.item.inspection.unit for row in work.items.rows} == {busy.other_unit}
    assert "市科学技术局" not in html


def test_a_receiving_organ_sees_its_leads_awaiting_report_back_only(client, busy):
    work, html = work_of(client, busy.organ_desk)
    (row,) = work.leads_to_report.rows
    assert row.pk == busy.handed.pk
    assert row.standing.colour == Colour.YELLOW and row.standing.days_left == 3
    assert "已移交线索摘要" not in html and "李某" not in html and "他处线索" not in html
    assert work.waiting.rows == [] and work.items.rows == []


def test_a_team_leader_verifies_submitted_items(client, busy):
    put(busy.inspection, m.InspectionState.RECTIFYING)
    (item,) = make_items(busy.inspection, 1)
    put(item, m.ItemState.SUBMITTED)
    work, html = work_of(client, busy.team_leader)
    assert [row.item for row in work.to_verify.rows] == [item]
    assert zh("Items waiting for your verification") in html
    work, _html = work_of(client, busy.team_member)
    assert work.to_verify.rows == []


def test_someone_with_no_role_is_told_so(client, busy):
    work, html = work_of(client, busy.outsider)
    assert work.is_empty
    assert (
        zh(
            "Your account has no role in the inspection work yet. If you think it should, ask the "
            "inspection office."
        )
        in html
    )


def test_long_lists_say_how_many_more(client, world):
    put(world.inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 60)
    work, html = work_of(client, world.unit_liaison)
    assert len(work.items.rows) == 50 and work.items.more == 10
    with translation.override("zh-hans"):
        more = translation.ngettext("And %(count)s more.", "And %(count)s more.", 10)
    assert more % {"count": 10} in html


def test_a_unit_does_not_hear_of_its_inspection_before_the_written_notice(client, world):
    work, html = work_of(client, world.unit_liaison)
    assert work.waiting.rows == [] and work.following.rows == []
    assert str(world.round) not in html
    put(world.inspection, m.InspectionState.NOTIFIED)
    work, _html = work_of(client, world.unit_liaison)
    assert [row.inspection for row in work.following.rows] == [world.inspection]
