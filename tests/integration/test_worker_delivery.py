"""A real Celery worker on the machine's Redis delivers the outbox to a real SMTP server."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import time_machine

from inspections import models as m
from inspections.services.inspections import inspection_give_feedback
from tests import factories as f
from tests.integration.conftest import write_outbox
from workflows.emails import render_message
from workflows.models import Deadline, OutboxMessage, OutboxStatus
from workflows.registry import Recipient
from workflows.sweep import sweep

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DELIVERY_TIMEOUT = 60
# Feedback on a Monday makes the plan due a month later (2026-02-05, a Thursday); a fortnight
# after that the plan is overdue: the sweep turns it red and tells the unit, its party head
# and the office.
FEEDBACK_AT = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=SHANGHAI)
SWEEP_AT = datetime.datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI)
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_delivered_once_as_recorded(mail_server, rows: list[OutboxMessage]) -> dict:
    """Every row sent, each Message-ID exactly once, to the row's address; keyed by Message-ID."""
    delivered = {message.message_id: message for message in mail_server.delivered()}
    counts = mail_server.message_ids()
    assert sorted(counts.values()) == [1] * len(rows), counts
    assert set(delivered) == {row.message_id for row in rows}
    for row in rows:
        row.refresh_from_db()
        message = delivered[row.message_id]
        assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")
        assert row.sent_at is not None
        assert message.envelope_to == (row.recipient_email,)
        assert message.header("X-Outbox-Key") == row.key[:200]
        assert message.html, "the HTML part is missing"
    return delivered


def test_a_real_worker_sends_each_outbox_row_once_in_its_recipients_language(
    machine_broker, mail_server, start_worker, probe_templates
):
    recipients = [
        Recipient(email="liaison@unit.example.org", name="Liaison", language="en"),
        Recipient(email="head@unit.example.org", name="党委书记", language="zh-hans"),
        Recipient(email="office@xunshi.example.org", name="巡视办", language="zh-hans"),
    ]
    start_worker(machine_broker)

    rows = write_outbox(recipients, tag="languages")
    mail_server.wait_for(len(rows), timeout=DELIVERY_TIMEOUT)

    delivered = assert_delivered_once_as_recorded(mail_server, rows)
    by_address = {row.recipient_email: delivered[row.message_id] for row in rows}
    english = by_address["liaison@unit.example.org"]
    assert english.subject.startswith("[probe] due on ")
    assert "(language=en)" in english.text
    for address in ("head@unit.example.org", "office@xunshi.example.org"):
        chinese = by_address[address]
        assert chinese.subject.startswith("[probe] 完成时限 ")
        assert "(language=zh-hans)" in chinese.text
    assert machine_broker.queued() == 0


def give_feedback_in_the_past(world) -> m.Inspection:
    """The world's inspection heard, with a finding; feedback given on FEEDBACK_AT's day."""
    m.Round.objects.filter(pk=world.round.pk).update(state=m.RoundState.MOBILIZED)
    m.Team.objects.filter(pk=world.team.pk).update(state=m.TeamState.AUTHORIZED)
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=m.InspectionState.HEARD)
    world.inspection.refresh_from_db()
    f.FindingFactory(
        inspection=world.inspection,
        number=1,
        title="落实主体责任不到位",
        recorded_by=world.team_leader,
    )
    with time_machine.travel(FEEDBACK_AT, tick=False):
        return inspection_give_feedback(
            inspection=world.inspection, actor=world.office, consent_reference="市委常委会会议"
        )


def test_the_sweep_tells_the_liaison_party_head_and_office_of_an_overdue_plan_by_mail(
    world, machine_broker, mail_server, start_worker
):
    """Depends on the domain's recipients and e-mail templates (inspections/notifications/)."""
    m.User.objects.filter(pk=world.unit_liaison.pk).update(language="en")
    m.Unit.objects.filter(pk=world.unit.pk).update(
        party_head_name="党委书记", party_head_email="party-head@unit.example.org"
    )
    inspection = give_feedback_in_the_past(world)
    plan = Deadline.objects.get(object_id=inspection.pk, kind="plan")
    assert plan.due_on == datetime.date(2026, 2, 5)
    written_before = set(OutboxMessage.objects.values_list("pk", flat=True))
    start_worker(machine_broker)

    report = sweep(now=SWEEP_AT)

    by_sweep = list(OutboxMessage.objects.exclude(pk__in=written_before))
    assert report.messages == len(by_sweep) > 0, "the sweep wrote no e-mail: are recipients known?"
    # The feedback's own e-mails (written by the transition) go out too, each once.
    rows = list(OutboxMessage.objects.order_by("pk"))
    mail_server.wait_for(len(rows), timeout=DELIVERY_TIMEOUT)
    delivered = assert_delivered_once_as_recorded(mail_server, rows)
    red = [row for row in by_sweep if row.deadline_id == plan.pk and ":red:" in row.key]
    addresses = {row.recipient_email for row in red}
    assert {
        world.unit_liaison.email,
        "party-head@unit.example.org",
        world.office.email,
    } <= addresses
    plan.refresh_from_db()
    assert (plan.status, plan.colour) == ("missed", "red")

    (to_liaison,) = [row for row in red if row.recipient_email == world.unit_liaison.email]
    assert to_liaison.language == "en"
    english = delivered[to_liaison.message_id]
    # What the worker sent is what the row renders to, and that is English, not Chinese.
    assert english.subject == render_message(to_liaison).subject
    to_office = next(row for row in red if row.recipient_email == world.office.email)
    assert to_office.language == "zh-hans"
    chinese = delivered[to_office.message_id]
    assert english.subject != chinese.subject
    assert len(CJK.findall(english.subject)) < len(CJK.findall(chinese.subject))
    assert re.search(r"[A-Za-z]{4,}", english.text)
