"""The unit portal: only a unit's liaison, only its own inspections; the plan, its submission,
items and the rectification report, all through the services."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import models as m
from tests import factories as f
from tests.helpers import fresh, numbered_problems, put
from tests.roles import ROLES
from tests.web.casework import FEEDBACK_DAY, at_feedback, do, page, post, rectifying_item, zh
from workflows.deadlines import deadline_open


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0), tick=False)


def url(inspection) -> str:
    return reverse("portal_inspection", args=[inspection.pk])


PORTAL = "/portal/"


def test_the_routes_are_where_the_navigation_expects_them():
    assert reverse("unit_portal") == PORTAL


@pytest.mark.parametrize(
    "who", [r for r in ROLES if r not in ("unit_liaison", "other_unit_liaison")]
)
def test_nobody_but_a_unit_liaison_has_a_portal(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(PORTAL).status_code == 404
    assert client.get(url(world.inspection)).status_code == 404


def test_a_liaison_sees_only_their_own_units_inspections(client, world):
    client.force_login(world.unit_liaison)
    response = client.get(PORTAL)
    assert response.status_code == 200
    html = page(response)
    assert url(world.inspection) in html
    assert "市科学技术局" in html
    assert "市数据局" not in html
    assert url(world.other_inspection) not in html


def test_a_liaison_of_another_unit_is_not_found(client, world):
    at_feedback(world)
    client.force_login(world.other_unit_liaison)
    response = client.get(url(world.inspection))
    assert response.status_code == 404
    assert "市科学技术局" not in page(response)
    response = client.post(url(world.inspection), {"do": do(world.inspection, "submit_plan")})
    assert response.status_code == 404
    assert fresh(world.inspection).state == m.InspectionState.FEEDBACK_GIVEN


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(PORTAL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_problem_list_shows_once_feedback_is_given(client, world):
    finding = f.FindingFactory(
        inspection=world.inspection,
        title="内部审计发现问题整改不到位",
        recorded_by=world.team_member,
    )
    client.force_login(world.unit_liaison)
    assert finding.title not in page(client.get(url(world.inspection)))
    put(world.inspection, state=m.InspectionState.FEEDBACK_GIVEN, feedback_on=FEEDBACK_DAY)
    assert finding.title in page(client.get(url(world.inspection)))


# The plan --------------------------------------------------------------------------------------


def add_item(client, world, chosen, **changes):
    data = {
        "do": do(world.inspection, "add_plan_item"),
        "version": world.inspection.version,
        "finding": chosen.pk,
        "measure": "修订公务接待管理办法,开展专项检查",
        "responsible_person": "办公室主任王五",
        "due_on": "2027-01-31",
        **changes,
    }
    return post(client, world.unit_liaison, url(world.inspection), data)


def test_a_liaison_writes_the_plan_and_submits_it(client, world):
    finding = at_feedback(world)
    client.force_login(world.unit_liaison)
    offers = client.get(url(world.inspection)).context["offers"]
    assert "add_plan_item" in offers.adds
    assert [o.do for o in offers.actions] == [do(world.inspection, "submit_plan")]

    response = add_item(client, world, finding)
    assert response.status_code == 302
    item = world.inspection.items.get()
    assert (item.finding, item.responsible_person, item.due_on) == (
        finding,
        "办公室主任王五",
        datetime.date(2027, 1, 31),
    )

    response = client.post(
        url(world.inspection),
        {
            "do": do(item, "update_plan_item"),
            "version": item.version,
            "measure": "修订办法并公开",
            "responsible_person": "副主任赵六",
            "due_on": "2027-02-28",
        },
    )
    assert response.status_code == 302
    assert fresh(item).responsible_person == "副主任赵六"

    response = client.post(
        url(world.inspection),
        {
            "do": do(world.inspection, "submit_plan"),
            "version": fresh(world.inspection).version,
            "signed_by": "党委书记张三",
            "signed_on": "2026-11-25",
        },
    )
    assert response.status_code == 302
    inspection = fresh(world.inspection)
    assert inspection.state == m.InspectionState.PLAN_SUBMITTED
    assert inspection.plan_signed_by == "党委书记张三"
    html = page(client.get(url(inspection)))
    assert zh(m.InspectionState.PLAN_SUBMITTED.label) in html
    # The plan is in; nothing is left to change until it comes back.
    assert "add_plan_item" not in client.get(url(inspection)).context["offers"].adds


def test_a_plan_that_leaves_a_problem_uncovered_is_refused_with_the_problem_named(client, world):
    at_feedback(world)
    response = post(
        client,
        world.unit_liaison,
        url(world.inspection),
        {
            "do": do(world.inspection, "submit_plan"),
            "version": world.inspection.version,
            "signed_by": "党委书记张三",
        },
    )
    assert response.status_code == 422
    error = response.context["attempt"].error
    assert error.code == "condition_failed"
    html = page(response)
    assert error.details and all(detail in html for detail in error.details)
    assert "公务接待管理不规范" in " ".join(error.details)
    assert fresh(world.inspection).state == m.InspectionState.FEEDBACK_GIVEN


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_on": "2027-02-30"}, "due_on"),
        ({"due_on": "not a date"}, "due_on"),
        ({"due_on": (FEEDBACK_DAY - datetime.timedelta(days=1)).isoformat()}, "due_on"),
        ({"responsible_person": "人" * 101}, "responsible_person"),
        ({"measure": "措" * 5001}, "measure"),
        ({"measure": "   "}, "measure"),
        ({"finding": "999999"}, "finding"),
        ({"finding": "abc"}, "finding"),
    ],
)
def test_a_bad_plan_item_is_refused_next_to_its_field(client, world, changes, field):
    finding = at_feedback(world)
    response = add_item(client, world, finding, **changes)
    assert response.status_code == 422
    offer = response.context["offers"].adds["add_plan_item"]
    assert offer.open and offer.form.errors[field]
    assert not world.inspection.items.exists()


def test_a_finding_of_another_inspection_is_not_a_choice(client, world):
    at_feedback(world)
    foreign = f.FindingFactory(inspection=world.other_inspection, recorded_by=world.team_member)
    response = add_item(client, world, foreign)
    assert response.status_code == 422
    assert response.context["offers"].adds["add_plan_item"].form.errors["finding"]
    assert not m.RectificationItem.objects.exists()


def test_a_plan_item_is_removed(client, world):
    finding = at_feedback(world)
    add_item(client, world, finding)
    item = world.inspection.items.get()
    response = client.post(
        url(world.inspection), {"do": do(item, "remove_plan_item"), "version": item.version}
    )
    assert response.status_code == 302
    assert not world.inspection.items.exists()


def test_an_edit_from_a_stale_page_is_refused_and_shows_the_item_as_it_stands(client, world):
    finding = at_feedback(world)
    add_item(client, world, finding)
    item = world.inspection.items.get()
    m.RectificationItem.objects.filter(pk=item.pk).update(
        responsible_person="别人改过", version=item.version + 1
    )
    response = client.post(
        url(world.inspection),
        {
            "do": do(item, "update_plan_item"),
            "version": item.version,
            "measure": "我的修改",
            "responsible_person": "我",
            "due_on": "2027-03-01",
        },
    )
    assert response.status_code == 409
    assert "别人改过" in page(response)
    assert fresh(item).responsible_person == "别人改过"


# Items and the report -------------------------------------------------------------------------------


def test_a_liaison_starts_reports_progress_and_submits_an_item(client, world):
    item = rectifying_item(world, m.ItemState.OPEN)
    client.force_login(world.unit_liaison)
    (card,) = client.get(url(world.inspection)).context["items"]
    # Only start: no plan edits (change, remove) once the plan is approved.
    assert [o.do for o in card.offers.actions] == [do(item, "start")]

    assert (
        client.post(url(world.inspection), {"do": do(item, "start"), "version": 1}).status_code
        == 302
    )
    item = fresh(item)
    assert item.state == m.ItemState.IN_PROGRESS
    response = client.post(
        url(world.inspection),
        {"do": do(item, "report_progress"), "version": item.version, "progress": "已完成一半"},
    )
    assert response.status_code == 302
    item = fresh(item)
    assert item.progress == "已完成一半"
    response = client.post(
        url(world.inspection),
        {
            "do": do(item, "submit"),
            "version": item.version,
            "progress": "已全部完成",
            "evidence": "制度文件",
            "on": "2026-11-26",
        },
    )
    assert response.status_code == 302
    assert fresh(item).state == m.ItemState.SUBMITTED


def test_a_liaison_submits_the_rectification_report(client, world):
    rectifying_item(world, m.ItemState.SUBMITTED)
    response = post(
        client,
        world.unit_liaison,
        url(world.inspection),
        {
            "do": do(world.inspection, "submit_rectification_report"),
            "version": fresh(world.inspection).version,
            "report": "整改工作总体情况……",
            "principal_report": "本人牵头组织整改……",
        },
    )
    assert response.status_code == 302
    inspection = fresh(world.inspection)
    assert inspection.state == m.InspectionState.RECTIFICATION_REPORTED
    html = page(client.get(url(inspection)))
    assert "整改工作总体情况" in html and "本人牵头组织整改" in html


def test_the_portal_list_shows_the_plan_deadline_with_its_colour(client, world):
    from inspections.services.inspections import inspection_give_feedback

    ready = at_feedback(world)
    put(world.inspection, state=m.InspectionState.HEARD)
    inspection_give_feedback(
        inspection=fresh(world.inspection),
        actor=world.office,
        consent_reference="市委常委会会议",
        on=datetime.date(2026, 11, 20),
    )
    assert ready.pk
    client.force_login(world.unit_liaison)
    html = page(client.get(PORTAL))
    assert zh("Rectification plan") in html
    assert "badge--" in html


# Cost --------------------------------------------------------------------------------------------


def test_the_inspection_page_costs_the_same_for_2_items_as_for_15(client, world):
    rectifying_item(world)  # item 1: its problem written on the item, no deadline of its own
    numbered_problems(world, 2)
    target = url(world.inspection)
    client.force_login(world.unit_liaison)
    client.get(target)  # warm the content-type cache

    with CaptureQueriesContext(connection) as two:
        assert client.get(target).status_code == 200
    for number in range(3, 16):
        numbered_problems(world, number)
    with CaptureQueriesContext(connection) as fifteen:
        response = client.get(target)
    assert len(response.context["items"]) == 15
    assert len(response.context["problems"]) == 14
    assert len(response.context["deadlines"]) == 14
    assert len(fifteen) == len(two)


def unit_inspection(world, number: int) -> None:
    """Another inspection of the liaison's unit, in another round, rectifying, with a deadline."""
    inspection = put(
        f.InspectionFactory(unit=world.unit, round=f.RoundFactory(number=10 + number)),
        state=m.InspectionState.RECTIFYING,
        feedback_on=FEEDBACK_DAY,
    )
    deadline_open(
        subject=inspection,
        kind="rectification_report",
        policy_key="rectification_report",
        starts_on=datetime.date(2026, 9, 1),
        responsible="unit",
    )


def test_the_portal_list_costs_the_same_for_1_inspection_as_for_5(client, world):
    rectifying_item(world)
    client.force_login(world.unit_liaison)
    client.get(PORTAL)  # warm the content-type cache

    with CaptureQueriesContext(connection) as one:
        assert client.get(PORTAL).status_code == 200
    for number in range(4):
        unit_inspection(world, number)
    with CaptureQueriesContext(connection) as five:
        response = client.get(PORTAL)
    assert len(response.context["rows"]) == 5
    assert sum(len(deadlines) for _, deadlines in response.context["rows"]) == 4
    assert len(five) == len(one)
