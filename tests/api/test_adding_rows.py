"""Actions that add or remove a row under a record (findings, leads, plan items) through the API.

The choice of a plan item's finding is bound to the inspection: another inspection's finding
is refused exactly as an id that does not exist, so the answer tells nothing about it.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from inspections.actions import CATALOGUE
from inspections.api.actions import offered_actions_of
from inspections.models import Finding, InspectionState, ItemState, RectificationItem
from tests import factories as f
from tests.api.conftest import client_as
from tests.helpers import assert_last_audit, fresh
from tests.security import scenarios as sc

S = InspectionState
DUE = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()


def url(kind: str, record, name: str) -> str:
    return f"/api/v1/{kind}/{record.pk}/transitions/{name}/"


def plan_item_body(finding_id: int, version: int) -> dict:
    return {
        "finding": finding_id,
        "measure": "建立制度",
        "responsible_person": "张三",
        "due_on": DUE,
        "version": version,
    }


def test_a_finding_recorded_answers_201_with_the_finding_and_leaves_the_inspection(world):
    sc.running(world, S.STATIONED)
    inspection = fresh(world.inspection)

    response = client_as(world, "team_member").post(
        url("inspections", inspection, "record_finding"),
        {"category": "integrity", "title": "公务接待超标准", "version": inspection.version},
        format="json",
    )

    body = response.json()
    assert response.status_code == 201, body
    finding = Finding.objects.get(pk=body["id"])
    assert (body["number"], body["title"], body["inspection"]) == (
        1,
        "公务接待超标准",
        inspection.pk,
    )
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/findings/{finding.pk}/")
    assert (fresh(inspection).state, fresh(inspection).version) == (S.STATIONED, inspection.version)
    assert_last_audit(
        finding,
        actor=world.team_member,
        action="record_finding",
        from_state="",
        to_state="",
    )


@pytest.fixture
def drafting(world):
    """The unit drafts its plan: feedback given on a finding of its own; another inspection's too."""
    own = sc.at_feedback(world)["finding"]
    other = f.FindingFactory(inspection=world.other_inspection, number=1)
    return fresh(world.inspection), own, other


def test_the_liaison_is_offered_only_its_own_findings_to_plan_against(drafting, world):
    inspection, own, _other = drafting

    response = client_as(world, "unit_liaison").get(
        f"/api/v1/inspections/{inspection.pk}/transitions/"
    )

    (offer,) = [offer for offer in response.json() if offer["name"] == "add_plan_item"]
    (finding,) = [spec for spec in offer["fields"] if spec["name"] == "finding"]
    assert finding["type"] == "id"
    assert [choice["value"] for choice in finding["choices"]] == [own]


def test_a_plan_item_answers_201_with_the_item(drafting, world):
    inspection, own, _other = drafting

    response = client_as(world, "unit_liaison").post(
        url("inspections", inspection, "add_plan_item"),
        plan_item_body(own, inspection.version),
        format="json",
    )

    body = response.json()
    assert response.status_code == 201, body
    item = RectificationItem.objects.get(pk=body["id"])
    assert (item.inspection_id, item.finding_id, item.state) == (inspection.pk, own, ItemState.OPEN)
    assert (body["state"], body["due_on"]) == ("open", DUE)


def test_another_inspections_finding_is_not_a_valid_choice_and_says_nothing_of_it(drafting, world):
    inspection, _own, other = drafting
    client = client_as(world, "unit_liaison")
    path = url("inspections", inspection, "add_plan_item")

    english = {"format": "json", "HTTP_ACCEPT_LANGUAGE": "en"}
    foreign = client.post(path, plan_item_body(other.pk, inspection.version), **english)
    missing = client.post(path, plan_item_body(10**9, inspection.version), **english)

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["code"] == "invalid"
    assert set(foreign.json()["fields"]) == {"finding"}
    assert "not one of the available choices" in foreign.json()["fields"]["finding"][0]
    assert foreign.json() == missing.json()
    assert other.title not in foreign.content.decode()
    assert not RectificationItem.objects.exists()


def test_a_plan_item_is_changed_at_its_version_and_removed_with_no_body(world):
    item = RectificationItem.objects.get(pk=sc.planned_item(world)["item"])
    client = client_as(world, "unit_liaison")

    changed = client.post(
        url("rectification-items", item, "update_plan_item"),
        {
            "measure": "修订制度",
            "responsible_person": "李四",
            "due_on": DUE,
            "version": item.version,
        },
        format="json",
    )
    stale = client.post(
        url("rectification-items", item, "update_plan_item"),
        {"measure": "再改", "responsible_person": "王五", "due_on": DUE, "version": item.version},
        format="json",
    )
    removed = client.post(
        url("rectification-items", item, "remove_plan_item"),
        {"version": item.version + 1},
        format="json",
    )

    assert changed.status_code == 200, changed.json()
    assert (changed.json()["measure"], changed.json()["version"]) == ("修订制度", item.version + 1)
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    assert (removed.status_code, removed.content) == (204, b"")
    assert not RectificationItem.objects.filter(pk=item.pk).exists()


def test_evidence_upload_is_the_pages_alone(world):
    item = RectificationItem.objects.get(pk=sc.item_in(ItemState.IN_PROGRESS)(world)["item"])
    client = client_as(world, "unit_liaison")

    offered = [
        offer["name"]
        for offer in client.get(f"/api/v1/rectification-items/{item.pk}/transitions/").json()
    ]
    posted = client.post(
        url("rectification-items", item, "upload_evidence"), {"version": 1}, format="json"
    )

    assert "report_progress" in offered  # the liaison may act on the item now
    assert "upload_evidence" not in offered
    assert (posted.status_code, posted.json()["code"]) == (404, "not_found")


def test_only_file_uploads_are_left_out_of_the_api():
    left_out = {
        (model.__name__, action.name)
        for model, actions in CATALOGUE.items()
        for action in actions
        if action not in offered_actions_of(model)
    }

    assert left_out == {("RectificationItem", "upload_evidence")}


def test_the_schema_gives_each_added_row_its_own_answer(world):
    client = client_as(world, "office")

    schema = client.get("/api/v1/schema/?format=json").json()

    operations = {
        operation["operationId"]: operation
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    add = operations["inspection_add_plan_item"]
    body = add["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][body]["properties"]["finding"]["type"] == "integer"
    assert "201" in add["responses"] and "200" not in add["responses"]
    assert add["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RectificationItem"
    )
    assert "204" in operations["rectification_item_remove_plan_item"]["responses"]
    assert "rectification_item_upload_evidence" not in operations
