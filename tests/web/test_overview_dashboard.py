"""The round dashboard: who may open it, what it counts, its charts and their text alternatives."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from inspections import models as m
from inspections.selectors.dashboard import burn_down
from tests import factories as f
from tests.helpers import assert_last_audit, fresh, put
from tests.web.casework import do
from tests.web.test_overview_ledger import make_items
from workflows.audit import audit_trail
from workflows.calendar import end_of_day
from workflows.models import Deadline, DeadlinePolicy


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def dashboard(client, user, round_):
    client.force_login(user)
    return client.get(reverse("round_dashboard", args=[round_.pk]))


@pytest.fixture
def busy_round(world):
    """The world's round mobilised: one inspection rectifying with 12 items, one stationed and
    overdue on site, and a third (no team yet) planned."""
    put(world.round, m.RoundState.MOBILIZED, mobilized_on=datetime.date(2026, 4, 11))
    today = timezone.localdate()
    put(
        world.inspection,
        m.InspectionState.RECTIFYING,
        feedback_on=today - datetime.timedelta(days=60),
        plan_approved_on=today - datetime.timedelta(days=40),
    )
    put(world.other_inspection, m.InspectionState.STATIONED)
    make_items(world.inspection, 12, closed_every=4)
    m.RectificationItem.objects.filter(state=m.ItemState.CLOSED).update(
        closed_on=today - datetime.timedelta(days=10)
    )
    Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(m.Inspection),
        object_id=world.other_inspection.pk,
        kind="on_site",
        policy=DeadlinePolicy.objects.get(key="on_site_regular"),
        responsible="team",
        responsible_name="第二巡视组",
        starts_on=today - datetime.timedelta(days=70),
        due_on=today - datetime.timedelta(days=9),
        due_at=end_of_day(today - datetime.timedelta(days=9)),
    )
    f.InspectionFactory(round=world.round, unit=f.UnitFactory(name="市第三局"))
    return world


@pytest.mark.parametrize("who", ["leading_group", "office"])
def test_leadership_and_office_open_the_dashboard(client, busy_round, who):
    response = dashboard(client, getattr(busy_round, who), busy_round.round)
    assert response.status_code == 200
    assert str(busy_round.round) in response.content.decode()


@pytest.mark.parametrize("who", ["team_leader", "team_member", "other_team_member"])
def test_a_team_of_the_round_is_not_allowed(client, busy_round, who):
    response = dashboard(client, getattr(busy_round, who), busy_round.round)
    assert response.status_code == 403
    assert zh("Not allowed") in response.content.decode()


@pytest.mark.parametrize("who", ["unit_liaison", "other_unit_liaison", "organ_desk", "outsider"])
def test_those_who_may_not_see_the_round_get_not_found(client, busy_round, who):
    response = dashboard(client, getattr(busy_round, who), busy_round.round)
    assert response.status_code == 404
    assert zh("Page not found") in response.content.decode()


def test_an_unknown_round_is_not_found(client, busy_round):
    client.force_login(busy_round.office)
    assert client.get(reverse("round_dashboard", args=[999999])).status_code == 404


def test_counts_by_state_batch_and_team(client, busy_round):
    response = dashboard(client, busy_round.office, busy_round.round)
    board = response.context["dashboard"]
    assert board.total == 3
    assert board.states_present == ["planned", "stationed", "rectifying"]
    by_team = {row.label: row.counts for row in board.by_team}
    assert by_team == {
        "第一巡视组": {"rectifying": 1},
        "第二巡视组": {"stationed": 1},
        "": {"planned": 1},
    }
    by_batch = {row.label: row.total for row in board.by_batch}
    assert by_batch == {"第一批": 2, "": 1}
    html = response.content.decode()
    assert zh("No team yet") in html and zh("No batch yet") in html


def test_colour_counts_and_the_most_overdue(client, busy_round):
    board = dashboard(client, busy_round.office, busy_round.round).context["dashboard"]
    # Items due 5..1 days ago are red (the 4th is signed off), so 4 items and the on-site period;
    # items due today to in 6 days are yellow, but for the 8th and 12th, signed off.
    assert board.colours == {"red": 5, "yellow": 5, "green": 0}
    overdue = board.most_overdue.rows
    assert overdue[0].subject_kind == "inspection" and overdue[0].standing.days_overdue == 9
    assert [row.number for row in overdue[1:]] == [1, 2, 3, 5]
    assert (board.items_total, board.items_closed) == (12, 3)


def test_another_rounds_deadlines_are_not_counted(client, busy_round):
    elsewhere = f.InspectionFactory(round=f.RoundFactory(number=9))
    put(elsewhere, m.InspectionState.RECTIFYING)
    make_items(elsewhere, 6)  # five of them red
    board = dashboard(client, busy_round.office, busy_round.round).context["dashboard"]
    assert board.colours == {"red": 5, "yellow": 5, "green": 0}
    assert all(row.inspection_pk != elsewhere.pk for row in board.most_overdue.rows)
    assert board.most_overdue.more == 0


def test_coverage_of_the_term(client, busy_round):
    f.UnitFactory(name="未巡视单位")
    board = dashboard(client, busy_round.office, busy_round.round).context["dashboard"]
    assert (board.coverage.inspected, board.coverage.total) == (3, 4)
    html = dashboard(client, busy_round.office, busy_round.round).content.decode()
    assert "75.0%" in html


def test_the_charts_are_svg_with_a_text_alternative_and_tables(client, busy_round):
    html = dashboard(client, busy_round.office, busy_round.round).content.decode()
    assert html.count('<svg class="chart__svg"') == 2
    assert html.count('role="img"') == 2
    assert '<title id="teams-chart-title">' in html and '<desc id="teams-chart-desc">' in html
    assert "第一巡视组: " + zh(m.InspectionState.RECTIFYING.label) + " 1" in html
    assert '<title id="burn-chart-title">' in html and '<desc id="burn-chart-desc">' in html
    assert 'class="chart__line line--open"' in html
    assert "<script" not in html.split("</head>")[1]
    # The numbers behind each chart, as tables.
    assert html.count('class="counts-table"') == 3  # by team, by batch, the burn-down's days
    assert zh("The numbers behind the chart") in html


def test_the_burn_down_follows_openings_and_sign_offs(busy_round):
    today = timezone.localdate()
    items = m.RectificationItem.objects.filter(inspection__round=busy_round.round)
    points = burn_down(items, today)
    assert points[0].day == today - datetime.timedelta(days=40)
    assert points[-1].day == today
    assert points[0].open == 12
    assert points[-1].open == 9  # three signed off ten days ago
    ten_days_ago = [p for p in points if p.day <= today - datetime.timedelta(days=10)][-1]
    assert ten_days_ago.open == 9
    # Due from 5 days ago, one a day: 5 have come due by today.
    assert points[-1].not_yet_due == 12 - 5
    assert len(points) <= 60


def test_a_round_without_items_says_so(client, world):
    html = dashboard(client, world.office, world.round).content.decode()
    assert zh("No rectification items yet.") in html
    assert zh("Nothing in this round is overdue.") in html


def test_the_round_list_links_the_dashboard_only_for_those_who_may_open_it(client, busy_round):
    url = reverse("round_dashboard", args=[busy_round.round.pk])
    client.force_login(busy_round.office)
    assert url in client.get(reverse("round_list")).content.decode()
    client.force_login(busy_round.team_leader)
    assert url not in client.get(reverse("round_list")).content.decode()


def test_the_dashboard_costs_the_same_queries_for_10_items_as_for_500(
    client, world, django_assert_max_num_queries
):
    put(world.inspection, m.InspectionState.RECTIFYING)
    make_items(world.inspection, 10)
    client.force_login(world.office)
    url = reverse("round_dashboard", args=[world.round.pk])
    client.get(url)  # warm the caches (content types, session)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200
    make_items(world.inspection, 490, start=11, closed_every=7)
    for _ in range(3, 40):
        f.InspectionFactory(round=world.round, team=world.team, batch=world.batch)
    with django_assert_max_num_queries(len(ten)):
        response = client.get(url)
    assert response.context["dashboard"].items_total == 500
    assert response.context["dashboard"].total == 39


# The round's and its teams' steps ---------------------------------------------------------------


def take_step(client, user, world, record, name, *, version=None, **fields):
    client.force_login(user)
    return client.post(
        reverse("round_dashboard", args=[world.round.pk]),
        {
            "do": do(record, name),
            "version": record.version if version is None else version,
            **fields,
        },
    )


def test_the_leading_group_approves_the_round_and_authorises_a_team_from_the_dashboard(
    client, world
):
    response = dashboard(client, world.leading_group, world.round)
    assert list(response.context["offers"].by_name) == ["approve", "cancel"]
    assert [(team, list(offers.by_name)) for team, offers in response.context["team_offers"]] == [
        (world.team, ["authorize"]),
        (world.other_team, ["authorize"]),
    ]
    assert zh("What you can do now") in response.content.decode()

    response = take_step(
        client, world.leading_group, world, world.round, "approve", on="2026-03-30"
    )
    assert response.status_code == 302
    assert fresh(world.round).state == m.RoundState.APPROVED
    assert_last_audit(
        world.round,
        actor=world.leading_group,
        action="approve",
        from_state=m.RoundState.DRAFT,
        to_state=m.RoundState.APPROVED,
    )
    response = take_step(client, world.leading_group, world, world.team, "authorize")
    assert response.status_code == 302
    assert fresh(world.team).state == m.TeamState.AUTHORIZED


def test_the_office_mobilises_an_approved_round_once_every_team_is_authorised(client, world):
    put(world.round, m.RoundState.APPROVED)
    response = take_step(client, world.office, world, world.round, "mobilize", on="2026-04-11")
    assert response.status_code == 422  # a team is still waiting for its authorisation
    assert response.context["attempt"].error.code == "condition_failed"
    assert fresh(world.round).state == m.RoundState.APPROVED

    put(world.team, m.TeamState.AUTHORIZED)
    put(world.other_team, m.TeamState.AUTHORIZED)
    response = dashboard(client, world.office, world.round)
    assert list(response.context["offers"].by_name) == ["mobilize"]  # approving was not its
    assert [(team, list(offers.by_name)) for team, offers in response.context["team_offers"]] == [
        (world.team, ["stand_down"]),
        (world.other_team, ["stand_down"]),
    ]

    world.round.refresh_from_db()
    response = take_step(client, world.office, world, world.round, "mobilize", on="2026-04-11")
    assert response.status_code == 302
    round_ = fresh(world.round)
    assert (round_.state, round_.mobilized_on) == (
        m.RoundState.MOBILIZED,
        datetime.date(2026, 4, 11),
    )


def test_a_stale_dashboard_form_says_so_and_changes_nothing(client, world):
    response = take_step(
        client, world.leading_group, world, world.round, "approve", version=world.round.version - 1
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "alert--stale" in html and zh(m.RoundState.DRAFT.label) in html
    assert fresh(world.round).state == m.RoundState.DRAFT


def test_a_step_the_person_may_not_take_is_refused_with_the_services_reason(client, world):
    response = take_step(client, world.office, world, world.round, "approve")
    assert response.status_code == 422
    assert response.context["attempt"].error.code == "permission_denied"
    assert fresh(world.round).state == m.RoundState.DRAFT
    assert audit_trail(world.round).count() == 0


def test_a_bad_date_is_refused_next_to_its_field(client, world):
    response = take_step(
        client, world.leading_group, world, world.round, "approve", on="2026-02-30"
    )
    assert response.status_code == 422
    assert response.context["offers"].by_name["approve"].form.errors["on"]
    assert fresh(world.round).state == m.RoundState.DRAFT


def test_a_team_of_another_round_is_not_found_and_a_team_member_may_not_post(client, world):
    stranger = f.TeamFactory(round=f.RoundFactory(number=9), number=1)
    response = take_step(client, world.leading_group, world, stranger, "authorize")
    assert response.status_code == 404
    assert fresh(stranger).state == m.TeamState.PROPOSED

    response = take_step(client, world.team_leader, world, world.team, "authorize")
    assert response.status_code == 403
    assert fresh(world.team).state == m.TeamState.PROPOSED
