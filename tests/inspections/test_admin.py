"""The admin: every page loads, states are never typed in, transitions go through the services."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from inspections import models as m
from inspections.services.rounds import round_approve, round_mobilize
from inspections.services.teams import team_authorize
from tests import factories as f
from workflows.errors import ConditionFailed
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}

# Every model the inspections app registers, and how to get one row of it from the world.
REGISTERED = {
    m.Term: lambda w: w.round.term,
    m.Round: lambda w: w.round,
    m.Team: lambda w: w.team,
    m.Unit: lambda w: m.UnitAlias.objects.create(unit=w.unit, name="市科技局").unit,
    m.Affiliation: lambda w: f.AffiliationFactory(user=w.team_member, unit=w.other_unit),
    m.LeadingGroupMember: lambda w: w.leading_group.leading_group_membership,
    m.OfficeMember: lambda w: w.office.office_membership,
    m.ReceivingOrgan: lambda w: w.organ,
    m.User: lambda w: w.team_leader,
    m.Inspection: lambda w: w.inspection,
    m.Finding: lambda w: f.FindingFactory(inspection=w.inspection, recorded_by=w.team_member),
    m.Lead: lambda w: f.LeadFactory(inspection=w.inspection, registered_by=w.team_leader),
    m.RectificationItem: lambda w: f.RectificationItemFactory(inspection=w.inspection),
}


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """The locale middleware leaves the last request's language active; the next test starts afresh."""
    yield
    translation.deactivate()


@pytest.fixture
def admin_client(admin_client):
    """The admin in English (chosen with the language cookie), so assertions read the source."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


def run_action(client, model, action: str, *objects):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        headers=ENGLISH,
    )


def test_every_registered_model_of_the_app_is_covered_below():
    registered = {model for model in admin.site._registry if model._meta.app_label == "inspections"}
    assert registered == set(REGISTERED)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model.__name__)
def test_changelist_change_and_add_pages_load(admin_client, world, model):
    obj = REGISTERED[model](world)

    changelist = admin_client.get(admin_url(model, "changelist"))
    change = admin_client.get(admin_url(model, "change", obj.pk))
    add = admin_client.get(admin_url(model, "add"))

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert change.status_code == 200
    assert change.context["original"] == obj
    assert add.status_code == 200


def test_the_admin_index_lists_the_apps_models(admin_client, world):
    response = admin_client.get(reverse("admin:index"))

    listed = {
        entry["object_name"] for app in response.context["app_list"] for entry in app["models"]
    }
    assert {model.__name__ for model in REGISTERED} | {"AuditEntry"} <= listed


def test_search_finds_an_inspection_by_the_units_alias(admin_client, world):
    m.UnitAlias.objects.create(unit=world.unit, name="市科技局")

    response = admin_client.get(admin_url(m.Inspection, "changelist"), {"q": "市科技局"})

    assert list(response.context["cl"].result_list) == [world.inspection]


def test_the_state_is_no_input_on_the_inspection_forms(admin_client, world):
    change = admin_client.get(admin_url(m.Inspection, "change", world.inspection.pk))
    add = admin_client.get(admin_url(m.Inspection, "add"))

    assert change.status_code == add.status_code == 200
    for response in (change, add):
        html = response.content.decode()
        assert 'name="state"' not in html
        assert 'name="version"' not in html
        assert "state" not in response.context["adminform"].form.fields


def test_posting_a_state_does_not_change_it(admin_client, admin_user, world):
    url = admin_url(m.Inspection, "change", world.inspection.pk)
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(state=m.InspectionState.CLOSED, version=99, talks=7, _save="Save")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    inspection = m.Inspection.objects.get(pk=world.inspection.pk)
    assert inspection.state == m.InspectionState.PLANNED
    assert inspection.talks == 7  # the rest of the form was saved
    assert inspection.version == world.inspection.version + 1
    entry = AuditEntry.objects.for_subject(inspection).get(action="admin_change")
    assert (entry.from_state, entry.to_state, entry.actor) == ("planned", "planned", admin_user)
    assert entry.data == {"fields": ["talks"]}


def test_transitions_are_offered_under_their_labels(admin_client, world):
    response = admin_client.get(admin_url(m.Round, "changelist"), headers=ENGLISH)

    html = response.content.decode()
    assert '<option value="approve">Approve the round</option>' in html
    assert '<option value="mobilize">Record the mobilisation meeting</option>' in html
    assert 'value="cancel"' not in html  # needs a reason: the round's page offers it


def test_approve_action_approves_a_draft_round_through_the_service(admin_client, admin_user, world):
    response = run_action(admin_client, m.Round, "approve", world.round)

    assert response.status_code == 302
    round_ = m.Round.objects.get(pk=world.round.pk)
    assert round_.state == m.RoundState.APPROVED
    assert round_.approved_on == timezone.localdate()
    entry = AuditEntry.objects.for_subject(round_).get(action="approve")
    assert (entry.from_state, entry.to_state, entry.actor) == ("draft", "approved", admin_user)
    assert messages_of(response) == [
        (message_levels.SUCCESS, "“Approve the round” done for 1 round.")
    ]


def test_a_failed_action_shows_the_services_error_and_changes_nothing(admin_client, world):
    round_approve(round_=world.round, actor=world.leading_group)
    before = m.Round.objects.get(pk=world.round.pk)
    entries = AuditEntry.objects.count()

    response = run_action(admin_client, m.Round, "mobilize", before)

    assert response.status_code == 302
    after = m.Round.objects.get(pk=world.round.pk)
    assert (after.state, after.version, after.mobilized_on) == (
        m.RoundState.APPROVED,
        before.version,
        None,
    )
    assert AuditEntry.objects.count() == entries
    with translation.override("en"), pytest.raises(ConditionFailed) as refusal:
        round_mobilize(round_=after, actor=world.office)
    assert "第一巡视组 is not authorised." in str(refusal.value)
    assert messages_of(response) == [(message_levels.ERROR, f"{after}: {refusal.value}")]


def test_one_refusal_does_not_stop_the_other_objects(admin_client, world):
    empty = f.RoundFactory(term=world.round.term, number=7)

    response = run_action(admin_client, m.Round, "approve", world.round, empty)

    assert m.Round.objects.get(pk=world.round.pk).state == m.RoundState.APPROVED
    assert m.Round.objects.get(pk=empty.pk).state == m.RoundState.DRAFT
    assert sorted(messages_of(response)) == [
        (message_levels.SUCCESS, "“Approve the round” done for 1 round."),
        (
            message_levels.ERROR,
            f"{empty}: The conditions for this action are not met.\n"
            "- The round has no inspections yet.",
        ),
    ]


def test_team_membership_is_fixed_once_the_team_is_authorised(admin_client, world):
    url = admin_url(m.Team, "change", world.team.pk)
    proposed = admin_client.get(url).content.decode()
    team_authorize(team=world.team, actor=world.leading_group)
    authorised = admin_client.get(url).content.decode()

    assert 'name="members-0-role"' in proposed
    assert 'name="members-0-role"' not in authorised


# Permissions follow inspections/rules.py --------------------------------------------------


def test_units_are_changed_by_the_office_and_only_seen_by_the_leading_group(client, world):
    url = admin_url(m.Unit, "change", world.unit.pk)
    pages = {}
    for person in (world.office, world.leading_group, world.outsider):
        person.is_staff = True
        person.save(update_fields=["is_staff"])
        client.force_login(person)
        pages[person.username] = client.get(url)

    assert pages["office"].status_code == 200
    assert 'name="name"' in pages["office"].content.decode()
    assert pages["lg"].status_code == 200
    assert 'name="name"' not in pages["lg"].content.decode()
    assert pages["outsider"].status_code == 403


def test_the_office_keeps_users_but_cannot_make_or_touch_a_superuser(client, admin_user, world):
    office = world.office
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    client.force_login(office)

    own = client.get(admin_url(m.User, "change", office.pk)).content.decode()
    superuser = client.get(admin_url(m.User, "change", admin_user.pk))
    password = client.get(reverse("admin:auth_user_password_change", args=[admin_user.pk]))

    assert 'name="display_name"' in own
    assert 'name="is_superuser"' not in own
    assert superuser.status_code == 200
    assert 'name="username"' not in superuser.content.decode()
    assert password.status_code == 403


# The audit trail is read-only, for superusers too -------------------------------------------


@pytest.fixture
def entry(world) -> AuditEntry:
    round_approve(round_=world.round, actor=world.leading_group)
    return AuditEntry.objects.for_subject(world.round).get(action="approve")


def test_audit_changelist_loads_without_actions(admin_client, entry):
    response = admin_client.get(admin_url(AuditEntry, "changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [entry]
    assert "delete_selected" not in response.content.decode()


def test_audit_admin_grants_no_add_change_or_delete(admin_user, entry):
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[AuditEntry]

    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_audit_entries_cannot_be_added_or_deleted_through_the_admin(admin_client, entry):
    assert admin_client.get(admin_url(AuditEntry, "add")).status_code == 403
    assert admin_client.post(admin_url(AuditEntry, "add"), {"action": "x"}).status_code == 403
    assert (
        admin_client.post(admin_url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_change_view_shows_but_does_not_save(admin_client, entry):
    url = admin_url(AuditEntry, "change", entry.pk)

    page = admin_client.get(url)
    response = admin_client.post(
        url, {"action": "tampered", "to_state": "archived", "note": "edited", "_save": "Save"}
    )

    assert page.status_code == 200
    assert 'name="note"' not in page.content.decode()
    assert 'name="to_state"' not in page.content.decode()
    assert response.status_code == 403
    unchanged = AuditEntry.objects.get(pk=entry.pk)
    assert (unchanged.action, unchanged.to_state, unchanged.note) == ("approve", "approved", "")
