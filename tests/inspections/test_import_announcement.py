"""`import_announcement` and `announcement_import`: one transaction, no duplicates, no guessing."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inspections.announcement import normalise_brackets, parse_announcement
from inspections.models import (
    Batch,
    Inspection,
    PartyOrganisationKind,
    Round,
    RoundState,
    Term,
    Unit,
    UnitAlias,
)
from inspections.services.announcements import announcement_import
from tests import factories as f
from workflows.errors import PermissionDenied
from workflows.models import AuditEntry

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "announcements"
SEED_UNIT_COUNT = 19
TIANJIN_PORT = "天津港（集团）有限公司"


def seed_page() -> str:
    return (FIXTURES / "seed_page.txt").read_text(encoding="utf-8")


def seed_expected() -> dict:
    return json.loads((FIXTURES / "seed_page.expected.json").read_text(encoding="utf-8"))


def write(directory: Path, text: str, *, name: str = "page.txt", encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import_announcement", str(path), *options, stdout=out)
    return out.getvalue()


def refusal(path: Path, *options: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(path, *options)
    return str(caught.value)


def counts() -> dict[str, int]:
    return {
        "terms": Term.objects.count(),
        "rounds": Round.objects.count(),
        "batches": Batch.objects.count(),
        "units": Unit.objects.count(),
        "aliases": UnitAlias.objects.count(),
        "inspections": Inspection.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


NOTHING = dict.fromkeys(
    ("terms", "rounds", "batches", "units", "aliases", "inspections", "audit"), 0
)


def comparable(data: dict) -> dict:
    """The announcement as the expected file states it: no title, brackets and order unified."""
    data = {key: value for key, value in data.items() if key != "title"}
    data["inspections"] = sorted(
        (
            {
                "unit": normalise_brackets(item["unit"]),
                "aliases": sorted(normalise_brackets(alias) for alias in item["aliases"]),
                "kind": item["kind"],
            }
            for item in data["inspections"]
        ),
        key=lambda item: item["unit"],
    )
    return data


def has_number(text: str, number: int) -> bool:
    return re.search(rf"(?<!\d){number}(?!\d)", text) is not None


def aliases_of(name: str) -> set[str]:
    return set(UnitAlias.objects.filter(unit__name=name).values_list("name", flat=True))


def the_round() -> Round:
    return Round.objects.get(term__body="市委", term__number=12, number=6)


# --- Dry run ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_prints_the_expected_json_and_writes_nothing():
    output = run(FIXTURES / "seed_page.txt", "--dry-run", "--format", "json")

    printed = json.loads(output)
    assert comparable(printed) == comparable(seed_expected())
    assert len(printed["inspections"]) == SEED_UNIT_COUNT
    assert counts() == NOTHING


@pytest.mark.django_db
def test_dry_run_as_text_lists_every_unit_and_writes_nothing():
    output = run(FIXTURES / "seed_page.txt", "--dry-run")

    for item in seed_expected()["inspections"]:
        assert normalise_brackets(item["unit"]) in output
    assert "look_back" in output
    assert counts() == NOTHING


# --- A real import ----------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_term_round_batch_units_and_inspections():
    output = run(FIXTURES / "seed_page.txt")

    assert has_number(output, SEED_UNIT_COUNT)
    term = Term.objects.get()
    assert (term.body, term.number) == ("市委", 12)
    round_ = Round.objects.get()
    assert (round_.term, round_.number, round_.state) == (term, 6, RoundState.DRAFT)
    batch = Batch.objects.get()
    assert (batch.round, batch.number) == (round_, 1)
    assert Unit.objects.count() == SEED_UNIT_COUNT
    inspections = Inspection.objects.filter(round=round_, batch=batch)
    assert inspections.count() == Inspection.objects.count() == SEED_UNIT_COUNT
    assert inspections.filter(kind="regular").count() == 17
    assert set(inspections.filter(kind="look_back").values_list("unit__name", flat=True)) == {
        TIANJIN_PORT,
        "市公安局交通管理总队",
    }
    expected_units = {normalise_brackets(i["unit"]) for i in seed_expected()["inspections"]}
    assert set(Unit.objects.values_list("name", flat=True)) == expected_units


@pytest.mark.django_db
def test_import_stores_aliases_and_full_width_brackets():
    run(FIXTURES / "seed_page.txt")

    assert aliases_of("市科学技术局") == {"市外国专家局", "市天开高教科创园管理委员会"}
    assert aliases_of("市委组织部") == {"市公务员局"}
    assert aliases_of("市公安局交通管理总队") == {"交通管理局"}
    assert aliases_of("市纪委监委机关") == set()
    assert Unit.objects.filter(name=TIANJIN_PORT).exists()
    assert not Unit.objects.filter(name="天津港(集团)有限公司").exists()
    assert UnitAlias.objects.count() == sum(
        len(item["aliases"]) for item in seed_expected()["inspections"]
    )


@pytest.mark.django_db
def test_import_audits_the_round_and_every_inspection():
    run(FIXTURES / "seed_page.txt")

    round_ = the_round()
    round_entries = AuditEntry.objects.for_subject(round_).filter(action="import")
    assert round_entries.count() == 1
    assert round_entries.get().to_state == RoundState.DRAFT
    for inspection in Inspection.objects.all():
        entries = AuditEntry.objects.for_subject(inspection)
        assert list(entries.values_list("action", flat=True)) == ["import"]
        assert entries.get().actor is None
    assert AuditEntry.objects.filter(action="import").count() == 1 + SEED_UNIT_COUNT


@pytest.mark.django_db
def test_import_as_json_lists_what_it_created():
    report = json.loads(run(FIXTURES / "seed_page.txt", "--format", "json"))

    assert report["created_round"] is True
    assert report["round_id"] == the_round().pk
    assert len(report["created_inspections"]) == SEED_UNIT_COUNT
    assert len(report["created_units"]) == SEED_UNIT_COUNT
    assert TIANJIN_PORT in report["created_inspections"]
    assert report["existing_inspections"] == []


@pytest.mark.django_db
def test_importing_the_same_page_again_adds_nothing_and_reports_existing():
    run(FIXTURES / "seed_page.txt")
    before = counts()

    report = json.loads(run(FIXTURES / "seed_page.txt", "--format", "json"))

    assert counts() == before
    assert report["created_round"] is False
    assert report["created_inspections"] == []
    assert report["created_units"] == []
    assert sorted(report["existing_inspections"]) == sorted(
        normalise_brackets(i["unit"]) for i in seed_expected()["inspections"]
    )
    text = run(FIXTURES / "seed_page.txt")
    assert counts() == before
    assert has_number(text, SEED_UNIT_COUNT)


@pytest.mark.django_db
def test_gb18030_file_imports_the_same(tmp_path):
    path = write(tmp_path, seed_page(), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    dry = json.loads(run(path, "--dry-run", "--format", "json"))
    assert comparable(dry) == comparable(seed_expected())

    run(path)
    assert Unit.objects.count() == Inspection.objects.count() == SEED_UNIT_COUNT
    assert Unit.objects.filter(name=TIANJIN_PORT).exists()
    assert aliases_of("市科学技术局") == {"市外国专家局", "市天开高教科创园管理委员会"}


# --- Units already recorded -------------------------------------------------------------


@pytest.mark.django_db
def test_unit_recorded_with_an_alias_is_matched_not_duplicated():
    organisation = f.UnitFactory(name="市委组织部")
    UnitAlias.objects.create(unit=organisation, name="市公务员局")
    rural = f.UnitFactory(name="市乡村振兴局")  # recorded under the name in brackets

    report = json.loads(run(FIXTURES / "seed_page.txt", "--format", "json"))

    assert Unit.objects.filter(name__in=["市委组织部", "市公务员局"]).count() == 1
    assert not Unit.objects.filter(name="市农业农村委员会").exists()
    assert Unit.objects.count() == SEED_UNIT_COUNT
    assert Inspection.objects.get(unit=organisation).kind == "regular"
    assert Inspection.objects.filter(unit=rural).count() == 1
    assert "市委组织部" not in report["created_units"]
    assert "市农业农村委员会" not in report["created_units"]
    assert len(report["created_units"]) == SEED_UNIT_COUNT - 2
    assert aliases_of("市委组织部") == {"市公务员局"}


@pytest.mark.django_db
def test_a_new_alias_is_added_to_the_unit_already_recorded():
    science = f.UnitFactory(name="市科学技术局")
    UnitAlias.objects.create(unit=science, name="市外国专家局")
    organisation = f.UnitFactory(name="市委组织部")

    run(FIXTURES / "seed_page.txt")

    assert aliases_of("市科学技术局") == {"市外国专家局", "市天开高教科创园管理委员会"}
    assert aliases_of("市委组织部") == {"市公务员局"}
    assert UnitAlias.objects.filter(name="市外国专家局").count() == 1
    assert Inspection.objects.filter(unit__in=[science, organisation]).count() == 2
    assert Unit.objects.count() == SEED_UNIT_COUNT


@pytest.mark.django_db
def test_unit_printed_with_half_width_brackets_matches_the_stored_form():
    port = f.UnitFactory(name=TIANJIN_PORT)
    assert "天津港(集团)有限公司" in seed_page()

    run(FIXTURES / "seed_page.txt")

    assert Unit.objects.filter(name__contains="天津港").get() == port
    assert Inspection.objects.get(unit=port).kind == "look_back"


# --- Refusals ---------------------------------------------------------------------------


def count_mismatch_page() -> str:
    page = seed_page()
    assert page.count("等17个单位党组织") == 1
    return page.replace("等17个单位党组织", "等18个单位党组织")


@pytest.mark.django_db
def test_count_that_does_not_add_up_is_refused_and_nothing_written(tmp_path):
    path = write(tmp_path, count_mismatch_page())

    message = refusal(path)

    assert "announcement.count_mismatch" in message
    assert has_number(message, 17)
    assert has_number(message, 18)
    assert counts() == NOTHING


@pytest.mark.django_db
def test_count_that_does_not_add_up_is_refused_by_dry_run_too(tmp_path):
    path = write(tmp_path, count_mismatch_page())

    message = refusal(path, "--dry-run", "--format", "json")

    assert has_number(message, 17)
    assert has_number(message, 18)
    assert counts() == NOTHING


def test_count_that_does_not_add_up_fails_the_process(tmp_path):
    path = write(tmp_path, count_mismatch_page())
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["PYTHONIOENCODING"] = "utf-8"
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]

    completed = subprocess.run(
        [sys.executable, "manage.py", "import_announcement", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )

    stderr = completed.stderr.decode("utf-8", errors="replace")
    assert completed.returncode != 0
    assert "announcement.count_mismatch" in stderr
    assert has_number(stderr, 17)
    assert has_number(stderr, 18)
    assert completed.stdout.decode("utf-8", errors="replace").strip() == ""


@pytest.mark.django_db
def test_text_without_an_announcement_is_refused(tmp_path):
    path = write(
        tmp_path, "本市召开十二届市委第六轮巡视工作动员部署会。会议强调，要坚持问题导向。\n"
    )

    message = refusal(path)

    assert "announcement.not_found" in message
    assert counts() == NOTHING


@pytest.mark.django_db
def test_missing_file_is_refused(tmp_path):
    path = tmp_path / "no-such-page.txt"

    message = refusal(path)

    assert str(path) in message
    assert counts() == NOTHING


@pytest.mark.django_db
def test_unit_already_on_the_round_with_another_kind_rolls_everything_back():
    round_ = f.RoundFactory(term=f.TermFactory(body="市委", number=12), number=6)
    port = f.UnitFactory(name=TIANJIN_PORT)
    f.InspectionFactory(round=round_, unit=port, kind="regular")
    before = counts()

    message = refusal(FIXTURES / "seed_page.txt")

    assert "condition_failed" in message
    assert TIANJIN_PORT in message
    assert counts() == before
    # Units listed before the conflicting one were created, then rolled back.
    assert not Unit.objects.filter(name="市纪委监委机关").exists()
    assert not UnitAlias.objects.filter(name="市公务员局").exists()
    assert not Batch.objects.exists()
    assert Inspection.objects.get(unit=port).kind == "regular"


@pytest.mark.django_db
def test_name_matching_two_recorded_units_is_refused():
    f.UnitFactory(name="市委组织部")
    f.UnitFactory(name="市公务员局")
    before = counts()

    message = refusal(FIXTURES / "seed_page.txt")

    assert "condition_failed" in message
    assert "市委组织部" in message
    assert "市公务员局" in message
    assert counts() == before
    assert not Term.objects.exists()
    assert not Round.objects.exists()
    assert not Unit.objects.filter(name="市纪委监委机关").exists()


@pytest.mark.django_db
def test_concluded_round_takes_no_new_units():
    round_ = f.RoundFactory(term=f.TermFactory(body="市委", number=12), number=6)
    Round.objects.filter(pk=round_.pk).update(state=RoundState.CONCLUDED)
    before = counts()

    message = refusal(FIXTURES / "seed_page.txt")

    assert "wrong_state" in message
    assert counts() == before
    assert not Unit.objects.exists()
    assert not Batch.objects.exists()
    round_.refresh_from_db()
    assert round_.state == RoundState.CONCLUDED


# --- The service with an actor ----------------------------------------------------------


def test_office_may_import(world):
    # The world's round is 十二届市委第六轮, batch 1, with 市科学技术局 and 市数据局 planned.
    report = announcement_import(announcement=parse_announcement(seed_page()), actor=world.office)

    assert report.round == world.round
    assert report.created_round is False
    assert sorted(report.existing_inspections) == ["市数据局", "市科学技术局"]
    assert len(report.created_inspections) == SEED_UNIT_COUNT - 2
    assert Inspection.objects.filter(round=world.round, batch=world.batch).count() == 19
    created = Inspection.objects.exclude(pk__in=[world.inspection.pk, world.other_inspection.pk])
    for inspection in created:
        assert AuditEntry.objects.for_subject(inspection).get(action="import").actor == world.office
    assert aliases_of("市科学技术局") == {"市外国专家局", "市天开高教科创园管理委员会"}


def test_team_member_may_not_import(world):
    before = counts()

    with pytest.raises(PermissionDenied):
        announcement_import(announcement=parse_announcement(seed_page()), actor=world.team_member)

    assert counts() == before


# --- Batches and party organisations ----------------------------------------------------


@pytest.mark.django_db
def test_second_batch_joins_the_same_round(tmp_path):
    run(FIXTURES / "seed_page.txt")
    path = write(
        tmp_path,
        "十二届市委第六轮第二批巡视对象公布\n"
        "经市委批准，十二届市委第六轮第二批巡视将对市财政局、市审计局等2个单位党组织开展常规巡视。\n",
    )

    report = json.loads(run(path, "--format", "json"))

    assert report["created_round"] is False
    assert Round.objects.count() == 1
    round_ = the_round()
    assert sorted(round_.batches.values_list("number", flat=True)) == [1, 2]
    second = Batch.objects.get(round=round_, number=2)
    assert set(second.inspections.values_list("unit__name", flat=True)) == {"市财政局", "市审计局"}
    assert Inspection.objects.filter(round=round_, batch__number=1).count() == SEED_UNIT_COUNT
    assert Inspection.objects.filter(round=round_).count() == SEED_UNIT_COUNT + 2


@pytest.mark.django_db
def test_party_organisation_kind_follows_the_printed_word(tmp_path):
    path = write(
        tmp_path,
        "经市委批准，十二届市委第六轮第一批巡视将对市财政局党组、市审计局党组（党委）、"
        "市国有资产监督管理委员会党委开展常规巡视。\n",
    )

    run(path)

    kinds = dict(Unit.objects.values_list("name", "party_organisation_kind"))
    assert kinds == {
        "市财政局": PartyOrganisationKind.LEADING_PARTY_GROUP,
        "市审计局": PartyOrganisationKind.LEADING_PARTY_GROUP,
        "市国有资产监督管理委员会": PartyOrganisationKind.PARTY_COMMITTEE,
    }


@pytest.mark.django_db
def test_seed_party_committees_are_recorded():
    run(FIXTURES / "seed_page.txt")

    kinds = dict(Unit.objects.values_list("name", "party_organisation_kind"))
    assert kinds[TIANJIN_PORT] == PartyOrganisationKind.PARTY_COMMITTEE
    assert kinds["市公安局交通管理总队"] == PartyOrganisationKind.PARTY_COMMITTEE
    # "等17个单位党组织" names no particular kind.
    assert kinds["市纪委监委机关"] == PartyOrganisationKind.UNSPECIFIED


@pytest.mark.django_db
def test_a_unit_found_through_an_alias_gets_the_printed_name_as_an_alias():
    f.UnitFactory(name="市乡村振兴局")

    run(FIXTURES / "seed_page.txt")

    assert aliases_of("市乡村振兴局") == {"市农业农村委员会"}


@pytest.mark.django_db
def test_two_announced_names_of_one_recorded_unit_are_refused(tmp_path):
    page = "十二届市委第六轮巡视将对市甲局(市共同局)、市乙局(市共同局)开展常规巡视。"

    message = refusal(write(tmp_path, page))

    assert "市甲局" in message and "市乙局" in message
    assert counts() == dict.fromkeys(counts(), 0)


@pytest.mark.django_db
def test_a_unit_name_longer_than_the_column_is_refused(tmp_path):
    long_name = "市" + "很" * 200 + "局"
    page = f"十二届市委第六轮巡视将对{long_name}开展常规巡视。"

    message = refusal(write(tmp_path, page))

    assert "200" in message
    assert counts() == dict.fromkeys(counts(), 0)
