"""Round backups: export, flush, restore, export again, and the two files say the same."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from inspections import models as m
from tests import factories as f
from tests.helpers import put
from workflows.audit import audit_record
from workflows.deadlines import deadline_open
from workflows.models import AuditEntry, Deadline


@pytest.fixture
def full_round(world):
    """The world's round with something of every kind in it."""
    put(
        world.round,
        "mobilized",
        title="十二届市委第六轮巡视",
        mobilized_on=datetime.date(2026, 4, 11),
    )
    put(world.team, "authorized", authorized_on=datetime.date(2026, 4, 1))
    m.UnitAlias.objects.create(unit=world.unit, name="市科技局")
    put(world.inspection, "rectifying", feedback_on=datetime.date(2026, 9, 25), talks=12)
    finding = f.FindingFactory(inspection=world.inspection, number=1, recorded_by=world.team_member)
    item = f.RectificationItemFactory(inspection=world.inspection, finding=finding, number=1)
    lead = f.LeadFactory(inspection=world.inspection, number=1, registered_by=world.team_leader)
    put(lead, "handed_over", route=m.Route.DISCIPLINE, receiving_organ=world.organ)
    m.EvidenceFile.objects.create(
        item=item,
        file=f"items/{item.pk}/0123abcd",
        original_name="整改台账.pdf",
        content_type="application/pdf",
        size=1234,
        sha256="a" * 64,
        uploaded_by=world.unit_liaison,
    )
    deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=datetime.date(2026, 9, 25),
        responsible="unit",
        responsible_name="市科学技术局",
    )
    deadline_open(
        subject=lead,
        kind="report_back",
        policy_key="lead_report_back",
        starts_on=datetime.date(2026, 10, 1),
        responsible="receiving_organ",
    )
    audit_record(
        subject=world.inspection,
        actor=world.office,
        action="give_feedback",
        from_state="heard",
        to_state="feedback_given",
        data={"on": "2026-09-25"},
    )
    audit_record(subject=item, actor=world.unit_liaison, action="start", note="开始整改")
    return world


@pytest.fixture
def fresh_content_types():
    """flush re-creates content types under new ids: forget the cached ones on both sides."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def export(path) -> dict:
    call_command("export_round", "十二届市委第六轮巡视", "--format", "json", "--output", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_round_survives_export_flush_import_export(full_round, tmp_path, fresh_content_types):
    first = export(tmp_path / "first.json")
    assert len(first["inspections"]) == 2
    assert first["leads"][0]["summary"] and first["evidence_files"][0]["original_name"]
    assert {e["action"] for e in first["audit"]} == {"give_feedback", "start"}
    assert len(first["deadlines"]) == 2
    assert "password" not in json.dumps(first["users"])

    # PostgreSQL will not TRUNCATE tables with deferred foreign-key checks pending inside the
    # test's transaction: run those checks now.
    connection.check_constraints()
    call_command("flush", "--no-input")
    ContentType.objects.clear_cache()
    assert not m.Round.objects.exists() and not m.User.objects.exists()

    call_command("import_round", str(tmp_path / "first.json"))
    second = export(tmp_path / "second.json")

    restored = [e for e in second["audit"] if e["action"] == "restore"]
    assert [(e["subject"], e["note"]) for e in restored] == [(["round"], "first.json")]
    second["audit"] = [e for e in second["audit"] if e["action"] != "restore"]
    first.pop("exported_at")
    second.pop("exported_at")
    assert second == first
    # What the rules read is back: the liaison still answers for the unit, the desk for the organ.
    liaison = m.User.objects.get(username="liaison")
    assert liaison.unit_liaison.unit.name == "市科学技术局"
    assert not liaison.has_usable_password()
    deadline = Deadline.objects.get(kind="plan")
    assert deadline.subject == m.Inspection.objects.get(unit__name="市科学技术局")


def test_a_restore_refuses_a_round_that_exists_and_names_every_clash(full_round, tmp_path):
    export(tmp_path / "round.json")
    rounds, entries = m.Round.objects.count(), AuditEntry.objects.count()

    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_round", str(tmp_path / "round.json"))

    message = str(caught.value)
    assert "十二届市委第六轮巡视" in message
    assert "liaison" in message and "市科学技术局" in message and "市纪委监委" in message
    assert (m.Round.objects.count(), AuditEntry.objects.count()) == (rounds, entries)


def test_reuse_existing_restores_beside_the_people_and_units_already_there(full_round, tmp_path):
    data = export(tmp_path / "round.json")
    data["round"]["number"] = 7
    data["round"]["title"] = "十二届市委第七轮巡视"
    (tmp_path / "seventh.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    users, units = m.User.objects.count(), m.Unit.objects.count()

    with translation.override("en"), pytest.raises(CommandError, match="exists already"):
        call_command("import_round", str(tmp_path / "seventh.json"))
    call_command("import_round", str(tmp_path / "seventh.json"), "--reuse-existing")

    seventh = m.Round.objects.get(number=7)
    assert (m.User.objects.count(), m.Unit.objects.count()) == (users, units)
    assert seventh.inspections.get(unit=full_round.unit).findings.count() == 1


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"format": "something else"}', "utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="not a round backup"):
        call_command("import_round", str(path))
    path.write_text("not json", "utf-8")
    with pytest.raises(CommandError, match="not a JSON file"):
        call_command("import_round", str(path))


def test_an_unknown_round_is_named(db, tmp_path):
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="No round is called 第九十九轮"),
    ):
        call_command("export_round", "第九十九轮", "--output", str(tmp_path / "x.json"))
