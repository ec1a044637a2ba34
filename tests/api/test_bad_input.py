"""Bad input anywhere gets a 400 in the one error shape, and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from inspections.models import Inspection, InspectionState, Lead, LeadState
from tests.api.conftest import client_as
from tests.helpers import fresh
from tests.security import scenarios as sc
from workflows.models import AuditEntry

S = InspectionState


@pytest.fixture
def notified(world):
    """An inspection the team leader may station now."""
    sc.running(world, S.NOTIFIED)
    return world.inspection


def station_url(inspection: Inspection, name: str = "station") -> str:
    return f"/api/v1/inspections/{inspection.pk}/transitions/{name}/"


def assert_refused(response, status: int, code: str, obj) -> dict:
    """The error shape, the code, and nothing changed on `obj` nor in the audit trail."""
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    assert fresh(obj).version == obj.version
    assert fresh(obj).state == obj.state
    assert not AuditEntry.objects.for_subject(obj).exists()
    return body


BAD_BODIES = {
    "unknown field": ({"stationed": True}, "stationed"),
    "date as a number": ({"on": 20260921}, "on"),
    "date as a list": ({"on": ["2026-09-21"]}, "on"),
    "date as an object": ({"on": {"year": 2026}}, "on"),
    "impossible date": ({"on": "2026-02-30"}, "on"),
    "date in words": ({"on": "yesterday"}, "on"),
    "date in the future": ({"on": "2999-01-01"}, "on"),
    "note as a number": ({"note": 5}, "note"),
    "note too long": ({"note": "长" * 2001}, "note"),
    "note as null": ({"note": None}, "note"),
    "version as text": ({"version": "one"}, "version"),
    "version as a numeral in text": ({"version": "1"}, "version"),
    "version as a boolean": ({"version": True}, "version"),
    "date in year 1": ({"on": "0001-01-01"}, "on"),
    "date six years ago": ({"on": "2020-01-01"}, "on"),
    "version zero": ({"version": 0}, "version"),
    "version huge": ({"version": 10**30}, "version"),
}


@pytest.mark.parametrize("body,field", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_field_is_named_and_nothing_changes(notified, world, body, field):
    body = {"version": notified.version, **body}

    response = client_as(world, "team_leader").post(station_url(notified), body, format="json")

    refused = assert_refused(response, 400, "invalid", notified)
    assert list(refused["fields"]) == [field]


def test_the_schema_says_every_action_refuses_a_field_it_does_not_take(world):
    schema = client_as(world, "office").get("/api/v1/schema/?format=json").json()
    bodies = {
        path: media["schema"]["$ref"].rsplit("/", 1)[1]
        for path, operations in schema["paths"].items()
        if "/transitions/" in path and "post" in operations
        for media in operations["post"]["requestBody"]["content"].values()
    }

    assert len(bodies) > 40  # every action of every kind of record
    closed = {
        schema["components"]["schemas"][name].get("additionalProperties")
        for name in bodies.values()
    }
    assert closed == {False}


@pytest.mark.parametrize(
    "action,body,field",
    [
        ("record_onsite_work", {"talks": "many"}, "talks"),
        ("record_onsite_work", {"talks": -1}, "talks"),
        ("record_onsite_work", {"talks": 1.5}, "talks"),
        ("record_onsite_work", {"talks": True}, "talks"),
        ("record_onsite_work", {"talks": 10**12}, "talks"),
    ],
)
def test_counts_must_be_whole_numbers_in_range(world, action, body, field):
    sc.running(world, S.STATIONED)
    inspection = fresh(world.inspection)
    counts = {"talks": 1, "letters_calls_visits": 1, "documents_reviewed": 1, "questionnaires": 1}
    body = {**counts, **body, "version": inspection.version}

    response = client_as(world, "team_member").post(
        station_url(inspection, action), body, format="json"
    )

    assert assert_refused(response, 400, "invalid", inspection)["fields"].keys() == {field}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"route": "secret_police"}, "route"),
        ({"route": "discipline", "receiving_organ": 987654}, "receiving_organ"),
        ({"route": "discipline", "receiving_organ": "市纪委监委"}, "receiving_organ"),
        ({"route": "discipline", "receiving_organ": -1}, "receiving_organ"),
    ],
    ids=["unknown choice", "unknown id", "name for an id", "negative id"],
)
def test_unknown_choices_and_ids_in_the_body_are_bad_fields(world, body, field):
    lead = Lead.objects.get(pk=sc.lead_in(LeadState.REGISTERED)(world)["lead"])

    response = client_as(world, "leading_group").post(
        f"/api/v1/leads/{lead.pk}/transitions/decide/",
        # The organ is required: a valid one, unless the case is about the organ.
        {"receiving_organ": world.organ.pk, **body, "version": lead.version},
        format="json",
    )

    assert assert_refused(response, 400, "invalid", lead)["fields"].keys() == {field}


@pytest.mark.parametrize(
    "raw",
    ["{not json", '{"on": "2026-09-21",}', "NaN", '{"version": Infinity}', "\xff\xfe"],
    ids=["broken", "trailing comma", "NaN", "Infinity", "not UTF-8"],
)
def test_malformed_json_is_a_400(notified, world, raw):
    response = client_as(world, "team_leader").post(
        station_url(notified), raw.encode("latin-1"), content_type="application/json"
    )

    assert_refused(response, 400, "malformed", notified)


@pytest.mark.parametrize("raw", ["[1, 2]", '"station"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_400(notified, world, raw):
    response = client_as(world, "team_leader").post(
        station_url(notified), raw, content_type="application/json"
    )

    assert_refused(response, 400, "malformed", notified)


def test_an_empty_body_lacks_the_version(notified, world):
    response = client_as(world, "team_leader").post(
        station_url(notified), b"", content_type="application/json"
    )

    assert assert_refused(response, 400, "invalid", notified)["fields"].keys() == {"version"}


def test_a_body_over_the_upload_limit_is_a_400(notified, world):
    huge = json.dumps({"note": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "version": 1})

    response = client_as(world, "team_leader").post(
        station_url(notified), huge, content_type="application/json"
    )

    assert_refused(response, 400, "malformed", notified)


def test_a_form_body_is_refused_as_unsupported(notified, world):
    response = client_as(world, "team_leader").post(
        station_url(notified), {"version": notified.version}
    )

    assert_refused(response, 415, "unsupported_media_type", notified)


@pytest.mark.parametrize(
    "header,body",
    [('"three"', {}), ("W/", {}), ('"1"', {"version": 2})],
    ids=["not a number", "empty tag", "disagrees with the body"],
)
def test_a_bad_if_match_header_is_a_400(notified, world, header, body):
    response = client_as(world, "team_leader").post(
        station_url(notified), body, format="json", HTTP_IF_MATCH=header
    )

    assert_refused(response, 400, "invalid", notified)


@pytest.mark.parametrize(
    "query,field",
    [
        ("state=bogus", "state"),
        ("round=abc", "round"),
        ("round=0", "round"),
        ("unit=1.5", "unit"),
        ("kind=secret", "kind"),
        ("team=99999999999999999999999", "team"),
    ],
)
def test_bad_list_filters_are_400s_naming_the_filter(world, query, field):
    response = client_as(world, "office").get(f"/api/v1/inspections/?{query}")

    body = response.json()
    assert response.status_code == 400, body
    assert (body["code"], list(body["fields"])) == ("invalid", [field])


@pytest.mark.parametrize(
    "query,field",
    [("due_before=2026-13-01", "due_before"), ("colour=purple", "colour")],
)
def test_bad_item_filters_are_400s(world, query, field):
    response = client_as(world, "office").get(f"/api/v1/rectification-items/?{query}")

    assert (response.status_code, list(response.json()["fields"])) == (400, [field])


@pytest.mark.parametrize(
    "path",
    ["inspections/abc/", "inspections/99999999999999999999999/", "inspections/-1/", "nothing/"],
)
def test_an_unknown_address_or_id_in_the_path_is_a_404_in_the_error_shape(world, path):
    response = client_as(world, "office").get(f"/api/v1/{path}")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": response.json()["detail"],
        "fields": {},
    }


def test_an_unknown_action_is_a_404(notified, world):
    response = client_as(world, "team_leader").post(
        station_url(notified, "fly_away"), {"version": 1}, format="json"
    )

    assert_refused(response, 404, "not_found", notified)


@pytest.mark.parametrize(
    "collection,query,field",
    [
        ("audit", "before=", "before"),
        ("deadlines", "due_before=", "due_before"),
        ("rectification-items", "is_immediate=null", "is_immediate"),
        ("inspections", "page_size=null", "page_size"),
        ("inspections", "page_size=0", "page_size"),
        ("inspections", "page_size=201", "page_size"),
    ],
)
def test_empty_or_untyped_filters_and_page_sizes_are_refused(world, collection, query, field):
    response = client_as(world, "office").get(f"/api/v1/{collection}/?{query}")

    assert (response.status_code, list(response.json()["fields"])) == (400, [field])


@pytest.mark.parametrize("depth", [5, 1000, 100_000], ids=["5", "1000", "100000"])
def test_a_body_nested_too_deep_is_a_400_even_before_signing_in(world, depth):
    raw = '{"username": ' + "[" * depth + "]" * depth + "}"

    response = client_as(None, "anonymous").post(
        "/api/v1/auth/token/", raw, content_type="application/json"
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "malformed")
    assert body["detail"]


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("give_feedback", {"consent_reference": "市委同意", "on": "0001-01-01"}, "on"),
        ("give_feedback", {"consent_reference": "市委同意", "on": "2019-12-31"}, "on"),
    ],
)
def test_an_event_long_before_the_term_is_refused(world, name, body, field):
    sc.running(world, S.HEARD)
    inspection = fresh(world.inspection)

    response = client_as(world, "office").post(
        station_url(inspection, name), {**body, "version": inspection.version}, format="json"
    )

    assert field in assert_refused(response, 400, "invalid", inspection)["fields"]


def test_a_plan_signed_in_year_1_is_refused(world):
    sc.running(world, S.FEEDBACK_GIVEN)
    inspection = fresh(world.inspection)

    response = client_as(world, "unit_liaison").post(
        station_url(inspection, "submit_plan"),
        {"signed_by": "王五", "signed_on": "0001-01-01", "version": inspection.version},
        format="json",
    )

    assert "signed_on" in assert_refused(response, 400, "invalid", inspection)["fields"]


@pytest.mark.parametrize("due_on", ["9999-12-31", "2040-01-01"])
def test_a_plan_item_due_beyond_five_years_is_refused_and_nothing_is_written(world, due_on):
    sc.running(world, S.FEEDBACK_GIVEN)
    inspection = fresh(world.inspection)
    finding = sc.finding(world)
    before = inspection.items.count()

    response = client_as(world, "unit_liaison").post(
        station_url(inspection, "add_plan_item"),
        {
            "finding": finding.pk,
            "measure": "建立制度",
            "responsible_person": "张三",
            "due_on": due_on,
            "version": inspection.version,
        },
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid"), body
    assert "due_on" in body["fields"]
    assert inspection.items.count() == before
