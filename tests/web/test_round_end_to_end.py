"""One inspection from planned to closed through the pages alone, each person at their own page.

Each step is taken as a browser takes it: the person opens the page where the step is
offered, finds its form (`<details id="<kind>-<id>-<action>">`), and posts it back with the
version the page was drawn with and the fields the form asks for. Nothing is set up behind
the pages' back but the `world` fixture: a draft round, two proposed teams, each with a
planned inspection. The API's twin is tests/api/test_round_end_to_end.py.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections import models as m
from tests.conftest import World
from tests.web.casework import do, page
from workflows.audit import audit_trail

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Person:
    """A signed-in browser: opens a page, finds an action's form on it, and posts it."""

    def __init__(self, user: m.User) -> None:
        self.user = user
        self.client = Client()
        self.client.force_login(user)

    def form(self, url: str, record: models.Model, action: str) -> str:
        """The HTML of the action's form as `url` draws it for this person (it must be there)."""
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        key = do(record, action).replace(":", "-")
        found = re.search(
            rf'<details class="offer" id="{key}"[^>]*>(.*?)</details>', page(response), re.S
        )
        assert found, f"{self.user.username} is not offered {action} at {url}"
        return found.group(1)

    def choice(self, url: str, record: models.Model, action: str, label: str) -> str:
        """The value of the option named `label` in the action's form."""
        options = re.findall(
            r'<option value="([^"]+)"[^>]*>([^<]*)</option>', self.form(url, record, action)
        )
        return next(value for value, text in options if text.strip() == label)

    def take(self, url: str, record: models.Model, action: str, **fields: Any) -> None:
        """Post the action's form, and the page sends the person back to a page that opens."""
        form = self.form(url, record, action)
        asked = set(re.findall(r'name="([a-z_]+)"', form)) - {
            "csrfmiddlewaretoken",
            "do",
            "version",
        }
        assert set(fields) <= asked, (action, sorted(asked))  # only what the form asks for
        version = re.search(r'name="version" value="(\d+)"', form).group(1)
        response = self.client.post(url, {"do": do(record, action), "version": version, **fields})
        assert response.status_code == 302, (action, _errors(page(response)))
        assert self.client.get(response["Location"]).status_code == 200

    def step(self, url: str, record: models.Model, action: str, to: str, **fields: Any) -> None:
        """A transition or a write: the record now stands in `to`, and the trail names this person."""
        record.refresh_from_db()
        before = record.version
        self.take(url, record, action, **fields)
        record.refresh_from_db()
        assert (record.state, record.version) == (to, before + 1), action
        entry = audit_trail(record).last()
        assert (entry.actor, entry.action) == (self.user, action)


def _errors(html: str) -> list[str]:
    """What the page says went wrong, to read in a failed assertion."""
    return re.findall(r'class="(?:errorlist|error)[^"]*"[^>]*>(.*?)</', html, re.S)


def test_one_inspection_runs_from_planned_to_closed_through_the_pages(world: World):
    leading_group = Person(world.leading_group)
    office = Person(world.office)
    leader = Person(world.team_leader)
    member = Person(world.team_member)
    liaison = Person(world.unit_liaison)
    desk = Person(world.organ_desk)
    inspection = world.inspection
    dashboard = reverse("round_dashboard", args=[world.round.pk])
    case = reverse("inspection_detail", args=[inspection.pk])
    portal = reverse("portal_inspection", args=[inspection.pk])
    today = timezone.localdate()
    due = (today + datetime.timedelta(days=60)).isoformat()

    # The round dashboard: approved, its teams authorised, mobilised.
    leading_group.step(dashboard, world.round, "approve", m.RoundState.APPROVED)
    for team in (world.team, world.other_team):
        leading_group.step(dashboard, team, "authorize", m.TeamState.AUTHORIZED)
    office.step(dashboard, world.round, "mobilize", m.RoundState.MOBILIZED)

    # The inspection page: notice, stationing, what the team found, withdrawal, the report.
    office.step(case, inspection, "notify", m.InspectionState.NOTIFIED, on=today.isoformat())
    leader.step(case, inspection, "station", m.InspectionState.STATIONED, on=today.isoformat())
    member.step(
        case,
        inspection,
        "record_onsite_work",
        m.InspectionState.STATIONED,
        talks=12,
        letters_calls_visits=5,
        documents_reviewed=80,
        questionnaires=150,
    )
    member.take(
        case, inspection, "record_finding", category="political", title="主体责任落实不到位"
    )
    leader.take(case, inspection, "record_finding", category="integrity", title="公务接待超标准")
    first, second = inspection.findings.order_by("number")
    assert (first.recorded_by, second.recorded_by) == (world.team_member, world.team_leader)
    leader.take(
        case, inspection, "register_lead", summary="反映某科长违规经商", persons_named="某科长"
    )
    (lead,) = inspection.leads.all()
    leader.step(case, inspection, "withdraw", m.InspectionState.WITHDRAWN, on=today.isoformat())
    leader.step(case, inspection, "submit_report", m.InspectionState.REPORTED)
    leading_group.step(case, inspection, "hear_report", m.InspectionState.HEARD)
    office.step(
        case,
        inspection,
        "give_feedback",
        m.InspectionState.FEEDBACK_GIVEN,
        consent_reference="市委常委会第12次会议",
        on=today.isoformat(),
    )

    # The lead's own page: decided, handed over, reported back by the organ, closed.
    lead_page = reverse("lead_detail", args=[lead.pk])
    organ = leading_group.choice(lead_page, lead, "decide", world.organ.name)
    leading_group.step(
        lead_page, lead, "decide", m.LeadState.DECIDED, route="discipline", receiving_organ=organ
    )
    office.step(lead_page, lead, "hand_over", m.LeadState.HANDED_OVER)
    desk.step(lead_page, lead, "report_back", m.LeadState.REPORTED_BACK, outcome="已立案审查")
    office.step(lead_page, lead, "close", m.LeadState.CLOSED)

    # The unit portal: one item per problem, one reworded, one added by mistake and removed.
    for finding in (first, second, first):
        label = f"{finding.number}. {finding.title}"
        liaison.take(
            portal,
            inspection,
            "add_plan_item",
            finding=liaison.choice(portal, inspection, "add_plan_item", label),
            measure="制定整改措施",
            responsible_person="单位负责人",
            due_on=due,
        )
    items = list(inspection.items.order_by("number"))
    assert [item.finding for item in items] == [first, second, first]
    liaison.step(
        portal,
        items[0],
        "update_plan_item",
        m.ItemState.OPEN,
        measure="修订公务接待制度",
        responsible_person="办公室主任",
        due_on=due,
    )
    spare = items.pop()
    liaison.take(portal, spare, "remove_plan_item")
    assert not m.RectificationItem.objects.filter(pk=spare.pk).exists()
    liaison.step(
        portal,
        inspection,
        "submit_plan",
        m.InspectionState.PLAN_SUBMITTED,
        signed_by="单位主要负责人",
    )
    office.step(case, inspection, "approve_plan", m.InspectionState.RECTIFYING)

    # Each item: worked and evidenced at the portal, verified by the team, closed by the office.
    for item in items:
        liaison.step(portal, item, "start", m.ItemState.IN_PROGRESS)
        liaison.step(
            portal, item, "report_progress", m.ItemState.IN_PROGRESS, progress="已完成一半"
        )
        liaison.take(
            portal,
            item,
            "upload_evidence",
            file=SimpleUploadedFile("整改情况说明.pdf", PDF, content_type="application/pdf"),
        )
        liaison.step(
            portal, item, "submit", m.ItemState.SUBMITTED, progress="已完成", evidence="制度文件"
        )
        leader.step(case, item, "verify", m.ItemState.VERIFIED)
        office.step(case, item, "close", m.ItemState.CLOSED)
        assert item.evidence_files.count() == 1

    # The unit reports; the office records the disclosure, accepts, grades and closes.
    liaison.step(
        portal,
        inspection,
        "submit_rectification_report",
        m.InspectionState.RECTIFICATION_REPORTED,
        report="整改情况报告",
        principal_report="主要负责人组织落实整改情况的报告",
    )
    office.step(
        case,
        inspection,
        "record_disclosure",
        m.InspectionState.RECTIFICATION_REPORTED,
        reference="市纪委监委网站",
    )
    office.step(
        case, inspection, "accept_rectification_report", m.InspectionState.RECTIFICATION_ACCEPTED
    )
    office.step(case, inspection, "grade", m.InspectionState.RECTIFICATION_ACCEPTED, grade="good")
    office.step(case, inspection, "close", m.InspectionState.CLOSED)

    assert inspection.grade == "good"
    # The other unit's liaison never found any of it.
    assert Person(world.other_unit_liaison).client.get(portal).status_code == 404
