"""The round report for the leading group: counts per team and unit, as a page and as a PDF."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import models as m
from inspections.selectors.report import round_report
from tests import factories as f
from tests.helpers import put
from tests.roles import ROLES

LEAD_TEXT = "反映某处长违规收受礼金,金额较大"
TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def filled(world):
    """Findings, items (one overdue, one signed off) and leads on the world's inspection."""
    put(world.round, "mobilized", title="十二届市委第六轮巡视")
    put(world.inspection, "rectifying")
    f.FindingFactory(inspection=world.inspection, category=m.FindingCategory.POLITICAL)
    f.FindingFactory(inspection=world.inspection, category=m.FindingCategory.POLITICAL)
    f.FindingFactory(inspection=world.inspection, category=m.FindingCategory.INTEGRITY)
    f.RectificationItemFactory(inspection=world.inspection, due_on=TODAY - datetime.timedelta(1))
    f.RectificationItemFactory(inspection=world.inspection, due_on=TODAY + datetime.timedelta(9))
    put(f.RectificationItemFactory(inspection=world.inspection), "closed")
    f.LeadFactory(inspection=world.inspection, summary=LEAD_TEXT)
    put(
        f.LeadFactory(inspection=world.inspection, summary=LEAD_TEXT),
        "handed_over",
        route=m.Route.DISCIPLINE,
        receiving_organ=world.organ,
    )
    return world


def test_the_report_counts_per_unit_and_totals(filled):
    report = round_report(user=filled.leading_group, pk=filled.round.pk, today=TODAY)
    first = report.sections[0]
    assert first.team == filled.team
    assert (first.leaders, first.deputies, first.members) == (["组长甲"], ["副组长乙"], 3)
    row = first.units[0]
    assert row.inspection == filled.inspection
    assert row.findings["political"] == 2 and row.findings["integrity"] == 1
    assert row.findings_total == 3
    assert (row.items.open, row.items.closed, row.items.overdue) == (2, 1, 1)
    assert row.leads == {"undecided": 1, "discipline": 1, "organisation": 0, "other": 0}
    assert report.totals.findings_total == 3
    assert report.states == {"planned": 1, "rectifying": 1}
    assert (report.coverage.inspected, report.coverage.total) == (2, 2)


def test_the_page_shows_counts_and_never_a_leads_contents(client, filled):
    client.force_login(filled.office)
    response = client.get(reverse("round_report", args=[filled.round.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "十二届市委第六轮巡视" in page and "市科学技术局" in page and "市数据局" in page
    assert reverse("round_report_pdf", args=[filled.round.pk]) in page
    assert LEAD_TEXT not in page


@pytest.mark.parametrize("role", ROLES)
def test_only_the_leading_group_and_the_office_get_the_report(client, filled, role):
    client.force_login(getattr(filled, role))
    for name in ("round_report", "round_report_pdf"):
        response = client.get(reverse(name, args=[filled.round.pk]))
        expected = 200 if role in ("leading_group", "office") else 404
        assert response.status_code == expected, (role, name)


def test_a_round_that_does_not_exist_is_not_found(client, filled):
    client.force_login(filled.office)
    assert client.get(reverse("round_report", args=[9999])).status_code == 404


def test_the_pdf_carries_the_chinese_round_name_and_the_units(client, filled, tmp_path):
    client.force_login(filled.leading_group)
    response = client.get(reverse("round_report_pdf", args=[filled.round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "十二届市委第六轮巡视" in text
    assert "市科学技术局" in text and "市数据局" in text
    assert "第一巡视组" in text
    assert LEAD_TEXT not in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "WenQuanYi" in fonts  # the CJK font by name: no boxes for want of glyphs


def test_the_report_costs_the_same_queries_for_a_small_and_a_large_round(filled):
    def count() -> int:
        user = m.User.objects.get(pk=filled.leading_group.pk)  # roles read afresh
        with CaptureQueriesContext(connection) as queries:
            round_report(user=user, pk=filled.round.pk, today=TODAY)
        return len(queries)

    small = count()
    for number in range(3, 13):
        team = f.TeamFactory(round=filled.round, number=number)
        f.TeamMemberFactory(team=team, role=m.TeamRole.LEADER)
        inspection = f.InspectionFactory(round=filled.round, team=team, batch=filled.batch)
        f.FindingFactory(inspection=inspection)
        f.RectificationItemFactory(inspection=inspection)
        f.LeadFactory(inspection=inspection)
    assert count() == small
