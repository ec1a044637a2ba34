"""Taking actions through the API: the new object, each kind of refusal, versions, languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from inspections.models import InspectionState, LeadState
from tests.api.conftest import client_as
from tests.helpers import assert_last_audit, fresh
from tests.security import scenarios as sc

S = InspectionState


def url(inspection, name: str) -> str:
    return f"/api/v1/inspections/{inspection.pk}/transitions/{name}/"


@pytest.fixture
def notified(world):
    sc.running(world, S.NOTIFIED)
    return fresh(world.inspection)


def test_a_transition_answers_200_with_the_new_object_and_its_version(notified, world):
    response = client_as(world, "team_leader").post(
        url(notified, "station"),
        {"on": "2026-09-21", "note": "进驻", "version": notified.version},
        format="json",
    )

    body = response.json()
    assert response.status_code == 200, body
    assert (body["id"], body["state"], body["stationed_on"]) == (
        notified.pk,
        "stationed",
        "2026-09-21",
    )
    assert body["version"] == notified.version + 1
    assert response["ETag"] == f'"{notified.version + 1}"'
    assert_last_audit(
        notified,
        actor=world.team_leader,
        action="station",
        from_state="notified",
        to_state="stationed",
        note="进驻",
    )


def test_the_version_may_come_as_if_match(notified, world):
    response = client_as(world, "team_leader").post(
        url(notified, "station"), {}, format="json", HTTP_IF_MATCH=f'"{notified.version}"'
    )

    assert (response.status_code, response.json()["state"]) == (200, "stationed")


def test_a_stale_version_is_a_409_and_changes_nothing(notified, world):
    response = client_as(world, "team_leader").post(
        url(notified, "station"), {"version": notified.version + 5}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "stale")
    assert fresh(notified).state == S.NOTIFIED


def test_the_wrong_state_is_a_409_naming_the_state(notified, world):
    response = client_as(world, "team_leader").post(
        url(notified, "withdraw"), {"version": notified.version}, format="json"
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (409, "wrong_state")
    with translation.override("zh-hans"):
        assert str(S.NOTIFIED.label) in body["detail"]


def test_a_failed_condition_is_a_409_with_every_reason(world):
    sc.running(world, S.HEARD)  # no finding recorded: no problem list to give
    inspection = fresh(world.inspection)

    response = client_as(world, "office").post(
        url(inspection, "give_feedback"),
        {"consent_reference": "市委常委会", "version": inspection.version},
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (409, "condition_failed")
    assert len(body["details"]) == 1 and body["details"][0]
    assert fresh(inspection).state == S.HEARD


def test_without_permission_on_a_visible_record_is_a_403_before_the_body_is_read(notified, world):
    response = client_as(world, "unit_liaison").post(
        url(notified, "station"), {"bogus": 1}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_the_transitions_list_names_what_the_user_may_take_with_its_fields(notified, world):
    response = client_as(world, "team_leader").get(
        f"/api/v1/inspections/{notified.pk}/transitions/"
    )

    actions = {action["name"]: action for action in response.json()}
    assert set(actions) == {"station"}
    assert actions["station"]["url"].endswith(url(notified, "station"))
    assert actions["station"]["target"] == "stationed"
    assert [field["name"] for field in actions["station"]["fields"]] == ["on", "note"]


def test_a_liaison_may_take_nothing_on_a_notified_inspection(notified, world):
    response = client_as(world, "unit_liaison").get(
        f"/api/v1/inspections/{notified.pk}/transitions/"
    )

    assert (response.status_code, response.json()) == (200, [])


def test_a_lead_is_decided_with_its_receiving_organ_by_id(world):
    lead = fresh(sc.lead(world, LeadState.REGISTERED))

    response = client_as(world, "leading_group").post(
        f"/api/v1/leads/{lead.pk}/transitions/decide/",
        {"route": "discipline", "receiving_organ": world.organ.pk, "version": lead.version},
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["state"], body["receiving_organ"]) == (
        200,
        "decided",
        world.organ.pk,
    )


class TestLanguage:
    """Errors in the request's language: the cookie first, then Accept-Language, else zh-hans."""

    def ask(self, world, inspection, **headers):
        client = client_as(world, "team_leader")
        return client.post(
            url(inspection, "withdraw"), {"version": inspection.version}, format="json", **headers
        )

    def test_chinese_by_default(self, notified, world):
        response = self.ask(world, notified)

        assert response["Content-Language"] == "zh-hans"
        assert "不能" in response.json()["detail"]

    def test_english_when_the_client_asks_for_it(self, notified, world):
        response = self.ask(world, notified, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

        assert response["Content-Language"] == "en"
        assert "is not possible" in response.json()["detail"]

    def test_the_language_cookie_wins_over_accept_language(self, notified, world):
        client = client_as(world, "team_leader")
        client.cookies["django_language"] = "zh-hans"

        response = client.post(
            url(notified, "withdraw"),
            {"version": notified.version},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response["Content-Language"] == "zh-hans"
