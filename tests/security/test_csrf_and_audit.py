"""Browser writes to the API need the CSRF token; the audit trail cannot be changed anywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from inspections.models import InspectionState
from tests.api.conftest import client_as
from tests.helpers import fresh
from tests.security import scenarios as sc
from workflows.audit import audit_record
from workflows.models import AuditEntry


@pytest.fixture
def notified(world):
    sc.running(world, InspectionState.NOTIFIED)
    return fresh(world.inspection)


def browser_of(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def station(browser: Client, inspection, **headers):
    return browser.post(
        f"/api/v1/inspections/{inspection.pk}/transitions/station/",
        {"version": inspection.version},
        content_type="application/json",
        **headers,
    )


def test_a_session_write_without_the_csrf_token_is_refused(notified, world):
    response = station(browser_of(world.team_leader), notified)

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert "CSRF" in response.json()["detail"]
    assert fresh(notified).state == InspectionState.NOTIFIED


def test_a_session_write_with_the_csrf_token_goes_through(notified, world):
    browser = browser_of(world.team_leader)
    browser.get("/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    response = station(browser, notified, HTTP_X_CSRFTOKEN=token)

    assert (response.status_code, response.json()["state"]) == (200, "stationed")


@pytest.fixture
def entry(world):
    return audit_record(subject=world.inspection, actor=world.office, action="notify")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_offers_no_way_to_write_the_audit_trail(entry, world, method):
    client = client_as(world, "office")

    on_entry = getattr(client, method)(f"/api/v1/audit/{entry.pk}/", {"note": "x"}, format="json")
    on_list = getattr(client, method)("/api/v1/audit/", {"note": "x"}, format="json")

    assert on_entry.status_code == on_list.status_code == 405
    assert on_entry.json()["code"] == "method_not_allowed"
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.parametrize("who", ["office", "superuser"])
def test_the_admin_shows_the_trail_but_never_changes_or_deletes_it(entry, world, who):
    from tests import factories as f

    user = (
        world.office
        if who == "office"
        else f.UserFactory(username="root", is_staff=True, is_superuser=True)
    )
    if who == "office":
        type(user).objects.filter(pk=user.pk).update(is_staff=True)
    admin = Client()
    admin.force_login(user)
    base = f"/admin/workflows/auditentry/{entry.pk}"

    shown = admin.get(f"{base}/change/")
    changed = admin.post(f"{base}/change/", {"note": "rewritten"})
    deleted = admin.post(f"{base}/delete/", {"post": "yes"})
    added = admin.get("/admin/workflows/auditentry/add/")

    assert shown.status_code == 200
    assert changed.status_code == deleted.status_code == added.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


def test_the_models_refuse_to_change_or_delete_an_entry(entry):
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        entry.save()
