"""A realistic, reproducible data set at any scale: python -m benchmarks.generate --items N [--seed S].

About one unit per 50 rectification items and one inspection per 20; rounds of up to 100
inspections in two batches, one team per five inspections; every inspection somewhere in its
life (stationed … closed), its items in the states that life implies, and the deadlines those
states imply (live, met or cancelled, coloured as the sweep would have left them at NOW).
It empties the domain's tables of the bench database first (see benchmarks/environment.py).
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from dataclasses import dataclass

from benchmarks import environment

# The instant the data describes; every measurement reasons from it, so runs are comparable.
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 26)
INSPECTIONS_PER_ROUND = 100
INSPECTIONS_PER_TEAM = 5
OFFICE_MEMBERS = 2
LEADING_GROUP_MEMBERS = 3

# How far along the inspections are, weighted: most of a country's items sit in rectifying ones.
STATE_WEIGHTS = {
    "stationed": 4,
    "withdrawn": 2,
    "reported": 2,
    "heard": 2,
    "feedback_given": 4,
    "plan_submitted": 4,
    "rectifying": 60,
    "rectification_reported": 8,
    "rectification_accepted": 4,
    "closed": 10,
}
ORDER = list(STATE_WEIGHTS)
# Days from stationing to each event: the on-site period, report, hearing, feedback, plan…
EVENT_DAY = {
    "stationed": 0,
    "withdrawn": 60,
    "reported": 75,
    "heard": 90,
    "feedback_given": 100,
    "plan_submitted": 125,
    "rectifying": 130,
    "rectification_reported": 190,
    "rectification_accepted": 200,
    "closed": 230,
}
ITEM_WEIGHTS = {
    "rectifying": {
        "open": 25,
        "in_progress": 40,
        "submitted": 10,
        "verified": 5,
        "closed": 15,
        "long_term": 5,
    },
    "rectification_reported": {"verified": 10, "closed": 70, "long_term": 20},
    "rectification_accepted": {"closed": 80, "long_term": 20},
    "closed": {"closed": 90, "long_term": 10},
}
PAST_EVENTS = {"feedback_given", "plan_submitted"}  # items drafted, plan not approved yet


@dataclass
class Summary:
    items: int = 0
    inspections: int = 0
    units: int = 0
    rounds: int = 0
    users: int = 0
    deadlines: int = 0
    live_deadlines: int = 0
    audit_entries: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _reached(state: str, event: str) -> bool:
    return ORDER.index(state) >= ORDER.index(event)


class Generator:
    """Builds every table in memory slices and streams it to the database."""

    def __init__(self, items: int, seed: int):
        from django.contrib.contenttypes.models import ContentType

        from benchmarks.loader import Table
        from inspections import models as m
        from workflows.calendar import WorkingCalendar
        from workflows.models import AuditEntry, Deadline, DeadlinePolicy

        self.m = m
        self.rng = random.Random(seed)
        self.items = items
        self.calendar = WorkingCalendar.load()
        self.policies = {policy.key: policy for policy in DeadlinePolicy.objects.all()}
        self.types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (m.Inspection, m.RectificationItem, m.Lead)
        }
        self.tables = {
            model: Table(model)
            for model in (
                m.User,
                m.LeadingGroupMember,
                m.OfficeMember,
                m.ReceivingOrgan,
                m.Unit,
                m.UnitLiaison,
                m.Term,
                m.Round,
                m.Batch,
                m.Team,
                m.TeamMember,
                m.Inspection,
                m.Finding,
                m.RectificationItem,
                m.Lead,
                Deadline,
                AuditEntry,
            )
        }
        self.Deadline = Deadline
        self.AuditEntry = AuditEntry
        self.ids = {model: 0 for model in self.tables}
        self._due_cache: dict[datetime.date, datetime.date] = {}
        self.summary = Summary(items=items)

    # Rows with explicit ids, so children can name their parents without reading them back.
    def add(self, model, **values) -> int:
        self.ids[model] += 1
        self.tables[model].add(id=self.ids[model], **values)
        return self.ids[model]

    def user(self, username: str, name: str, email: str) -> int:
        return self.add(
            self.m.User,
            password="!",  # unusable: nobody signs in with a generated account
            username=username,
            email=email,
            display_name=name,
            is_active=True,
            date_joined=NOW,
            language="zh-hans",
        )

    def run(self) -> Summary:
        m = self.m
        rng = self.rng
        inspections = max(1, self.items // 20)
        units = max(2, self.items // 50)
        per_round = min(INSPECTIONS_PER_ROUND, units)
        rounds = -(-inspections // per_round)

        for n in range(LEADING_GROUP_MEMBERS):
            user = self.user(f"lg{n}", f"领导小组成员{n}", f"lg{n}@bench.example.org")
            self.add(m.LeadingGroupMember, user_id=user, position="leader" if n == 0 else "member")
        for n in range(OFFICE_MEMBERS):
            user = self.user(f"office{n}", f"巡视办干部{n}", f"office{n}@bench.example.org")
            self.add(m.OfficeMember, user_id=user, title="干部")
        self.organ = self.add(
            m.ReceivingOrgan, name="市纪委监委", route="discipline", email="jw@bench.example.org"
        )
        for n in range(units):
            unit = self.add(
                m.Unit,
                name=f"市直单位{n + 1:06d}",
                party_organisation_kind="leading_party_group",
                category="市直机关",
                email=f"unit{n + 1}@bench.example.org",
                party_head_name=f"书记{n + 1}",
                party_head_email=f"head{n + 1}@bench.example.org",
            )
            user = self.user(f"liaison{unit}", f"联络员{unit}", f"liaison{unit}@bench.example.org")
            self.add(m.UnitLiaison, unit_id=unit, user_id=user)

        # Item counts: each item lands in an inspection far enough along to have a plan.
        states = rng.choices(ORDER, weights=list(STATE_WEIGHTS.values()), k=inspections)
        bearing = [i for i, state in enumerate(states) if _reached(state, "feedback_given")]
        if not bearing:
            states[0] = "rectifying"
            bearing = [0]
        counts = [0] * inspections
        for _ in range(self.items):
            counts[bearing[rng.randrange(len(bearing))]] += 1

        term = None
        made = 0
        for r in range(rounds):
            if r % 20 == 0:
                term = self.add(m.Term, body=f"第{r // 20 + 1}地市委", number=12)
            size = min(per_round, inspections - made)
            round_states = states[made : made + size]
            round_id = self.add(
                m.Round,
                term_id=term,
                number=r % 20 + 1,
                title="",
                state=(
                    "concluded"
                    if all(_reached(s, "feedback_given") for s in round_states)
                    else "mobilized"
                ),
                approved_on=TODAY - datetime.timedelta(days=400),
                mobilized_on=TODAY - datetime.timedelta(days=390),
            )
            batches = [self.add(m.Batch, round_id=round_id, number=b) for b in (1, 2)]
            teams = []
            for t in range(-(-size // INSPECTIONS_PER_TEAM)):
                team = self.add(
                    m.Team,
                    round_id=round_id,
                    number=t + 1,
                    state="authorized",
                    authorized_on=TODAY - datetime.timedelta(days=395),
                )
                seats = []
                for role in ("leader", "deputy", "member"):
                    user = self.user(
                        f"t{team}{role}", f"{role}{team}", f"t{team}{role}@bench.example.org"
                    )
                    self.add(m.TeamMember, team_id=team, user_id=user, role=role)
                    seats.append(user)
                teams.append((team, seats[0]))
            for k in range(size):
                index = made + k
                team, leader = teams[k // INSPECTIONS_PER_TEAM]
                unit = (r * per_round + k) % units + 1
                self.inspection(
                    round_id, batches[k % 2], unit, team, leader, states[index], counts[index]
                )
            made += size

        for table in self.tables.values():
            table.flush()
        self.summary.inspections = inspections
        self.summary.units = units
        self.summary.rounds = rounds
        self.summary.users = self.ids[m.User]
        self.summary.deadlines = self.ids[self.Deadline]
        self.summary.audit_entries = self.ids[self.AuditEntry]
        return self.summary

    def inspection(self, round_id, batch, unit, team, leader, state, item_count) -> None:
        m = self.m
        rng = self.rng
        # Stationed long enough ago to have reached `state`, but not the step after it.
        following = ORDER[ORDER.index(state) + 1] if state != "closed" else None
        span = (EVENT_DAY[following] - EVENT_DAY[state]) if following else 60
        stationed_on = TODAY - datetime.timedelta(days=EVENT_DAY[state] + rng.randrange(span))

        def on(event: str) -> datetime.date | None:
            if not _reached(state, event):
                return None
            return stationed_on + datetime.timedelta(days=EVENT_DAY[event])

        kind = rng.choices(["regular", "look_back", "thematic"], weights=[8, 1, 1])[0]
        inspection = self.add(
            m.Inspection,
            round_id=round_id,
            batch_id=batch,
            unit_id=unit,
            team_id=team,
            kind=kind,
            state=state,
            version=ORDER.index(state) + 3,
            notified_on=stationed_on - datetime.timedelta(days=10),
            planned_stationing_on=stationed_on,
            stationed_on=stationed_on,
            withdrawn_on=on("withdrawn"),
            reported_on=on("reported"),
            heard_on=on("heard"),
            feedback_on=on("feedback_given"),
            consent_reference="市委常委会会议" if on("feedback_given") else "",
            plan_submitted_on=on("plan_submitted"),
            plan_signed_by="单位主要负责人" if on("plan_submitted") else "",
            plan_signed_on=on("plan_submitted"),
            plan_approved_on=on("rectifying"),
            rectification_reported_on=on("rectification_reported"),
            rectification_report="整改报告" if on("rectification_reported") else "",
            principal_report="主要负责人组织落实整改情况报告"
            if on("rectification_reported")
            else "",
            rectification_accepted_on=on("rectification_accepted"),
            grade="fairly_good" if on("rectification_accepted") else "",
            disclosed_on=on("closed"),
            closed_on=on("closed"),
            talks=rng.randrange(50, 300),
            letters_calls_visits=rng.randrange(20, 500),
            documents_reviewed=rng.randrange(100, 2000),
            questionnaires=rng.randrange(0, 400),
        )
        responsible_team = f"第{team}巡视组"
        responsible_unit = f"市直单位{unit:06d}"
        inspection_type = self.types[m.Inspection]
        previous = "notified"
        for event in ORDER:
            if not _reached(state, event):
                break
            self.audit(inspection_type, inspection, leader, event, previous, on(event))
            previous = event

        def deadline(kind, policy, starts_on, responsible, name, *, met_on=None, due_on=None):
            due = due_on or self.due_on(policy, starts_on)
            self.deadline(
                inspection_type, inspection, kind, policy, starts_on, due, responsible, name, met_on
            )

        deadline(
            "on_site",
            "on_site_regular" if kind == "regular" else "on_site_short",
            stationed_on,
            "team",
            responsible_team,
            met_on=on("withdrawn"),
        )
        if on("withdrawn"):
            deadline(
                "report", "report", on("withdrawn"), "team", responsible_team, met_on=on("reported")
            )
        if on("feedback_given"):
            deadline(
                "plan",
                "plan",
                on("feedback_given"),
                "unit",
                responsible_unit,
                met_on=on("plan_submitted"),
            )
            deadline(
                "rectification_report",
                "rectification_report",
                on("feedback_given"),
                "unit",
                responsible_unit,
                met_on=on("rectification_reported"),
            )
        if _reached(state, "heard") and rng.random() < 0.2:
            self.lead(inspection, leader, on("heard"))
        if not item_count:
            return

        findings = []
        for number in range(1, max(1, item_count // 4) + 1):
            findings.append(
                self.add(
                    m.Finding,
                    inspection_id=inspection,
                    number=number,
                    category=rng.choice(["political", "development", "integrity", "organisation"]),
                    title=f"问题{number}：落实主体责任不到位",
                    description="巡视发现的问题描述。",
                    recorded_by_id=leader,
                    recorded_at=datetime.datetime.combine(
                        on("withdrawn") or stationed_on, datetime.time(9), tzinfo=datetime.UTC
                    ),
                )
            )
        weights = ITEM_WEIGHTS.get(state)
        item_type = self.types[m.RectificationItem]
        feedback_on = on("feedback_given")
        for number in range(1, item_count + 1):
            item_state = (
                rng.choices(list(weights), list(weights.values()))[0] if weights else "open"
            )
            due_on = self.calendar.next_working_day(
                feedback_on + datetime.timedelta(days=rng.randrange(60, 240))
            )
            done_on = min(TODAY, due_on - datetime.timedelta(days=rng.randrange(0, 30)))
            reached = ["open", "in_progress", "submitted", "verified", "closed"]
            step = reached.index(item_state) if item_state in reached else 1
            item = self.add(
                m.RectificationItem,
                inspection_id=inspection,
                finding_id=findings[(number - 1) % len(findings)],
                number=number,
                problem=f"问题{(number - 1) % len(findings) + 1}的整改事项{number}",
                measure="建立健全制度，堵塞管理漏洞。",
                responsible_person="分管副局长",
                due_on=due_on,
                state=item_state,
                version=step + 1,
                progress="已完成阶段性整改。" if step >= 1 else "",
                evidence="见附件。" if step >= 2 else "",
                submitted_on=done_on if step >= 2 else None,
                verified_on=done_on if step >= 3 else None,
                closed_on=done_on if step >= 4 else None,
            )
            for transition in ("start", "submit", "verify", "close")[:step]:
                self.audit(item_type, item, leader, transition, "", None)
            if not on("rectifying"):
                continue  # no item deadline until the plan is approved
            self.deadline(
                item_type,
                item,
                "item",
                "item",
                on("rectifying"),
                due_on,
                "unit",
                responsible_unit,
                met_on=done_on if step >= 2 else None,
                cancelled=item_state == "long_term",
            )
            if item_state == "long_term":
                starts = on("rectifying") + datetime.timedelta(days=rng.randrange(0, 60))
                self.deadline(
                    item_type,
                    item,
                    "long_term_progress",
                    "long_term_progress",
                    starts,
                    self.due_on("long_term_progress", starts),
                    "unit",
                    responsible_unit,
                    None,
                )

    def lead(self, inspection: int, leader: int, heard_on: datetime.date) -> None:
        handed_over_on = heard_on + datetime.timedelta(days=10)
        closed = handed_over_on + datetime.timedelta(days=90) < TODAY
        lead = self.add(
            self.m.Lead,
            inspection_id=inspection,
            number=1,
            summary="问题线索摘要。",
            persons_named="某某",
            registered_by_id=leader,
            state="closed" if closed else "handed_over",
            route="discipline",
            receiving_organ_id=self.organ,
            decided_on=heard_on,
            handed_over_on=handed_over_on,
            reported_back_on=handed_over_on + datetime.timedelta(days=80) if closed else None,
            outcome="已处置。" if closed else "",
            closed_on=handed_over_on + datetime.timedelta(days=85) if closed else None,
        )
        self.deadline(
            self.types[self.m.Lead],
            lead,
            "report_back",
            "lead_report_back",
            handed_over_on,
            self.due_on("lead_report_back", handed_over_on),
            "receiving_organ",
            "市纪委监委",
            handed_over_on + datetime.timedelta(days=80) if closed else None,
        )

    def due_on(self, policy_key: str, starts_on: datetime.date) -> datetime.date:
        from workflows.deadlines import due_on_for

        key = (policy_key, starts_on)
        if key not in self._due_cache:
            self._due_cache[key] = due_on_for(self.policies[policy_key], starts_on, self.calendar)
        return self._due_cache[key]

    def deadline(
        self,
        type_id,
        object_id,
        kind,
        policy_key,
        starts_on,
        due_on,
        responsible,
        name,
        met_on,
        *,
        cancelled: bool = False,
    ) -> None:
        from workflows.calendar import end_of_day
        from workflows.deadlines import colour_at, next_action

        policy = self.policies[policy_key]
        due_at = end_of_day(due_on)
        row = self.Deadline(due_at=due_at, overdue_reminders=0, colour="green")
        live = met_on is None and not cancelled
        status, colour, next_action_at, reminders, closed_at = "open", "green", None, 0, None
        if live:
            colour = colour_at(row, policy, NOW)
            if colour == "red":
                status = "missed"
                days = (NOW - due_at).days
                # Reminders went out on overdue days 1, 2, 4, 8 … as the sweep sends them.
                while reminders < 6 and 2 ** (reminders + 1) - 1 <= days:
                    reminders += 1
                row.overdue_reminders = reminders
            next_action_at = next_action(row, policy, NOW)
            if colour == "red":
                # The sweep last wrote at varied times, so the next reminders are spread out.
                gap = next_action_at - NOW
                next_action_at -= gap * self.rng.random() * 0.9
            self.summary.live_deadlines += 1
        else:
            status = "cancelled" if cancelled else "met"
            closed_at = datetime.datetime.combine(
                met_on or TODAY, datetime.time(10), tzinfo=datetime.UTC
            )
        self.add(
            self.Deadline,
            content_type_id=type_id,
            object_id=object_id,
            kind=kind,
            policy_id=policy.pk,
            responsible=responsible,
            responsible_name=name,
            starts_on=starts_on,
            due_on=due_on,
            due_at=due_at,
            status=status,
            colour=colour,
            next_action_at=next_action_at,
            overdue_reminders=reminders,
            closed_at=closed_at,
            created_at=datetime.datetime.combine(starts_on, datetime.time(9), tzinfo=datetime.UTC),
        )

    def audit(self, type_id, object_id, actor, action, from_state, on) -> None:
        self.add(
            self.AuditEntry,
            content_type_id=type_id,
            object_id=object_id,
            action=action,
            from_state=from_state,
            to_state=action,
            actor_id=actor,
            at=datetime.datetime.combine(on or TODAY, datetime.time(9), tzinfo=datetime.UTC),
            note="",
            data={"on": on.isoformat()} if on else {},
        )


def generate(*, items: int, seed: int = 7) -> Summary:
    """Empty the domain's tables and fill them with a data set of `items` rectification items."""
    from django.apps import apps
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from benchmarks.loader import analyze, reset_sequences, wipe
    from workflows.models import AuditEntry, Deadline, OutboxMessage

    started = time.perf_counter()
    domain = list(apps.get_app_config("inspections").get_models())
    with transaction.atomic():
        wipe([OutboxMessage, Deadline, AuditEntry, Session, *domain])
        generator = Generator(items, seed)
        summary = generator.run()
        reset_sequences(list(generator.tables))
    analyze()
    summary.seconds = round(time.perf_counter() - started, 1)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    environment.configure()
    environment.migrate()
    print(generate(items=options.items, seed=options.seed).as_dict())


if __name__ == "__main__":
    main()
