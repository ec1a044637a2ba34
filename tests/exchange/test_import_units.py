"""Importing units and people from real .xlsx and .csv files: all rows checked, all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from inspections import models as m
from inspections.exchange.problems import ImportFileUnreadable, ImportRejected
from inspections.services.imports import units_import
from tests import factories as f
from tests.exchange.files import PERSON_HEADERS, UNIT_HEADERS, csv_bytes, many_units, xlsx
from tests.helpers import refuse
from workflows.errors import PermissionDenied
from workflows.models import AuditEntry

UNITS = [
    UNIT_HEADERS,
    [
        "市委组织部",
        "市公务员局",
        "党组",
        "市直机关",
        "张三",
        "zhangsan@example.org",
        "0571-87000001",
    ],
    [
        "市科学技术局",
        "市科技局、科技局",
        "党组",
        "市直机关",
        "李四",
        "lisi@example.org",
        13800000000,
    ],
]
PEOPLE = [
    PERSON_HEADERS,
    ["wangwu", "王五", "wangwu@example.org", "13900000000", "市科技局", "曾任职", "2019年任副局长"],
    ["", "赵六", "zhaoliu@example.org", "", "市委组织部、市公务员局", "亲属任职", ""],
]


def snapshot() -> tuple:
    """Everything an import may write, to show that a refused one wrote nothing."""
    return (
        sorted(m.Unit.objects.values_list("name", "party_organisation_kind", "category")),
        sorted(m.UnitAlias.objects.values_list("unit__name", "name")),
        sorted(m.User.objects.values_list("username", "email", "display_name", "phone")),
        sorted(m.UnitLiaison.objects.values_list("unit__name", "user__username")),
        sorted(m.Affiliation.objects.values_list("user__username", "unit__name", "kind", "detail")),
    )


@pytest.fixture
def office(db):
    return f.OfficeMemberFactory(user__username="office", user__is_staff=True).user


def test_a_workbook_creates_units_aliases_liaisons_people_and_affiliations(office):
    counts = units_import(
        data=xlsx({"单位": UNITS, "人员": PEOPLE}), filename="名单.xlsx", actor=office
    )

    assert (counts.rows, counts.units_created, counts.aliases_created) == (4, 2, 3)
    assert (counts.users_created, counts.liaisons_created, counts.affiliations_created) == (4, 2, 2)
    science = m.Unit.objects.get(name="市科学技术局")
    assert science.party_organisation_kind == m.PartyOrganisationKind.LEADING_PARTY_GROUP
    assert science.category == "市直机关"
    assert sorted(science.aliases.values_list("name", flat=True)) == ["市科技局", "科技局"]
    liaison = science.liaisons.get().user
    # A phone Excel stored as a number comes back as the digits, not 13800000000.0.
    assert (liaison.display_name, liaison.email, liaison.phone) == (
        "李四",
        "lisi@example.org",
        "13800000000",
    )
    assert not liaison.has_usable_password()
    wangwu = m.User.objects.get(username="wangwu")
    assert list(wangwu.affiliations.values_list("unit__name", "kind", "detail")) == [
        ("市科学技术局", m.AffiliationKind.PAST_POST, "2019年任副局长")
    ]
    # No username given: the e-mail is the username; the alias found the same unit once.
    zhaoliu = m.User.objects.get(username="zhaoliu@example.org")
    assert list(zhaoliu.affiliations.values_list("unit__name", "kind")) == [
        ("市委组织部", m.AffiliationKind.RELATIVE)
    ]
    entry = AuditEntry.objects.get(action="import_units")
    assert (entry.actor, entry.note, entry.data["units_created"]) == (office, "名单.xlsx", 2)


def test_importing_the_same_file_again_changes_nothing(office):
    data = xlsx({"单位": UNITS, "人员": PEOPLE})
    units_import(data=data, filename="a.xlsx", actor=office)
    before = snapshot()

    counts = units_import(data=data, filename="a.xlsx", actor=office)

    assert snapshot() == before
    assert counts.rows == 4
    assert [
        counts.units_created,
        counts.units_updated,
        counts.aliases_created,
        counts.users_created,
        counts.users_updated,
        counts.liaisons_created,
        counts.affiliations_created,
        counts.affiliations_updated,
    ] == [0] * 8


def test_a_reimport_updates_by_name_or_alias_and_renames_keeping_the_old_name(office):
    unit = f.UnitFactory(name="市科技局", category="旧类别")
    rows = [UNIT_HEADERS, ["市科学技术局", "市科技局", "党委", "", "", "", ""]]

    counts = units_import(data=xlsx({"单位": rows}), filename="a.xlsx", actor=office)

    unit.refresh_from_db()
    assert (counts.units_created, counts.units_updated) == (0, 1)
    assert unit.name == "市科学技术局"
    assert unit.party_organisation_kind == m.PartyOrganisationKind.PARTY_COMMITTEE
    # An empty cell leaves what is recorded.
    assert unit.category == "旧类别"
    assert list(unit.aliases.values_list("name", flat=True)) == ["市科技局"]
    assert m.Unit.objects.count() == 1


def test_people_are_found_by_username_or_email_and_updated(office):
    known = f.UserFactory(username="wangwu", email="old@example.org", display_name="旧名")
    by_email = f.UserFactory(username="zl", email="ZhaoLiu@example.org", display_name="赵")
    m.UnitAlias.objects.create(unit=f.UnitFactory(name="市科学技术局"), name="市科技局")
    m.UnitAlias.objects.create(unit=f.UnitFactory(name="市委组织部"), name="市公务员局")

    units_import(data=xlsx({"人员": PEOPLE}), filename="p.xlsx", actor=office)

    known.refresh_from_db()
    by_email.refresh_from_db()
    assert (known.email, known.display_name) == ("wangwu@example.org", "王五")
    assert by_email.display_name == "赵六"
    assert by_email.email == "ZhaoLiu@example.org"  # same address, its case kept
    assert m.User.objects.filter(display_name__in=["王五", "赵六"]).count() == 2


def test_a_broken_workbook_reports_every_problem_with_row_and_column_and_writes_nothing(office):
    f.UnitFactory(name="市数据局")
    f.UnitFactory(name="市大数据中心")
    before = snapshot()
    rows = [
        UNIT_HEADERS,
        ["", "", "党组", "", "", "", ""],  # row 2: no name
        ["市甲局", "", "党小组", "", "", "not-an-email", ""],  # row 3: kind, e-mail
        ["市乙局", "", "", "", "联络人", "", "电话号码"],  # row 4: phone; a liaison with no e-mail
        ["市甲局", "", "", "", "", "", ""],  # row 5: same name as row 3
        ["市数据局", "市大数据中心", "", "", "", "", ""],  # row 6: two recorded units
        ["#N/A", "", "", "", "", "", ""],  # row 7: a spreadsheet error
    ]
    people = [PERSON_HEADERS, ["", "孙七", "", "", "不存在的局", "曾任职", ""]]  # no key, no unit

    with translation.override("en"):
        error = refuse(
            ImportRejected,
            lambda: units_import(
                data=xlsx({"单位": rows, "人员": people}), filename="b.xlsx", actor=office
            ),
        )

        messages = " | ".join(str(p) for p in error.problems)
    assert error.code == "import_invalid"
    found = {(p.sheet, p.row, p.column.split(" ")[0]) for p in error.problems}
    assert found == {
        ("单位", 2, "A"),
        ("单位", 3, "C"),
        ("单位", 3, "F"),
        ("单位", 4, "G"),
        ("单位", 4, "F"),
        ("单位", 5, "A"),
        ("单位", 6, "A"),
        ("单位", 7, "A"),
        ("人员", 2, "C"),
        ("人员", 2, "E"),
    }
    assert "sheet 单位, row 3, column F 邮箱: not-an-email is not an e-mail address." in messages
    assert "row 3 of 单位" in messages  # row 5 says where the name was first
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="import_units").exists()


def test_problems_are_reported_in_chinese_for_a_chinese_reader(office):
    rows = [UNIT_HEADERS, ["市甲局", "", "", "", "", "bad", ""]]
    with translation.override("zh-hans"):
        error = refuse(
            ImportRejected,
            lambda: units_import(data=xlsx({"单位": rows}), filename="a.xlsx", actor=office),
        )
        text = str(error.problems[0])
        message = str(error.message)
    assert text == "工作表 单位，第 2 行，F 邮箱 列：bad 不是有效的电子邮箱地址。"
    assert message == "未导入任何数据：文件中有错误。"


def test_wrong_headers_are_named(office):
    rows = [["单位名", "邮 箱", "电话"], ["市甲局", "a@example.org", ""]]
    with translation.override("en"):
        error = refuse(
            ImportRejected,
            lambda: units_import(data=xlsx({"Sheet1": rows}), filename="a.xlsx", actor=office),
        )
        texts = [str(p) for p in error.problems]
    assert texts == [
        "sheet Sheet1, row 1: Cannot tell what this sheet holds: a sheet of units needs the "
        "column 单位名称 (unit name), a sheet of people the column 姓名 (name)."
    ]

    rows = [["单位名称", "邮 箱", "负责人"], ["市甲局", "a@example.org", ""]]
    with translation.override("en"):
        error = refuse(
            ImportRejected,
            lambda: units_import(data=xlsx({"Sheet1": rows}), filename="a.xlsx", actor=office),
        )
    # "邮 箱" is 邮箱 with a space: accepted. An unknown column is refused, not ignored.
    assert [(p.row, p.column) for p in error.problems] == [(1, "C 负责人")]
    assert error.problems[0].message.startswith("Unknown column 负责人.")


def test_english_headers_are_accepted(office):
    rows = [
        ["Unit name", "Aliases", "Party organisation", "Category", "Liaison", "E-mail", "Phone"],
        ["市甲局", "甲局", "party committee", "区县", "Zhang", "zhang@example.org", "+86 571 1"],
    ]
    units_import(data=xlsx({"units": rows}), filename="a.xlsx", actor=office)
    unit = m.Unit.objects.get(name="市甲局")
    assert unit.party_organisation_kind == m.PartyOrganisationKind.PARTY_COMMITTEE
    assert unit.liaisons.get().user.email == "zhang@example.org"


def test_a_file_that_is_not_a_workbook_is_refused_clearly(office):
    with translation.override("en"):
        error = refuse(
            ImportFileUnreadable,
            lambda: units_import(data=b"%PDF-1.7 not a zip", filename="a.xlsx", actor=office),
        )
    assert error.code == "import_unreadable"
    assert "not an Excel workbook (.xlsx)" in str(error)
    with translation.override("en"):
        error = refuse(
            ImportFileUnreadable,
            lambda: units_import(data=b"\xd0\xcf\x11\xe0", filename="old.xls", actor=office),
        )
    assert ".xls files are not read" in str(error)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_utf8_with_or_without_bom(office, encoding):
    data = csv_bytes(UNITS, encoding=encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the test file is really GB18030, not UTF-8 by accident
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")

    units_import(data=data, filename="units.csv", actor=office)

    assert sorted(m.Unit.objects.values_list("name", flat=True)) == ["市委组织部", "市科学技术局"]
    assert m.UnitAlias.objects.filter(name="市公务员局").exists()


def test_a_csv_of_people_refers_to_recorded_units(office):
    m.UnitAlias.objects.create(unit=f.UnitFactory(name="市科学技术局"), name="市科技局")
    m.UnitAlias.objects.create(unit=f.UnitFactory(name="市委组织部"), name="市公务员局")
    units_import(data=csv_bytes(PEOPLE, encoding="gb18030"), filename="p.csv", actor=office)
    assert m.Affiliation.objects.count() == 2


def test_only_the_office_may_import(db):
    liaison = f.UnitLiaisonFactory().user
    before = snapshot()
    refuse(
        PermissionDenied,
        lambda: units_import(data=xlsx({"单位": UNITS}), filename="a.xlsx", actor=liaison),
    )
    assert snapshot() == before


def test_twenty_thousand_rows_import_whole(office):
    # How long it takes is measured by `make bench` (I1), not here.
    data = xlsx(many_units(15_000, people=5_000))
    counts = units_import(data=data, filename="big.xlsx", actor=office)
    assert counts.rows == 20_000
    assert m.Unit.objects.count() == 15_000
    assert m.UnitAlias.objects.count() == 30_000
    assert m.UnitLiaison.objects.count() == 15_000
    assert m.Affiliation.objects.count() == 5_000


def test_the_command_imports_and_reports_problems(db, tmp_path, capsys):
    good = tmp_path / "units.xlsx"
    good.write_bytes(xlsx({"单位": UNITS}))
    call_command("import_units", str(good), "--language", "en")
    assert "units_created: 2" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes([UNIT_HEADERS, ["市丙局", "", "", "", "", "x@", ""]], encoding="gb18030")
    )
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_units", str(bad), "--language", "en")
    assert "row 2, column F 邮箱: x@ is not an e-mail address." in capsys.readouterr().err
    assert not m.Unit.objects.filter(name="市丙局").exists()


def test_the_admin_page_imports_and_lists_problems(client, office):
    client.force_login(office)
    page = reverse("admin:inspections_unit_import")
    assert (
        reverse("admin:inspections_unit_import")
        in client.get(reverse("admin:inspections_unit_changelist")).content.decode()
    )

    upload = io.BytesIO(xlsx({"单位": [UNIT_HEADERS, ["市丙局", "", "党小组", "", "", "", ""]]}))
    upload.name = "bad.xlsx"
    response = client.post(page, {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 200
    assert "import-problems" in body and "党小组" in body
    assert not m.Unit.objects.filter(name="市丙局").exists()

    upload = io.BytesIO(xlsx({"单位": UNITS}))
    upload.name = "good.xlsx"
    response = client.post(page, {"file": upload})
    assert response.status_code == 200
    assert m.Unit.objects.filter(name="市委组织部").exists()


def test_the_admin_offers_blank_files_whose_headers_import(client, office):
    client.force_login(office)
    response = client.get(reverse("admin:inspections_unit_import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["单位", "人员"]
    assert [c.value for c in workbook["单位"][1]] == UNIT_HEADERS
    assert [c.value for c in workbook["人员"][1]] == PERSON_HEADERS
    # The blank workbook, filled in, is what the importer reads.
    workbook["单位"].append(["市丁局", "", "党委", "", "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    units_import(data=buffer.getvalue(), filename="filled.xlsx", actor=office)
    assert m.Unit.objects.filter(name="市丁局").exists()

    response = client.get(reverse("admin:inspections_unit_import_template_csv", args=["people"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").strip() == ",".join(PERSON_HEADERS)


def test_a_unit_liaison_cannot_open_the_import_page(client, db):
    liaison = f.UnitLiaisonFactory(user__is_staff=True).user
    client.force_login(liaison)
    response = client.get(reverse("admin:inspections_unit_import"))
    assert response.status_code == 403
