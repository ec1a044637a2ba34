"""Private calendar feeds: each person's deadlines as .ics, by a revocable address."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from inspections import models as m
from tests import factories as f
from tests.exchange.ics import parse
from tests.helpers import put
from workflows.deadlines import deadline_open
from workflows.ics import calendar_event
from workflows.models import Deadline

PLAN_DUE = datetime.date(2026, 10, 26)
ITEM_DUE = datetime.date(2026, 11, 30)
SUMMARY = "反映某处长违规收受礼金,金额较大"


@pytest.fixture
def deadlines(world, settings):
    """A plan deadline on the inspection, one on an item, one on a lead handed to the organ."""
    settings.SITE_URL = "https://xunshi.example.org"
    deadline_open(
        subject=world.inspection,
        kind="plan",
        policy_key="plan",
        starts_on=datetime.date(2026, 9, 25),
        responsible="unit",
        responsible_name="市科学技术局",
    )
    item = f.RectificationItemFactory(inspection=world.inspection, number=3)
    deadline_open(
        subject=item,
        kind="item",
        policy_key="item",
        starts_on=datetime.date(2026, 10, 1),
        due_on=ITEM_DUE,
        responsible="unit",
        responsible_name="市科学技术局",
    )
    lead = f.LeadFactory(inspection=world.inspection, number=2, summary=SUMMARY)
    put(lead, "handed_over", receiving_organ=world.organ, route=m.Route.DISCIPLINE)
    deadline_open(
        subject=lead,
        kind="report_back",
        policy_key="lead_report_back",
        starts_on=datetime.date(2026, 6, 1),
        responsible="receiving_organ",
        responsible_name="市纪委监委",
    )
    # The other unit's deadline: nobody on this inspection should see it.
    deadline_open(
        subject=world.other_inspection,
        kind="plan",
        policy_key="plan",
        starts_on=datetime.date(2026, 9, 25),
        responsible="unit",
        responsible_name="市数据局",
    )
    return {"item": item, "lead": lead}


def feed_of(client, user) -> tuple[dict, list[dict]]:
    feed = m.CalendarFeed.objects.get(user=user)
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse(response.content.decode())


def make_feed(client, user) -> None:
    client.force_login(user)
    client.post(reverse("calendar_settings"), {"action": "create"})
    client.logout()


def test_the_settings_page_creates_shows_and_regenerates_the_address(client, world):
    client.force_login(world.unit_liaison)
    page = client.get(reverse("calendar_settings")).content.decode()
    assert 'value="create"' in page and ".ics" not in page

    client.post(reverse("calendar_settings"), {"action": "create"})
    feed = m.CalendarFeed.objects.get(user=world.unit_liaison)
    address = f"http://testserver/calendar/{feed.token}.ics"
    assert address in client.get(reverse("calendar_settings")).content.decode()
    assert len(feed.token) >= 40

    client.post(reverse("calendar_settings"), {"action": "regenerate"})
    new = m.CalendarFeed.objects.get(user=world.unit_liaison)
    assert new.token != feed.token
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new.token])).status_code == 200

    client.post(reverse("calendar_settings"), {"action": "revoke"})
    assert not m.CalendarFeed.objects.filter(user=world.unit_liaison).exists()
    assert client.get(reverse("calendar_feed", args=[new.token])).status_code == 404


def test_the_settings_page_needs_a_signed_in_person(client, db):
    response = client.get(reverse("calendar_settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_token_or_an_inactive_person_gets_404(client, world):
    assert client.get(reverse("calendar_feed", args=["nope"])).status_code == 404
    make_feed(client, world.office)
    put(world.office, is_active=False)
    token = m.CalendarFeed.objects.get(user=world.office).token
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404


def test_the_liaison_gets_the_units_deadlines_but_never_a_leads(client, world, deadlines):
    make_feed(client, world.unit_liaison)
    calendar, events = feed_of(client, world.unit_liaison)

    assert calendar["X-WR-CALNAME"].endswith(" · 联络员")
    assert sorted((e["DTSTART"], e["DTEND"]) for e in events) == [
        ("20261026", "20261027"),  # the plan, all day on its due date
        ("20261130", "20261201"),  # the item
    ]
    text = " ".join(" ".join(e.values()) for e in events)
    assert "市科学技术局" in text and "市数据局" not in text
    assert SUMMARY not in text
    plan = next(e for e in events if e["DTSTART"] == "20261026")
    assert plan["URL"] == f"https://xunshi.example.org/inspections/{world.inspection.pk}/"
    assert plan["UID"].startswith("deadline-") and plan["UID"].endswith("@xunshi.example.org")


def test_the_receiving_organ_gets_the_lead_it_holds_and_nothing_else(client, world, deadlines):
    make_feed(client, world.organ_desk)
    _calendar, events = feed_of(client, world.organ_desk)
    assert len(events) == 1
    assert "市科学技术局" in events[0]["SUMMARY"] and "2" in events[0]["SUMMARY"]
    assert SUMMARY not in " ".join(events[0].values())
    assert events[0]["URL"].endswith(f"/leads/{deadlines['lead'].pk}/")


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("team_leader", 3),
        ("team_member", 2),
        ("office", 4),
        ("other_team_member", 1),
        ("outsider", 0),
    ],
)
def test_each_role_gets_the_deadlines_it_acts_on_or_watches(client, world, deadlines, role, count):
    user = getattr(world, role)
    make_feed(client, user)
    _calendar, events = feed_of(client, user)
    assert len(events) == count


def test_an_english_reader_gets_english_and_an_overdue_deadline_says_so(client, world, deadlines):
    put(world.unit_liaison, language="en")
    m.CalendarFeed.objects.create(user=world.unit_liaison, token="t" * 43)
    Deadline.objects.filter(kind="plan", object_id=world.inspection.pk).update(status="missed")
    _calendar, events = feed_of(client, world.unit_liaison)
    summaries = sorted(e["SUMMARY"] for e in events)
    assert summaries == [
        "Overdue: Rectification plan: 市科学技术局 · " + str(world.round),
        "Rectification item: 市科学技术局 · item 3",
    ]


def test_the_feed_costs_the_same_few_queries_however_many_deadlines(
    client, world, deadlines, django_assert_max_num_queries
):
    make_feed(client, world.office)
    token = m.CalendarFeed.objects.get(user=world.office).token
    for number in range(10, 40):
        item = f.RectificationItemFactory(inspection=world.other_inspection, number=number)
        deadline_open(
            subject=item,
            kind="item",
            policy_key="item",
            starts_on=datetime.date(2026, 10, 1),
            due_on=ITEM_DUE,
            responsible="unit",
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("calendar_feed", args=[token]))
    assert len(parse(response.content.decode())[1]) == 34


def test_the_notice_event_still_reads_back():
    calendar, events = parse(
        calendar_event(
            uid="notice-1@x",
            summary="巡视组进驻; 第一巡视组, 市科学技术局",
            start="2026-10-15",
            end="2026-12-13",
            description="第一行\n第二行",
        )
    )
    assert calendar["METHOD"] == "PUBLISH"
    assert events == [
        {
            "UID": "notice-1@x",
            "DTSTAMP": events[0]["DTSTAMP"],
            "DTSTART": "20261015",
            "DTEND": "20261214",
            "SUMMARY": "巡视组进驻; 第一巡视组, 市科学技术局",
            "TRANSP": "TRANSPARENT",
            "DESCRIPTION": "第一行\n第二行",
        }
    ]
