"""The inspection page's actions: who gets which buttons, taking them, refusals and stale forms."""

import datetime

import pytest
from django.urls import reverse

from inspections import models as m
from tests import factories as f
from tests.helpers import fresh, put
from tests.roles import ROLES
from tests.web.casework import TODAY, do, page, post, ready_to_work, rectifying_item, zh
from workflows.audit import audit_trail


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0), tick=False)


def url(inspection) -> str:
    return reverse("inspection_detail", args=[inspection.pk])


def offered(response) -> list[str]:
    """The names of the inspection's own actions the page offers."""
    return [offer.do.rsplit(":", 1)[1] for offer in response.context["offers"].actions]


@pytest.fixture
def notified(world):
    ready_to_work(world)
    return put(world.inspection, state=m.InspectionState.NOTIFIED)


# Who sees which buttons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("team_leader", ["station"]),
        ("team_deputy", ["station"]),
        ("leading_group", ["cancel"]),
        ("office", []),
        ("team_member", []),
        ("unit_liaison", []),
    ],
)
def test_each_role_is_offered_what_it_may_do_now(client, world, notified, who, expected):
    client.force_login(getattr(world, who))
    response = client.get(url(notified))
    assert response.status_code == 200
    assert offered(response) == expected
    html = page(response)
    for name in expected:
        assert f'value="{do(notified, name)}"' in html
    assert 'name="version" value="1"' in html or not expected


@pytest.mark.parametrize(
    "who", ["other_team_member", "other_unit_liaison", "organ_desk", "outsider"]
)
def test_those_who_may_not_see_the_inspection_cannot_post_to_it(client, world, notified, who):
    response = post(
        client, getattr(world, who), url(notified), {"do": do(notified, "station"), "version": 1}
    )
    assert response.status_code == 404
    assert fresh(notified).state == m.InspectionState.NOTIFIED


def test_every_field_of_every_offered_form_has_a_label(client, world, notified):
    client.force_login(world.team_leader)
    html = page(client.get(url(notified)))
    form = html[html.index(f'id="{do(notified, "station").replace(":", "-")}"') :]
    form = form[: form.index("</details>")]
    for name in ("on", "note"):
        field_id = f"inspection-{notified.pk}-station-{name}"
        assert f'<label for="{field_id}">' in form
        assert f'id="{field_id}"' in form


# Taking an action ------------------------------------------------------------------------


def test_a_team_leader_stations_the_team_and_is_sent_back_with_a_message(client, world, notified):
    response = post(
        client,
        world.team_leader,
        url(notified),
        {"do": do(notified, "station"), "version": notified.version, "on": "2026-11-25"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url(notified))
    inspection = fresh(notified)
    assert inspection.state == m.InspectionState.STATIONED
    assert inspection.stationed_on == datetime.date(2026, 11, 25)
    entry = audit_trail(inspection).last()
    assert (entry.actor, entry.action) == (world.team_leader, "station")

    html = page(client.get(response["Location"]))
    assert zh("Station the team") in html  # the message names what was done
    assert zh(m.InspectionState.STATIONED.label) in html


def test_a_refused_action_shows_the_services_message_and_changes_nothing(client, world, notified):
    # The liaison may see the inspection but not station the team: a crafted POST is refused.
    response = post(
        client, world.unit_liaison, url(notified), {"do": do(notified, "station"), "version": 1}
    )
    assert response.status_code == 422
    assert zh("You are not allowed to do this.") in page(response)
    assert fresh(notified).state == m.InspectionState.NOTIFIED


def test_a_failed_condition_lists_each_problem(client, world):
    ready_to_work(world)
    inspection = put(world.inspection, state=m.InspectionState.HEARD)  # no findings yet
    response = post(
        client,
        world.office,
        url(inspection),
        {
            "do": do(inspection, "give_feedback"),
            "version": inspection.version,
            "consent_reference": "市委常委会会议",
        },
    )
    assert response.status_code == 422
    attempt = response.context["attempt"]
    assert attempt.error.code == "condition_failed"
    assert attempt.placed  # shown in the form it came from, which stays open
    html = page(response)
    assert 'class="alert__details"' in html
    for detail in attempt.error.details:
        assert detail in html
    assert fresh(inspection).state == m.InspectionState.HEARD


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("on", "2026-13-45", "Enter a valid date."),
        ("on", "2026-12-31", "The date cannot be in the future."),
        ("note", "长" * 2001, None),
    ],
)
def test_bad_input_is_shown_next_to_its_field(client, world, notified, field, value, message):
    response = post(
        client,
        world.team_leader,
        url(notified),
        {"do": do(notified, "station"), "version": notified.version, field: value},
    )
    assert response.status_code == 422
    offer = response.context["offers"].actions[0]
    assert offer.open and offer.error.code == "invalid"
    assert offer.form.errors[field]
    if message:
        assert zh(message) in offer.form.errors[field]
    html = page(response)
    assert f'id="inspection-{notified.pk}-station-{field}_errors"' in html
    assert fresh(notified).state == m.InspectionState.NOTIFIED


def test_a_stale_form_says_someone_acted_first_and_shows_the_new_state(client, world, notified):
    seen = notified.version
    m.Inspection.objects.filter(pk=notified.pk).update(
        state=m.InspectionState.CANCELLED, version=seen + 1
    )
    response = post(
        client,
        world.team_leader,
        url(notified),
        {"do": do(notified, "station"), "version": seen, "note": "按计划进驻"},
    )
    assert response.status_code == 409
    html = page(response)
    assert "alert--stale" in html
    assert zh(m.InspectionState.CANCELLED.label) in html
    assert response.context["inspection"].state == m.InspectionState.CANCELLED
    assert response.context["offers"].actions == []  # nothing left to take
    assert fresh(notified).state == m.InspectionState.CANCELLED


def test_a_stale_form_still_open_keeps_what_was_typed_with_the_new_version(client, world, notified):
    m.Inspection.objects.filter(pk=notified.pk).update(version=notified.version + 1)
    response = post(
        client,
        world.team_leader,
        url(notified),
        {"do": do(notified, "station"), "version": notified.version, "note": "按计划进驻"},
    )
    assert response.status_code == 409
    (offer,) = response.context["offers"].actions
    assert offer.open and offer.version == notified.version + 1
    assert "按计划进驻" in page(response)
    assert fresh(notified).state == m.InspectionState.NOTIFIED


@pytest.mark.parametrize(
    "posted",
    [
        {"do": "inspection:999999:station", "version": 1},
        {"do": "item:999999:verify", "version": 1},
        {"do": "nonsense", "version": 1},
        {"do": "inspection:{pk}:no_such_action", "version": 1},
        {"do": "round:1:approve", "version": 1},
    ],
)
def test_unknown_records_and_actions_are_not_found(client, world, notified, posted):
    posted = {**posted, "do": posted["do"].format(pk=notified.pk)}
    response = post(client, world.team_leader, url(notified), posted)
    assert response.status_code == 404
    assert fresh(notified).state == m.InspectionState.NOTIFIED


def test_a_garbled_version_is_treated_as_stale(client, world, notified):
    response = post(
        client, world.team_leader, url(notified), {"do": do(notified, "station"), "version": "x"}
    )
    assert response.status_code == 409
    assert fresh(notified).state == m.InspectionState.NOTIFIED


def test_with_htmx_a_refusal_comes_back_as_200_for_the_swap(client, world, notified):
    response = post(
        client,
        world.unit_liaison,
        url(notified),
        {"do": do(notified, "station"), "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = page(response)
    assert 'id="main"' in html
    assert zh("You are not allowed to do this.") in html


# Findings and leads -----------------------------------------------------------------------


def test_a_team_member_records_a_finding_while_stationed(client, world):
    ready_to_work(world)
    inspection = put(world.inspection, state=m.InspectionState.STATIONED)
    client.force_login(world.team_member)
    assert "record_finding" in client.get(url(inspection)).context["offers"].adds

    response = client.post(
        url(inspection),
        {
            "do": do(inspection, "record_finding"),
            "version": inspection.version,
            "category": m.FindingCategory.INTEGRITY,
            "title": "公务用车管理不严格",
            "description": "存在公车私用现象",
        },
    )
    assert response.status_code == 302
    finding = inspection.findings.get()
    assert (finding.number, finding.title, finding.recorded_by) == (
        1,
        "公务用车管理不严格",
        world.team_member,
    )
    assert "公务用车管理不严格" in page(client.get(url(inspection)))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "nonsense", "title": "问题"}, "category"),
        ({"category": "integrity", "title": "问" * 301}, "title"),
        ({"category": "integrity", "title": "   "}, "title"),
    ],
)
def test_a_bad_finding_is_refused_field_by_field(client, world, data, field):
    ready_to_work(world)
    inspection = put(world.inspection, state=m.InspectionState.STATIONED)
    response = post(
        client,
        world.team_member,
        url(inspection),
        {"do": do(inspection, "record_finding"), "version": inspection.version, **data},
    )
    assert response.status_code == 422
    assert response.context["offers"].adds["record_finding"].form.errors[field]
    assert not inspection.findings.exists()


@pytest.mark.parametrize(
    "who", [r for r in ROLES if r not in ("team_member", "team_leader", "team_deputy")]
)
def test_nobody_off_the_team_is_offered_the_finding_form(client, world, who):
    ready_to_work(world)
    inspection = put(world.inspection, state=m.InspectionState.STATIONED)
    client.force_login(getattr(world, who))
    response = client.get(url(inspection))
    if response.status_code == 200:
        assert "record_finding" not in response.context["offers"].adds


def test_the_team_leader_registers_a_lead_and_only_handlers_see_its_summary(client, world):
    ready_to_work(world)
    inspection = put(world.inspection, state=m.InspectionState.STATIONED)
    response = post(
        client,
        world.team_leader,
        url(inspection),
        {
            "do": do(inspection, "register_lead"),
            "version": inspection.version,
            "summary": "反映某科长违规经商办企业",
            "persons_named": "某科长",
        },
    )
    assert response.status_code == 302
    lead = inspection.leads.get()
    html = page(client.get(url(inspection)))
    assert "反映某科长违规经商办企业" in html
    assert reverse("lead_detail", args=[lead.pk]) in html

    client.force_login(world.team_member)
    html = page(client.get(url(inspection)))
    assert "反映某科长违规经商办企业" not in html
    assert reverse("lead_detail", args=[lead.pk]) not in html


# Items --------------------------------------------------------------------------------------


def test_the_office_verifies_a_submitted_item_from_the_inspection_page(client, world):
    item = rectifying_item(world, m.ItemState.SUBMITTED)
    client.force_login(world.office)
    response = client.get(url(world.inspection))
    (card,) = response.context["items"]
    assert [o.do for o in card.offers.actions] == [do(item, "return_item"), do(item, "verify")]

    response = client.post(
        url(world.inspection), {"do": do(item, "verify"), "version": item.version}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert fresh(item).state == m.ItemState.VERIFIED


def test_an_item_of_another_inspection_is_not_found_from_this_page(client, world):
    other = f.RectificationItemFactory(inspection=world.other_inspection, number=1)
    put(other, state=m.ItemState.SUBMITTED)
    response = post(
        client, world.office, url(world.inspection), {"do": do(other, "verify"), "version": 1}
    )
    assert response.status_code == 404
    assert fresh(other).state == m.ItemState.SUBMITTED


def test_the_page_shows_every_item_with_its_due_date_and_state(client, world):
    rectifying_item(world, m.ItemState.IN_PROGRESS, due_on=TODAY + datetime.timedelta(days=5))
    client.force_login(world.team_member)
    html = page(client.get(url(world.inspection)))
    assert "财务审批流程不规范" in html
    assert f'<time datetime="{TODAY + datetime.timedelta(days=5):%Y-%m-%d}">' in html
    assert zh(m.ItemState.IN_PROGRESS.label) in html
