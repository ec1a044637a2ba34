"""One inspection from planned to closed through the API alone, as scripts holding tokens.

Each role signs in at `auth/token/` and takes its own steps; before each step it finds the
action among `GET …/transitions/` (with the ids a choice allows), and after each step it
reads the record back: its state, and its version (one more for a transition, the same
when a row was added under it). Nothing is set up behind the API's back but the `world`
fixture itself: a draft round, two proposed teams, each with a planned inspection.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import World

API = "/api/v1/"


class Script:
    """A person's script: a token from their password, then reads and actions over HTTP."""

    def __init__(self, username: str) -> None:
        self.client = APIClient()
        signed_in = self.client.post(
            f"{API}auth/token/", {"username": username, "password": "pass"}, format="json"
        )
        assert signed_in.status_code == 200, signed_in.json()
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")

    def read(self, path: str) -> Any:
        response = self.client.get(f"{API}{path}")
        assert response.status_code == 200, (path, response.json())
        return response.json()

    def offered(self, path: str, action: str) -> dict[str, Any]:
        """The action as `…/transitions/` offers it to this person now (it must be there)."""
        offers = {offer["name"]: offer for offer in self.read(f"{path}transitions/")}
        assert action in offers, (path, action, sorted(offers))
        return offers[action]

    def choice(self, path: str, action: str, field: str, label: str) -> int:
        """The id the action's field allows whose label is `label`."""
        (spec,) = [spec for spec in self.offered(path, action)["fields"] if spec["name"] == field]
        return next(choice["value"] for choice in spec["choices"] if choice["label"] == label)

    def post(self, path: str, action: str, fields: dict[str, Any], version: int):
        return self.client.post(
            f"{API}{path}transitions/{action}/", {**fields, "version": version}, format="json"
        )

    def step(self, path: str, action: str, to: str, **fields: Any) -> dict[str, Any]:
        """Take a transition or a write; the record now reads `to` at the next version."""
        before = self.read(path)
        url = self.offered(path, action)["url"]
        response = self.post(path, action, fields, before["version"])
        assert response.status_code == 200, (action, response.json())
        assert response.json()["url"] == url.split("transitions/")[0]
        after = self.read(path)
        assert (after["state"], after["version"]) == (to, before["version"] + 1), action
        assert response["ETag"] == f'"{after["version"]}"'
        return after

    def add(self, path: str, action: str, **fields: Any) -> dict[str, Any]:
        """Add a row under the record: 201 with the new row; the record keeps state and version."""
        before = self.read(path)
        self.offered(path, action)
        response = self.post(path, action, fields, before["version"])
        assert response.status_code == 201, (action, response.json())
        added = response.json()
        assert response["Location"] == added["url"]
        after = self.read(path)
        assert (after["state"], after["version"]) == (before["state"], before["version"]), action
        return added

    def remove(self, path: str, action: str) -> None:
        """Delete the record: 204 with no body, and a GET no longer finds it."""
        before = self.read(path)
        self.offered(path, action)
        response = self.post(path, action, {}, before["version"])
        assert (response.status_code, response.content) == (204, b""), action
        assert self.client.get(f"{API}{path}").status_code == 404


def test_one_inspection_runs_from_planned_to_closed_through_the_api(world: World):
    leading_group = Script(world.leading_group.username)
    office = Script(world.office.username)
    leader = Script(world.team_leader.username)
    member = Script(world.team_member.username)
    liaison = Script(world.unit_liaison.username)
    desk = Script(world.organ_desk.username)
    round_ = f"rounds/{world.round.pk}/"
    inspection = f"inspections/{world.inspection.pk}/"
    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()

    # The round is approved, its teams authorised, and it is mobilised.
    assert leading_group.read(round_)["state"] == "draft"
    leading_group.step(round_, "approve", "approved")
    for team in (world.team, world.other_team):
        leading_group.step(f"teams/{team.pk}/", "authorize", "authorized")
    office.step(round_, "mobilize", "mobilized")

    # The office notifies the unit; the team stations, records what it found, withdraws.
    assert office.read(inspection)["state"] == "planned"
    office.step(inspection, "notify", "notified")
    leader.step(inspection, "station", "stationed")
    member.step(
        inspection,
        "record_onsite_work",
        "stationed",
        talks=12,
        letters_calls_visits=5,
        documents_reviewed=80,
        questionnaires=150,
    )
    findings = [
        member.add(inspection, "record_finding", category="political", title="主体责任落实不到位"),
        leader.add(
            inspection,
            "record_finding",
            category="integrity",
            title="公务接待超标准",
            description="2025年三次接待超出标准。",
        ),
    ]
    assert [finding["number"] for finding in findings] == [1, 2]
    lead = leader.add(
        inspection, "register_lead", summary="反映某科长违规经商", persons_named="某科长"
    )
    assert lead["state"] == "registered"
    leader.step(inspection, "withdraw", "withdrawn")
    leader.step(inspection, "submit_report", "reported")
    leading_group.step(inspection, "hear_report", "heard")
    office.step(
        inspection, "give_feedback", "feedback_given", consent_reference="市委常委会第12次会议"
    )

    # The lead goes to the receiving organ, which reports back; the office closes it.
    lead_path = f"leads/{lead['id']}/"
    organ = leading_group.choice(lead_path, "decide", "receiving_organ", world.organ.name)
    leading_group.step(lead_path, "decide", "decided", route="discipline", receiving_organ=organ)
    office.step(lead_path, "hand_over", "handed_over")
    desk.step(lead_path, "report_back", "reported_back", outcome="已立案审查")
    office.step(lead_path, "close", "closed")

    # The unit plans one item per finding, picked among its inspection's own, and submits.
    items = []
    for finding in findings:
        finding_id = liaison.choice(inspection, "add_plan_item", "finding", _label(finding))
        assert finding_id == finding["id"]
        items.append(
            liaison.add(
                inspection,
                "add_plan_item",
                finding=finding_id,
                measure="制定整改措施",
                responsible_person="单位负责人",
                due_on=due,
            )
        )
    # One item is reworded, and one added by mistake is taken out again.
    first = f"rectification-items/{items[0]['id']}/"
    liaison.step(
        first,
        "update_plan_item",
        "open",
        measure="修订公务接待制度",
        responsible_person="办公室主任",
        due_on=due,
    )
    spare = liaison.add(
        inspection,
        "add_plan_item",
        finding=findings[0]["id"],
        measure="重复录入",
        responsible_person="单位负责人",
        due_on=due,
    )
    liaison.remove(f"rectification-items/{spare['id']}/", "remove_plan_item")
    liaison.step(inspection, "submit_plan", "plan_submitted", signed_by="单位主要负责人")
    office.step(inspection, "approve_plan", "rectifying")

    # Each item is started, worked, submitted, verified by the team and closed by the office.
    for item in items:
        path = f"rectification-items/{item['id']}/"
        liaison.step(path, "start", "in_progress")
        liaison.step(path, "report_progress", "in_progress", progress="已完成一半")
        liaison.step(path, "submit", "submitted", progress="已完成", evidence="制度文件")
        leader.step(path, "verify", "verified")
        office.step(path, "close", "closed")

    # The unit reports; the office records the disclosure, accepts, grades and closes.
    liaison.step(
        inspection,
        "submit_rectification_report",
        "rectification_reported",
        report="整改情况报告",
        principal_report="主要负责人组织落实整改情况的报告",
    )
    office.step(
        inspection, "record_disclosure", "rectification_reported", reference="市纪委监委网站"
    )
    office.step(inspection, "accept_rectification_report", "rectification_accepted")
    office.step(inspection, "grade", "rectification_accepted", grade="good")
    closed = office.step(inspection, "close", "closed")

    assert closed["grade"] == "good"
    assert office.read(lead_path)["state"] == "closed"
    assert {
        item["state"]
        for item in office.read(f"rectification-items/?unit={world.unit.pk}")["results"]
    } == {"closed"}
    trail = office.read("audit/?page_size=200")["results"]
    assert {"record_finding", "register_lead", "add_plan_item", "close"} <= {
        entry["action"] for entry in trail
    }


def _label(finding: dict[str, Any]) -> str:
    """How a finding is named among an action's choices."""
    return f"{finding['number']}. {finding['title']}"
