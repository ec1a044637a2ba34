"""The leads desk and the lead page's actions: who gets a desk, what each sees, deciding, handing
over, reporting back and closing through the catalogue, and refusals."""

import datetime

import pytest
from django.urls import reverse

from inspections import models as m
from tests import factories as f
from tests.helpers import fresh, put
from tests.roles import ROLES
from tests.web.casework import do, page, post, zh

DESK = "/leads/"
SUMMARY = "反映某处长违规收受礼金"
# other_team_member is the other team's leader: a desk, empty of this team's leads (tested below).
HAS_A_DESK = (
    "leading_group",
    "office",
    "team_leader",
    "team_deputy",
    "organ_desk",
    "other_team_member",
)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0), tick=False)


@pytest.fixture
def lead(world) -> m.Lead:
    put(world.inspection, state=m.InspectionState.HEARD)
    return f.LeadFactory(
        inspection=world.inspection, number=1, registered_by=world.team_leader, summary=SUMMARY
    )


def lead_url(lead) -> str:
    return reverse("lead_detail", args=[lead.pk])


def test_the_route_is_where_the_navigation_expects_it():
    assert reverse("leads_desk") == DESK


@pytest.mark.parametrize("who", [r for r in ROLES if r not in HAS_A_DESK])
def test_nobody_else_has_a_desk(client, world, lead, who):
    client.force_login(getattr(world, who))
    response = client.get(DESK)
    assert response.status_code == 404
    assert SUMMARY not in page(response)
    response = client.post(DESK, {"do": do(lead, "decide"), "version": 1, "route": "discipline"})
    assert response.status_code == 404
    assert fresh(lead).state == m.LeadState.REGISTERED


@pytest.mark.parametrize("who", ["leading_group", "office", "team_leader", "team_deputy"])
def test_leadership_office_and_the_team_leaders_see_the_lead(client, world, lead, who):
    client.force_login(getattr(world, who))
    response = client.get(DESK)
    assert response.status_code == 200
    assert SUMMARY in page(response)
    assert [row.lead for row in response.context["rows"]] == [lead]


def test_another_teams_leader_sees_none_of_this_teams_leads(client, world, lead):
    client.force_login(world.other_team_member)  # leader of the other team
    response = client.get(DESK)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert SUMMARY not in page(response)


def test_a_receiving_organ_sees_a_lead_only_once_handed_to_it(client, world, lead):
    client.force_login(world.organ_desk)
    assert client.get(DESK).context["rows"] == []
    put(lead, state=m.LeadState.DECIDED, route=m.Route.DISCIPLINE, receiving_organ=world.organ)
    assert client.get(DESK).context["rows"] == []
    put(lead, state=m.LeadState.HANDED_OVER)
    response = client.get(DESK)
    (row,) = response.context["rows"]
    assert row.lead == lead
    assert [offer.do for offer in row.offers.actions] == [do(lead, "report_back")]


def test_only_the_leading_group_is_offered_the_decision(client, world, lead):
    for who, expected in (
        ("leading_group", [do(lead, "decide")]),
        ("office", []),
        ("team_leader", []),
    ):
        client.force_login(getattr(world, who))
        (row,) = client.get(DESK).context["rows"]
        assert [offer.do for offer in row.offers.actions] == expected, who


def test_a_lead_goes_from_decision_to_close_on_the_desk(client, world, lead):
    response = post(
        client,
        world.leading_group,
        DESK,
        {
            "do": do(lead, "decide"),
            "version": lead.version,
            "route": "discipline",
            "receiving_organ": world.organ.pk,
        },
    )
    assert response.status_code == 302
    lead = fresh(lead)
    assert (lead.state, lead.receiving_organ) == (m.LeadState.DECIDED, world.organ)

    response = post(
        client, world.office, DESK, {"do": do(lead, "hand_over"), "version": lead.version}
    )
    assert response.status_code == 302
    lead = fresh(lead)
    assert lead.state == m.LeadState.HANDED_OVER

    response = post(
        client,
        world.organ_desk,
        DESK,
        {"do": do(lead, "report_back"), "version": lead.version, "outcome": "已立案审查"},
    )
    assert response.status_code == 302
    lead = fresh(lead)
    assert (lead.state, lead.outcome) == (m.LeadState.REPORTED_BACK, "已立案审查")

    response = post(client, world.office, DESK, {"do": do(lead, "close"), "version": lead.version})
    assert response.status_code == 302
    assert fresh(lead).state == m.LeadState.CLOSED
    assert zh("Close the lead") in page(client.get(response["Location"]))


def test_an_organ_of_another_route_is_refused_next_to_its_field(client, world, lead):
    organisation = f.ReceivingOrganFactory(name="市委组织部", route=m.Route.ORGANISATION)
    response = post(
        client,
        world.leading_group,
        DESK,
        {
            "do": do(lead, "decide"),
            "version": lead.version,
            "route": "discipline",
            "receiving_organ": organisation.pk,
        },
    )
    assert response.status_code == 422
    (row,) = response.context["rows"]
    (offer,) = row.offers.actions
    assert offer.open and offer.form.errors["receiving_organ"]
    assert fresh(lead).state == m.LeadState.REGISTERED


def test_a_decision_without_a_receiving_organ_is_refused_next_to_its_field(client, world, lead):
    response = post(
        client,
        world.leading_group,
        DESK,
        {"do": do(lead, "decide"), "version": lead.version, "route": "discipline"},
    )
    assert response.status_code == 422
    (row,) = response.context["rows"]
    (offer,) = row.offers.actions
    assert offer.open and offer.form.errors["receiving_organ"]
    lead = fresh(lead)
    assert (lead.state, lead.version, lead.receiving_organ) == (m.LeadState.REGISTERED, 1, None)


def test_a_lead_the_person_cannot_see_is_not_found_on_the_desk(client, world, lead):
    put(lead, state=m.LeadState.DECIDED, route=m.Route.DISCIPLINE, receiving_organ=world.organ)
    response = post(
        client,
        world.organ_desk,
        DESK,
        {"do": do(lead, "report_back"), "version": lead.version, "outcome": "x"},
    )
    assert response.status_code == 404
    assert fresh(lead).state == m.LeadState.DECIDED


def test_a_stale_decision_says_so(client, world, lead):
    m.Lead.objects.filter(pk=lead.pk).update(version=lead.version + 1)
    response = post(
        client,
        world.leading_group,
        DESK,
        {
            "do": do(lead, "decide"),
            "version": lead.version,
            "route": "discipline",
            "receiving_organ": world.organ.pk,
        },
    )
    assert response.status_code == 409
    assert "alert--stale" in page(response)
    assert fresh(lead).state == m.LeadState.REGISTERED


def test_the_desk_filters_by_state_and_ignores_a_bad_one(client, world, lead):
    client.force_login(world.office)
    assert client.get(DESK, {"state": "closed"}).context["rows"] == []
    assert len(client.get(DESK, {"state": "registered"}).context["rows"]) == 1
    response = client.get(DESK, {"state": "<script>", "page": "abc"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1
    assert "<script>" not in page(response)


def test_the_lead_page_has_its_buttons_and_takes_them(client, world, lead):
    client.force_login(world.leading_group)
    response = client.get(lead_url(lead))
    assert [offer.do for offer in response.context["offers"].actions] == [do(lead, "decide")]
    assert f'for="lead-{lead.pk}-decide-route"' in page(response)
    response = client.post(
        lead_url(lead),
        {
            "do": do(lead, "decide"),
            "version": lead.version,
            "route": "discipline",
            "receiving_organ": world.organ.pk,
        },
    )
    assert response.status_code == 302
    assert fresh(lead).state == m.LeadState.DECIDED

    client.force_login(world.team_member)
    assert (
        client.post(lead_url(lead), {"do": do(lead, "hand_over"), "version": 2}).status_code == 404
    )


def test_a_hand_over_without_an_organ_lists_the_problem(client, world, lead):
    put(lead, state=m.LeadState.DECIDED, route=m.Route.OTHER)
    response = post(
        client, world.office, lead_url(lead), {"do": do(lead, "hand_over"), "version": lead.version}
    )
    assert response.status_code == 422
    error = response.context["attempt"].error
    assert error.code == "condition_failed"
    assert all(detail in page(response) for detail in error.details)
    assert fresh(lead).state == m.LeadState.DECIDED


def test_the_desk_reads_the_receiving_organs_once_however_many_leads_await_a_decision(
    client, world, lead, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.ReceivingOrganFactory.create_batch(3)
    client.force_login(world.leading_group)
    client.get(DESK)  # warm the caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        response = client.get(DESK)
    assert [offer.do for offer in response.context["rows"][0].offers.actions] == [
        do(lead, "decide")
    ]
    for number in range(2, 7):
        f.LeadFactory(inspection=world.inspection, number=number, registered_by=world.team_leader)
    with django_assert_num_queries(len(one)):
        response = client.get(DESK)
    rows = response.context["rows"]
    assert len(rows) == 6
    organs = [
        [
            str(label)
            for _value, label in row.offers.by_name["decide"].form["receiving_organ"].field.choices
        ]
        for row in rows
    ]
    # Every form still lists every organ.
    assert all(len(listed) == m.ReceivingOrgan.objects.count() + 1 for listed in organs)
