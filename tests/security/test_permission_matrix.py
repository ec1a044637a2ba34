"""Who gets what from every API endpoint: one table, each role's exact status, generated tests.

Columns are the roles of the permission table (docs/design.md): leading group, office, leader of the inspection's
team, a member of that team, a member of another team, the inspected unit's liaison, the
liaison of another unit, a receiving organ's desk, and nobody signed in. 404 means "not
yours to see"; 403 "you see it, but may not do this"; 201 "added" (a finding, a lead, a plan
item) and 204 "removed" are the answers of the actions that add or delete a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

from inspections.api.actions import StatefulViewSet, offered_actions_of
from inspections.api.resources import VIEWSETS
from inspections.models import (
    Inspection,
    InspectionState,
    ItemState,
    Lead,
    LeadState,
    RectificationItem,
    Round,
    RoundState,
    Team,
    TeamState,
)
from tests.api.conftest import ANONYMOUS, client_as
from tests.security import scenarios as sc

S = InspectionState
ROLES = (
    "leading_group",
    "office",
    "team_leader",
    "team_member",
    "other_team_member",
    "unit_liaison",
    "other_unit_liaison",
    "organ_desk",
    ANONYMOUS,
)
SUBJECTS: dict[str, tuple[type, str]] = {
    "rounds": (Round, "round"),
    "teams": (Team, "team"),
    "inspections": (Inspection, "inspection"),
    "leads": (Lead, "lead"),
    "rectification-items": (RectificationItem, "item"),
}


@dataclass(frozen=True)
class Row:
    """One endpoint, the state the world is put in first, and the status each role gets."""

    method: str
    path: str  # under /api/v1/, with {ids} the scenario provides
    expected: str  # one status per role, in the order of ROLES
    scenario: Callable[[Any], dict[str, int]] = sc.ids
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} [{self.scenario.__qualname__.split('.')[0]}]"

    def statuses(self) -> dict[str, int]:
        codes = [int(code) for code in self.expected.split()]
        assert len(codes) == len(ROLES), self.id
        return dict(zip(ROLES, codes, strict=True))


def lists(path: str) -> Row:
    return Row("GET", path, "200 200 200 200 200 200 200 200 401")


def post(path: str, expected: str, scenario, **body) -> Row:
    return Row("POST", path, expected, scenario, body)


I = "inspections/{inspection}/transitions"  # noqa: E741
L = "leads/{lead}/transitions"
ITEM = "rectification-items/{item}/transitions"
ON = "2026-09-21"

# fmt: off
MATRIX = [
    # Collections: everyone signed in gets a list (of what they may see; see test_lists_*).
    *(lists(f"{name}/") for name in VIEWSETS),
    #                                                  LG  OF  TL  TM  OT  UL  OU  RO  AN
    Row("GET", "rounds/{round}/",                     "200 200 200 200 200 404 404 404 401"),
    Row("GET", "rounds/{round}/transitions/",         "200 200 200 200 200 404 404 404 401"),
    Row("GET", "batches/{batch}/",                    "200 200 200 200 200 404 404 404 401"),
    Row("GET", "units/{unit}/",                       "200 200 200 200 404 200 404 404 401"),
    Row("GET", "teams/{team}/",                       "200 200 200 200 404 404 404 404 401"),
    Row("GET", "teams/{team}/transitions/",           "200 200 200 200 404 404 404 404 401"),
    Row("GET", "inspections/{inspection}/",           "200 200 200 200 404 200 404 404 401"),
    Row("GET", "inspections/{inspection}/transitions/", "200 200 200 200 404 200 404 404 401"),
    Row("GET", "findings/{finding}/",                 "200 200 200 200 404 200 404 404 401", sc.at_feedback),
    Row("GET", "findings/{finding}/",                 "200 200 200 200 404 404 404 404 401", sc.before_feedback),
    Row("GET", "leads/{lead}/",                       "200 200 200 404 404 404 404 404 401", sc.registered_lead),
    Row("GET", "leads/{lead}/transitions/",           "200 200 200 404 404 404 404 404 401", sc.registered_lead),
    Row("GET", "leads/{lead}/",                       "200 200 200 404 404 404 404 200 401", sc.lead_handed_to_the_desk),
    Row("GET", "leads/{lead}/transitions/",           "200 200 200 404 404 404 404 200 401", sc.lead_handed_to_the_desk),
    Row("GET", "leads/{lead}/",                       "200 200 200 404 404 404 404 404 401", sc.lead_handed_to_another_organ),
    Row("GET", "rectification-items/{item}/",         "200 200 200 200 404 200 404 404 401", sc.rectifying_item),
    Row("GET", "rectification-items/{item}/transitions/", "200 200 200 200 404 200 404 404 401", sc.rectifying_item),
    Row("GET", "deadlines/{deadline}/",               "200 200 200 200 404 200 404 404 401", sc.inspection_deadline),
    Row("GET", "deadlines/{deadline}/",               "200 200 200 404 404 404 404 200 401", sc.lead_deadline),
    # An inspection's trail is for those who see it in full: not the unit's reduced view.
    Row("GET", "audit/{entry}/",                      "200 200 200 200 404 404 404 404 401", sc.inspection_audit_entry),
    Row("GET", "audit/{entry}/",                      "200 200 200 200 404 200 404 404 401", sc.item_audit_entry),

    # Round actions: leading group approves and cancels, the office runs the rest.
    post("rounds/{round}/transitions/approve/",       "200 403 403 403 403 404 404 404 401", sc.round_in(RoundState.DRAFT)),
    post("rounds/{round}/transitions/mobilize/",      "403 200 403 403 403 404 404 404 401", sc.round_in(RoundState.APPROVED, teams=TeamState.AUTHORIZED)),
    post("rounds/{round}/transitions/conclude/",      "403 200 403 403 403 404 404 404 401", sc.round_in(RoundState.MOBILIZED, S.FEEDBACK_GIVEN, TeamState.AUTHORIZED)),
    post("rounds/{round}/transitions/archive/",       "403 200 403 403 403 404 404 404 401", sc.round_in(RoundState.CONCLUDED, S.CLOSED, TeamState.STOOD_DOWN)),
    post("rounds/{round}/transitions/cancel/",        "200 403 403 403 403 404 404 404 401", sc.round_in(RoundState.DRAFT), reason="撤销"),
    # Team actions.
    post("teams/{team}/transitions/authorize/",       "200 403 403 403 404 404 404 404 401", sc.team_in(TeamState.PROPOSED)),
    post("teams/{team}/transitions/stand_down/",      "403 200 403 403 404 404 404 404 401", sc.team_in(TeamState.AUTHORIZED, S.REPORTED)),
    # Inspection actions.
    post(f"{I}/notify/",                              "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.PLANNED)),
    post(f"{I}/station/",                             "403 403 200 403 404 403 404 404 401", sc.inspection_in(S.NOTIFIED)),
    post(f"{I}/withdraw/",                            "403 403 200 403 404 403 404 404 401", sc.inspection_in(S.STATIONED)),
    post(f"{I}/submit_report/",                       "403 403 200 403 404 403 404 404 401", sc.inspection_in(S.WITHDRAWN)),
    post(f"{I}/return_report/",                       "200 403 403 403 404 403 404 404 401", sc.inspection_in(S.REPORTED), reason="请补充"),
    post(f"{I}/hear_report/",                         "200 403 403 403 404 403 404 404 401", sc.inspection_in(S.REPORTED)),
    post(f"{I}/give_feedback/",                       "403 200 200 403 404 403 404 404 401", sc.heard_with_a_finding, consent_reference="市委常委会"),
    post(f"{I}/submit_plan/",                         "403 403 403 403 404 200 404 404 401", sc.plan_covering_every_finding, signed_by="单位负责人"),
    post(f"{I}/return_plan/",                         "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.PLAN_SUBMITTED), reason="请修改"),
    post(f"{I}/approve_plan/",                        "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.PLAN_SUBMITTED)),
    post(f"{I}/submit_rectification_report/",         "403 403 403 403 404 200 404 404 401", sc.inspection_in(S.RECTIFYING), report="整改报告", principal_report="组织落实情况"),
    post(f"{I}/return_rectification_report/",         "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.RECTIFICATION_REPORTED), reason="请补充"),
    post(f"{I}/accept_rectification_report/",         "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.RECTIFICATION_REPORTED)),
    post(f"{I}/close/",                               "403 200 403 403 404 403 404 404 401", sc.ready_to_close),
    post(f"{I}/cancel/",                              "200 403 403 403 404 403 404 404 401", sc.inspection_in(S.PLANNED), reason="调整"),
    post(f"{I}/record_onsite_work/",                  "403 403 200 200 404 403 404 404 401", sc.inspection_in(S.STATIONED), talks=3, letters_calls_visits=2, documents_reviewed=40, questionnaires=100),
    post(f"{I}/record_disclosure/",                   "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.RECTIFICATION_REPORTED), reference="市纪委监委网站"),
    post(f"{I}/grade/",                               "403 200 403 403 404 403 404 404 401", sc.inspection_in(S.RECTIFICATION_ACCEPTED), grade="good"),
    # What the team adds while on site (any member a finding, the leader a lead) and the unit
    # adds to its plan; each answers 201 with the new row.
    post(f"{I}/record_finding/",                      "403 403 201 201 404 403 404 404 401", sc.inspection_in(S.STATIONED), category="political", title="落实主体责任不到位"),
    post(f"{I}/register_lead/",                       "403 403 201 403 404 403 404 404 401", sc.inspection_in(S.WITHDRAWN), summary="反映某干部违规经商"),
    post(f"{I}/add_plan_item/",                       "403 403 403 403 404 201 404 404 401", sc.at_feedback, finding="{finding}", measure="建立制度", responsible_person="张三", due_on="2027-03-31"),
    # Lead actions: never the unit, never another team, never a plain member of the team.
    post(f"{L}/decide/",                              "200 403 403 404 404 404 404 404 401", sc.lead_in(LeadState.REGISTERED), route="discipline", receiving_organ="{organ}"),
    post(f"{L}/hand_over/",                           "403 200 403 404 404 404 404 404 401", sc.lead_in(LeadState.DECIDED, with_organ=True)),
    post(f"{L}/report_back/",                         "403 403 403 404 404 404 404 200 401", sc.lead_in(LeadState.HANDED_OVER, with_organ=True), outcome="已立案"),
    post(f"{L}/close/",                               "403 200 403 404 404 404 404 403 401", sc.lead_in(LeadState.REPORTED_BACK, with_organ=True)),
    # Rectification item actions.
    post(f"{ITEM}/start/",                            "403 403 403 403 404 200 404 404 401", sc.item_in(ItemState.OPEN)),
    post(f"{ITEM}/submit/",                           "403 403 403 403 404 200 404 404 401", sc.item_in(ItemState.IN_PROGRESS), progress="已完成", evidence="制度文件"),
    post(f"{ITEM}/return_item/",                      "403 200 200 403 404 403 404 404 401", sc.item_in(ItemState.SUBMITTED), reason="证据不足"),
    post(f"{ITEM}/verify/",                           "403 200 200 403 404 403 404 404 401", sc.item_in(ItemState.SUBMITTED)),
    post(f"{ITEM}/close/",                            "403 200 403 403 404 403 404 404 401", sc.item_in(ItemState.VERIFIED)),
    post(f"{ITEM}/mark_long_term/",                   "403 200 403 403 404 403 404 404 401", sc.item_in(ItemState.OPEN), reason="需长期坚持"),
    post(f"{ITEM}/report_progress/",                  "403 403 403 403 404 200 404 404 401", sc.item_in(ItemState.IN_PROGRESS), progress="正在推进"),
    # The unit's plan while it drafts it (upload_evidence takes a file: the pages' alone).
    post(f"{ITEM}/update_plan_item/",                 "403 403 403 403 404 200 404 404 401", sc.planned_item, measure="修订制度", responsible_person="李四", due_on="2027-03-31"),
    post(f"{ITEM}/remove_plan_item/",                 "403 403 403 403 404 204 404 404 401", sc.planned_item),
]
# fmt: on


def _subject(row: Row, ids: dict[str, int], missing_ok: bool = False):
    collection = row.path.split("/", 1)[0]
    model, key = SUBJECTS[collection]
    found = model.objects.filter(pk=ids[key]).first()
    assert found is not None or missing_ok, row.id
    return found


def _filled(value: Any, ids: dict[str, int]) -> Any:
    """A body value, with "{name}" replaced by the id the scenario gave that name."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def _ask(row: Row, world, role: str, ids: dict[str, int]) -> int:
    """The status `role` gets, with everything it changed rolled back afterwards."""
    client = client_as(world, role)
    url = "/api/v1/" + row.path.format(**ids)
    with transaction.atomic():
        if row.method == "GET":
            status = client.get(url).status_code
        else:
            before = _subject(row, ids)
            named = {**ids, "organ": world.organ.pk}
            body = {key: _filled(value, named) for key, value in row.body.items()}
            body["version"] = before.version
            response = client.post(url, body, format="json")
            status = response.status_code
            after = _subject(row, ids, missing_ok=status == 204)
            if status == 200:
                assert after.version == before.version + 1, response.json()
            elif status == 201:  # a row added under the record, which keeps its state and version
                assert response.json()["id"], response.json()
                assert (after.state, after.version) == (before.state, before.version), role
            elif status == 204:
                assert after is None, role
            else:  # a refusal changes nothing
                assert (after.state, after.version) == (before.state, before.version), role
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_each_role_gets_exactly_the_status_the_table_gives(row, world):
    ids = row.scenario(world)

    observed = {role: _ask(row, world, role, ids) for role in ROLES}

    assert observed == row.statuses()


def test_the_table_covers_every_endpoint_and_every_action():
    expected = set()
    for name, viewset in VIEWSETS.items():
        expected.add(("GET", f"{name}/"))
        expected.add(("GET", f"{name}/{{id}}/"))
        if issubclass(viewset, StatefulViewSet):
            expected.add(("GET", f"{name}/{{id}}/transitions/"))
            for action in offered_actions_of(viewset.model):
                expected.add(("POST", f"{name}/{{id}}/transitions/{action.name}/"))
    covered = set()
    for row in MATRIX:
        parts = row.path.split("/")
        if len(parts) > 2:
            parts[1] = "{id}"
        covered.add((row.method, "/".join(parts)))

    assert covered == expected
