"""End to end in Chromium, on the demo data: a team leader stations an inspection, a unit
liaison submits a plan and evidence, a leader reads the round dashboard, a liaison of another
unit is refused. Each step is checked on the page; the screenshots for docs/ are taken here."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inspections import models as m
from tests.browser.conftest import PHONE, zh

# serialized_rollback: the flush after each test would drop the policies the migrations load.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A one-page PDF, small and real.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def inspection_of(unit: str) -> m.Inspection:
    return m.Inspection.objects.get(unit__name=unit)


def leader_of(inspection: m.Inspection) -> str:
    return f"zuzhang{inspection.team.number}"


def liaison_of(unit: str) -> str:
    return m.User.objects.get(unit_liaison__unit__name=unit).username


def test_a_team_leader_stations_an_inspection(demo, open_session):
    inspection = inspection_of("市投资促进局")  # notified: the team arrives next
    session = open_session(leader_of(inspection))
    page = session.page
    page.goto(reverse("inspection_detail", args=[inspection.pk]))
    assert page.locator("h1").inner_text() == "市投资促进局"
    facts = page.locator(".facts").first
    assert zh(m.InspectionState.NOTIFIED.label) in facts.inner_text()
    assert str(inspection.team) in facts.inner_text()

    offer = page.locator(f"#inspection-{inspection.pk}-station")
    offer.locator("summary").click()
    form = offer.locator("form")
    assert form.get_by_label(zh("Date it happened")).is_visible()
    form.get_by_label(zh("Note")).fill("巡视组按通知时间进驻")
    form.locator("button[type=submit]").click()

    # htmx follows the redirect and swaps the page's main part: message and new state.
    expect(page.locator(".messages")).to_contain_text(zh("Station the team"))
    expect(page.locator(".facts").first).to_contain_text(zh(m.InspectionState.STATIONED.label))
    assert "巡视组按通知时间进驻" in page.locator(".timeline").inner_text()
    inspection.refresh_from_db()
    assert inspection.state == m.InspectionState.STATIONED

    # For the docs: the office's view of a unit that has reported its rectification, with the
    # actions open to it and the form of one of them.
    reported = inspection_of("天津华北地质勘查局")
    session = open_session("xunshiban")
    session.page.goto(reverse("inspection_detail", args=[reported.pk]))
    accept = session.page.locator(f"#inspection-{reported.pk}-accept_rectification_report")
    accept.locator("summary").click()
    expect(accept.get_by_label(zh("Date it happened"))).to_be_visible()
    session.page.evaluate("window.scrollTo(0, 0)")
    session.screenshot("inspection.png")


def test_a_unit_liaison_submits_the_plan_and_evidence(demo, open_session, tmp_path):
    unit = "市科学技术发展战略研究院"  # feedback given: the plan is due
    inspection = inspection_of(unit)
    session = open_session(liaison_of(unit))
    page = session.page
    page.goto(reverse("unit_portal"))
    page.get_by_role("link", name=unit).click()
    assert page.locator("h1").inner_text() == unit
    problems = page.locator(".findings").inner_text()
    assert "干部选拔任用程序执行不严格" in problems

    # One more item for the first problem, then the plan goes in.
    add = page.locator(f"#inspection-{inspection.pk}-add_plan_item")
    add.locator("summary").click()
    form = add.locator("form")
    form.get_by_label(zh("Problem it answers")).select_option(index=0)
    form.get_by_label(zh("Measure")).fill("召开专题民主生活会,逐条对照检查")
    form.get_by_label(zh("Responsible person")).fill("党委副书记刘七")
    form.get_by_label(zh("Due on")).fill("2027-02-28")
    form.locator("button[type=submit]").click()
    expect(page.locator(".items")).to_contain_text("召开专题民主生活会")

    submit = page.locator(f"#inspection-{inspection.pk}-submit_plan")
    submit.locator("summary").click()
    form = submit.locator("form")
    form.get_by_label(zh("Signed off by (the unit's head)")).fill("院党委书记")
    form.locator("button[type=submit]").click()
    expect(page.locator(".facts").first).to_contain_text(zh(m.InspectionState.PLAN_SUBMITTED.label))
    inspection.refresh_from_db()
    assert inspection.state == m.InspectionState.PLAN_SUBMITTED
    assert inspection.plan_signed_by == "院党委书记"

    # Evidence for an item being worked on, at a unit already rectifying.
    unit = "市科学技术局"
    rectifying = inspection_of(unit)
    item = rectifying.items.get(number=1)
    assert item.state == m.ItemState.IN_PROGRESS
    session = open_session(liaison_of(unit))
    page = session.page
    page.goto(reverse("portal_inspection", args=[rectifying.pk]))
    upload = page.locator(f"#item-{item.pk}-upload_evidence")
    upload.locator("summary").click()
    pdf = tmp_path / "整改情况说明.pdf"
    pdf.write_bytes(PDF)
    upload.get_by_label(zh("File")).set_input_files(str(pdf))
    upload.locator("button[type=submit]").click()
    link = page.locator(f"#item-{item.pk} .evidence__list a")
    expect(link).to_have_text("整改情况说明.pdf")
    download = page.request.get(link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.body() == PDF

    # A file that is not what its name says is refused, in place, with the reason.
    upload = page.locator(f"#item-{item.pk}-upload_evidence")
    upload.locator("summary").click()
    fake = tmp_path / "照片.png"
    fake.write_bytes(PDF)
    upload.get_by_label(zh("File")).set_input_files(str(fake))
    upload.locator("button[type=submit]").click()
    errors = page.locator(f"#item-{item.pk}-upload_evidence .errorlist")
    expect(errors).to_contain_text(".png")
    assert item.evidence_files.count() == 1

    page.goto(reverse("portal_inspection", args=[rectifying.pk]))
    session.screenshot("portal.png")
    phone = open_session(liaison_of(unit), viewport=PHONE)
    phone.page.goto(reverse("portal_inspection", args=[rectifying.pk]))
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing scrolls sideways at 375 px
    phone.screenshot("portal-375.png")


def test_a_leader_reads_the_round_dashboard_and_the_ledger(demo, open_session):
    round_ = m.Round.objects.get()
    session = open_session("lingdao")
    page = session.page
    response = page.goto(reverse("round_dashboard", args=[round_.pk]))
    assert response.status == 200
    assert str(round_) in page.locator("main").inner_text()
    assert "市科学技术局" in page.locator("main").inner_text()
    session.screenshot("dashboard.png")

    response = page.goto(f"{reverse('ledger')}?round={round_.pk}")
    assert response.status == 200
    assert (
        "财务" in page.locator("main").inner_text() or "整改" in page.locator("main").inner_text()
    )
    session.screenshot("ledger.png")

    page.goto(reverse("leads_desk"))
    assert page.locator(".lead-card").count() == m.Lead.objects.count()


def test_a_liaison_of_another_unit_is_refused(demo, open_session):
    inspection = inspection_of("市科学技术局")
    session = open_session(liaison_of("天津医学健康研究院"))
    page = session.page
    for url in (
        reverse("portal_inspection", args=[inspection.pk]),
        reverse("inspection_detail", args=[inspection.pk]),
    ):
        response = page.goto(url)
        assert response.status == 404
        main = page.locator("main").inner_text()
        assert zh("Page not found") in main
        assert "市科学技术局" not in main
    evidence = reverse("leads_desk")
    assert page.goto(evidence).status == 404
