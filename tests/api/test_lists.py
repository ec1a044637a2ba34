"""Lists show exactly what the detail pages would show each role, filtered and paginated."""

from __future__ import annotations

import datetime

import pytest

from inspections.api.resources import VIEWSETS
from inspections.models import InspectionState, ItemState, LeadState
from tests import factories as f
from tests.api.conftest import client_as
from tests.helpers import put
from tests.security import scenarios as sc
from tests.security.test_permission_matrix import ROLES
from workflows.audit import audit_record
from workflows.deadlines import deadline_open
from workflows.models import Colour, Deadline

S = InspectionState


@pytest.fixture
def busy_world(world):
    """Something of every kind, for both teams and both units, some of it confidential."""
    sc.running(world, S.RECTIFYING)
    put(world.other_inspection, state=S.STATIONED)
    item = sc.item(world, ItemState.IN_PROGRESS)
    f.FindingFactory(inspection=world.other_inspection, number=1, recorded_by=world.team_leader)
    f.RectificationItemFactory(inspection=world.other_inspection, number=1)
    sc.lead(world, LeadState.HANDED_OVER, receiving_organ=world.organ)
    f.LeadFactory(inspection=world.inspection, number=2, registered_by=world.team_leader)
    f.LeadFactory(inspection=world.other_inspection, number=1, registered_by=world.team_leader)
    deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=datetime.date(2026, 9, 1),
        responsible="unit",
    )
    audit_record(subject=world.inspection, actor=world.office, action="notify")
    audit_record(subject=item, actor=world.unit_liaison, action="start")
    audit_record(subject=world.other_inspection, actor=world.office, action="notify")
    return world


def all_ids(client, collection: str, query: str = "") -> set[int]:
    ids, url = set(), f"/api/v1/{collection}/?page_size=2&{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        page = response.json()
        ids |= {row["id"] for row in page["results"]}
        url = page["next"]
    return ids


@pytest.mark.parametrize("collection", list(VIEWSETS))
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_a_list_holds_exactly_the_records_whose_detail_the_role_may_read(
    busy_world, collection, role
):
    client = client_as(busy_world, role)
    model = VIEWSETS[collection].model

    listed = all_ids(client, collection)
    readable = {
        pk
        for pk in model.objects.values_list("pk", flat=True)
        if client.get(f"/api/v1/{collection}/{pk}/").status_code == 200
    }

    assert listed == readable


def test_leads_never_reach_units_or_other_teams_and_an_organ_sees_only_its_own(busy_world):
    seen = {
        role: all_ids(client_as(busy_world, role), "leads")
        for role in ("team_member", "other_team_member", "unit_liaison", "organ_desk", "office")
    }

    assert seen["team_member"] == seen["unit_liaison"] == set()
    assert len(seen["other_team_member"]) == 1  # the lead of its own team's inspection
    assert len(seen["organ_desk"]) == 1
    assert len(seen["office"]) == 3


def test_the_office_sees_everything_and_an_outsider_nothing(busy_world):
    office = client_as(busy_world, "office")
    outsider = client_as(busy_world, "outsider")

    for collection, viewset in VIEWSETS.items():
        assert all_ids(office, collection) == set(
            viewset.model.objects.values_list("pk", flat=True)
        )
        assert all_ids(outsider, collection) == set(), collection


def test_a_superuser_lists_what_the_permission_check_lets_them_do_anything_to(busy_world):
    """Django lets a superuser through every permission; the lists agree and hold everything."""
    busy_world.root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    root = client_as(busy_world, "root")

    for collection, viewset in VIEWSETS.items():
        assert all_ids(root, collection) == set(
            viewset.model.objects.values_list("pk", flat=True)
        ), collection


def test_a_liaison_reads_its_inspection_in_the_reduced_view(busy_world):
    put(busy_world.inspection, talks=12)
    path = f"/api/v1/inspections/{busy_world.inspection.pk}/"

    reduced = client_as(busy_world, "unit_liaison").get(path).json()
    full = client_as(busy_world, "team_member").get(path).json()

    assert (reduced["talks"], full["talks"]) == (None, 12)
    assert reduced["state"] == full["state"] == "rectifying"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("state=rectifying", {"inspection"}),
        ("state=stationed&state=rectifying", {"inspection", "other_inspection"}),
        ("team={other_team}", {"other_inspection"}),
        ("unit={unit}", {"inspection"}),
        ("round={round}&batch={batch}", {"inspection", "other_inspection"}),
        ("kind=look_back", set()),
    ],
)
def test_inspections_filter_by_state_team_unit_round_batch_and_kind(busy_world, query, expected):
    w = busy_world
    query = query.format(
        other_team=w.other_team.pk, unit=w.unit.pk, round=w.round.pk, batch=w.batch.pk
    )

    found = all_ids(client_as(w, "office"), "inspections", query)

    assert found == {getattr(w, name).pk for name in expected}


def test_items_filter_by_colour_and_due_dates(busy_world):
    w = busy_world
    red = f.RectificationItemFactory(inspection=w.inspection, number=7, due_on="2026-01-10")
    Deadline.objects.create(
        subject=red,
        kind="item",
        policy_id=Deadline.objects.first().policy_id,
        responsible="unit",
        starts_on="2026-01-01",
        due_on="2026-01-10",
        due_at="2026-01-10T15:59:59Z",
        colour=Colour.RED,
    )
    office = client_as(w, "office")

    assert all_ids(office, "rectification-items", "colour=red") == {red.pk}
    assert red.pk not in all_ids(office, "rectification-items", "colour=none")
    assert all_ids(office, "rectification-items", "due_before=2026-01-31") == {red.pk}
    assert red.pk not in all_ids(office, "rectification-items", "due_after=2026-02-01")
    assert office.get(f"/api/v1/rectification-items/{red.pk}/").json()["colour"] == "red"


def test_pages_are_bounded_and_say_where_the_next_one_is(busy_world):
    page = client_as(busy_world, "office").get("/api/v1/inspections/?page_size=1").json()

    assert (page["count"], len(page["results"])) == (2, 1)
    assert "page=2" in page["next"]
