"""Every field of every reduced view: what a unit's liaison and a receiving organ's desk read.

The record is filled in every field, so a field the role may not read shows up as soon as
a serializer or a page lets it through.
"""

from __future__ import annotations

import datetime

import pytest

from inspections import models as m
from inspections.services.inspections import inspection_hear_report
from tests import factories as f
from tests.api.conftest import client_as
from tests.helpers import fresh, put

S = m.InspectionState
ON = datetime.date(2026, 9, 1)
REPORT_NOTE = "报告对问题定性不准，请补充核实后重新报送"
PLAN_NOTE = "整改措施不够具体，请细化后重新报送"

FILLED = {
    "notified_on": ON,
    "planned_stationing_on": ON,
    "stationed_on": ON,
    "withdrawn_on": ON,
    "reported_on": ON,
    "heard_on": ON,
    "feedback_on": ON,
    "consent_reference": "市委同意（第12号）",
    "plan_submitted_on": ON,
    "plan_signed_by": "王五",
    "plan_signed_on": ON,
    "plan_approved_on": ON,
    "rectification_reported_on": ON,
    "rectification_report": "整改报告",
    "principal_report": "主要负责人组织落实整改情况报告",
    "rectification_accepted_on": ON,
    "grade": m.Grade.GOOD,
    "disclosed_on": ON,
    "disclosure_reference": "市政府网站",
    "closed_on": ON,
    "cancelled_reason": "撤销",
    "talks": 12,
    "letters_calls_visits": 8,
    "documents_reviewed": 30,
    "questionnaires": 100,
}
# What the unit's liaison may never read of its own inspection: the team's on-site work and
# the leadership's handling of the report.
NEVER_THE_UNITS = {
    "reported_on",
    "heard_on",
    "grade",
    "talks",
    "letters_calls_visits",
    "documents_reviewed",
    "questionnaires",
}


def _read_as(world, role: str, inspection) -> dict:
    response = client_as(world, role).get(f"/api/v1/inspections/{inspection.pk}/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("state", "reason", "reason_is_the_units"),
    [
        (S.WITHDRAWN, REPORT_NOTE, False),  # the report went back to the team
        (S.REPORTED, REPORT_NOTE, False),
        (S.HEARD, REPORT_NOTE, False),
        (S.FEEDBACK_GIVEN, PLAN_NOTE, True),  # the unit's plan came back
        (S.RECTIFYING, PLAN_NOTE, True),
        (S.CLOSED, PLAN_NOTE, False),
    ],
)
def test_the_liaison_reads_exactly_the_reduced_view_of_its_inspection(
    world, state, reason, reason_is_the_units
):
    inspection = put(world.inspection, state=state, returned_reason=reason, **FILLED)

    body = _read_as(world, "unit_liaison", inspection)
    full = _read_as(world, "office", inspection)

    assert {name for name in NEVER_THE_UNITS if body[name] is not None} == set()
    assert body["returned_reason"] == (reason if reason_is_the_units else "")
    shared = set(full) - NEVER_THE_UNITS - {"returned_reason"}
    assert {name: body[name] for name in shared} == {name: full[name] for name in shared}
    assert full["returned_reason"] == reason


def test_hearing_the_report_settles_why_it_was_sent_back(world):
    inspection = put(world.inspection, state=S.REPORTED, returned_reason=REPORT_NOTE)

    inspection_hear_report(inspection=inspection, actor=world.leading_group)

    assert fresh(inspection).returned_reason == ""


def test_the_portal_shows_the_unit_only_the_reason_its_own_work_came_back(client, world):
    inspection = put(world.inspection, state=S.WITHDRAWN, returned_reason=REPORT_NOTE)
    client.force_login(world.unit_liaison)

    page = client.get(f"/portal/inspections/{inspection.pk}/").content.decode()

    assert REPORT_NOTE not in page
    put(inspection, state=S.FEEDBACK_GIVEN, returned_reason=PLAN_NOTE)
    assert PLAN_NOTE in client.get(f"/portal/inspections/{inspection.pk}/").content.decode()


LEAD_FIELDS_FOR_THE_ORGAN = {
    "id",
    "url",
    "transitions_url",
    "inspection",
    "unit_name",
    "number",
    "summary",
    "persons_named",
    "state",
    "state_label",
    "version",
    "route",
    "receiving_organ",
    "decided_on",
    "handed_over_on",
    "reported_back_on",
    "outcome",
    "closed_on",
}


def test_the_organs_desk_reads_exactly_these_fields_of_a_lead_handed_to_it(world):
    lead = f.LeadFactory(
        inspection=world.inspection,
        registered_by=world.team_leader,
        state=m.LeadState.HANDED_OVER,
        route=m.Route.DISCIPLINE,
        receiving_organ=world.organ,
        decided_on=ON,
        handed_over_on=ON,
        persons_named="某处长",
    )

    response = client_as(world, "organ_desk").get(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == LEAD_FIELDS_FOR_THE_ORGAN
    assert body["summary"] == lead.summary
    # The inspection itself is not the organ's to read: its link answers "not found".
    inspection_url = f"/api/v1/inspections/{body['inspection']}/"
    assert client_as(world, "organ_desk").get(inspection_url).status_code == 404
