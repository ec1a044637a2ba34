"""Demo data: the seed's real round, run through the real services to a spread of states."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from inspections import models as m
from inspections.announcement import parse_announcement
from inspections.services import findings as finding_services
from inspections.services import inspections as inspection_services
from inspections.services import leads as lead_services
from inspections.services import rectification as item_services
from inspections.services import rounds as round_services
from inspections.services import teams as team_services
from inspections.services.announcements import announcement_import

ANNOUNCEMENT = Path(__file__).with_name("announcement.txt")
PASSWORD = "xunshi-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# Dates of each event for inspections that got as far as they did; all in 2026, the
# seed's year (mobilisation meeting on 11 April).
SCHEDULES = {
    "early": {"notify": "2026-11-20"},
    "on_site": {"notify": "2026-10-12", "station": "2026-10-15"},
    "withdrawn": {"notify": "2026-08-06", "station": "2026-08-10", "withdraw": "2026-10-09"},
    "reported": {
        "notify": "2026-06-28",
        "station": "2026-07-01",
        "withdraw": "2026-08-30",
        "submit_report": "2026-09-18",
    },
    "heard": {
        "notify": "2026-05-18",
        "station": "2026-05-20",
        "withdraw": "2026-07-19",
        "submit_report": "2026-08-10",
        "hear_report": "2026-09-10",
    },
    "main": {
        "notify": "2026-04-12",
        "station": "2026-04-14",
        "withdraw": "2026-06-13",
        "submit_report": "2026-07-03",
        "hear_report": "2026-07-20",
        "give_feedback": "2026-09-25",
        "submit_plan": "2026-10-20",
        "approve_plan": "2026-10-28",
        "submit_rectification_report": "2026-11-20",
        "accept_rectification_report": "2026-11-24",
        "close": "2026-11-25",
    },
}

# Where each announced unit stands today, in the announcement's order.
TARGETS = [
    ("rectifying", "main"),  # 市纪委监委机关
    ("rectifying", "main"),  # 市委组织部
    ("closed", "main"),  # 市委老干部局
    ("rectifying", "main"),  # 市科学技术局
    ("plan_submitted", "main"),  # 天津医学健康研究院
    ("feedback_given", "main"),  # 市科学技术发展战略研究院: plan overdue
    ("feedback_given", "main"),  # 市科技创新发展中心
    ("rectification_reported", "main"),  # 天津华北地质勘查局
    ("heard", "heard"),  # 市地质矿产勘查开发局
    ("heard", "heard"),  # 市农业农村委员会
    ("reported", "reported"),  # 市农业发展服务中心
    ("reported", "reported"),  # 市农村社会事业发展服务中心
    ("withdrawn", "withdrawn"),  # 市农业科学院
    ("withdrawn", "withdrawn"),  # 市供销合作总社
    ("stationed", "on_site"),  # 市数据局
    ("stationed", "on_site"),  # 市数据发展中心
    ("notified", "early"),  # 市投资促进局
    ("rectifying", "main"),  # 天津港（集团）有限公司 (look-back)
    ("rectification_accepted", "main"),  # 市公安局交通管理总队 (look-back)
]

UNIT_NAMES = [
    "市纪委监委机关",
    "市委组织部",
    "市委老干部局",
    "市科学技术局",
    "天津医学健康研究院",
    "市科学技术发展战略研究院",
    "市科技创新发展中心",
    "天津华北地质勘查局",
    "市地质矿产勘查开发局",
    "市农业农村委员会",
    "市农业发展服务中心",
    "市农村社会事业发展服务中心",
    "市农业科学院",
    "市供销合作总社",
    "市数据局",
    "市数据发展中心",
    "市投资促进局",
    "天津港（集团）有限公司",
    "市公安局交通管理总队",
]

FINDINGS = [
    ("political", "贯彻落实市委重大决策部署不够到位"),
    ("integrity", "落实中央八项规定精神不够严格,公务接待管理不规范"),
    ("organisation", "干部选拔任用程序执行不严格"),
]

# Item due dates: one past due, one within ten days, one months away.
ITEM_DUE = ["2026-11-20", "2026-12-03", "2027-03-31"]

TEAM_COUNT = 4


def load_demo() -> tuple[list[DemoUser], bool]:
    """Load the demo once; return its users and whether anything was created."""
    users = _users()
    round_ = m.Round.objects.filter(term__body="市委", term__number=12, number=6).first()
    if round_ is not None and round_.teams.exists():
        return users, False
    with transaction.atomic():
        _people(users)
        announcement = parse_announcement(ANNOUNCEMENT.read_text(encoding="utf-8"))
        round_ = announcement_import(announcement=announcement).round
        _run_round(round_, users)
    return users, True


def _users() -> list[DemoUser]:
    users = [
        DemoUser("lingdao", "周建国(领导小组组长)", "leading_group"),
        DemoUser("lingdao2", "吴文华(领导小组副组长)", "leading_group"),
        DemoUser("xunshiban", "李晓梅(巡视办)", "office"),
    ]
    for n in range(1, TEAM_COUNT + 1):
        users += [
            DemoUser(f"zuzhang{n}", f"第{m.chinese_numeral(n)}巡视组组长", f"team{n}:leader"),
            DemoUser(f"fuzuzhang{n}", f"第{m.chinese_numeral(n)}巡视组副组长", f"team{n}:deputy"),
            DemoUser(f"zuyuan{n}", f"第{m.chinese_numeral(n)}巡视组组员", f"team{n}:member"),
        ]
    users += [
        DemoUser(f"lianluo{n:02d}", f"{unit}联络员", f"liaison:{unit}")
        for n, unit in enumerate(UNIT_NAMES, start=1)
    ]
    users += [
        DemoUser("jiwei", "市纪委监委承办人", "organ:市纪委监委"),
        DemoUser("zuzhibu", "市委组织部干部监督处承办人", "organ:市委组织部干部监督处"),
    ]
    return users


def _people(users: list[DemoUser]) -> None:
    password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
    for user in users:
        account, _created = m.User.objects.get_or_create(
            username=user.username,
            defaults={
                "display_name": user.name,
                "email": f"{user.username}@example.org",
                "password": password,
                # The office keeps the reference data (units, people, policies) in the admin.
                "is_staff": user.role == "office",
            },
        )
        if user.role == "leading_group":
            position = "leader" if user.username == "lingdao" else "deputy"
            m.LeadingGroupMember.objects.get_or_create(
                user=account, defaults={"position": position}
            )
        elif user.role == "office":
            m.OfficeMember.objects.get_or_create(user=account, defaults={"title": "综合处"})
    m.ReceivingOrgan.objects.get_or_create(
        name="市纪委监委", defaults={"route": m.Route.DISCIPLINE, "email": "jiwei@example.org"}
    )
    m.ReceivingOrgan.objects.get_or_create(
        name="市委组织部干部监督处",
        defaults={"route": m.Route.ORGANISATION, "email": "zuzhibu@example.org"},
    )
    for user in users:
        kind, _, name = user.role.partition(":")
        if kind == "organ":
            m.ReceivingOrganDesk.objects.get_or_create(
                organ=m.ReceivingOrgan.objects.get(name=name),
                user=m.User.objects.get(username=user.username),
            )


def _actor(username: str) -> m.User:
    return m.User.objects.get(username=username)


def _run_round(round_: m.Round, users: list[DemoUser]) -> None:
    office, leader = _actor("xunshiban"), _actor("lingdao")
    teams = []
    for n in range(1, TEAM_COUNT + 1):
        team = team_services.team_create(round_=round_, actor=office, number=n)
        for role, prefix in (("leader", "zuzhang"), ("deputy", "fuzuzhang"), ("member", "zuyuan")):
            team = team_services.team_member_add(
                team=team, actor=office, user=_actor(f"{prefix}{n}"), role=role
            )
        teams.append(team)
    inspections = list(round_.inspections.select_related("unit").order_by("pk"))
    for i, inspection in enumerate(inspections):
        inspection_services.inspection_assign_team(
            inspection=inspection, actor=office, team=teams[i % TEAM_COUNT]
        )
    _liaisons(users)
    # A member who once worked at a unit another team inspects: recorded, no conflict.
    m.Affiliation.objects.get_or_create(
        user=_actor("zuyuan1"),
        unit=inspections[1].unit,
        defaults={"kind": m.AffiliationKind.PAST_POST, "detail": "2019—2021年任职"},
    )
    round_.refresh_from_db()
    round_ = round_services.round_approve(round_=round_, actor=leader, on=d("2026-04-03"))
    for team in teams:
        team.refresh_from_db()
        team_services.team_authorize(team=team, actor=leader, on=d("2026-04-08"))
    round_services.round_mobilize(round_=round_, actor=office, on=d("2026-04-11"))
    for inspection, (target, schedule) in zip(inspections, TARGETS, strict=True):
        inspection.refresh_from_db()
        _advance(inspection, target, SCHEDULES[schedule])


def _liaisons(users: list[DemoUser]) -> None:
    for user in users:
        kind, _, unit_name = user.role.partition(":")
        if kind == "liaison":
            unit = m.Unit.objects.get(name=unit_name)
            m.UnitLiaison.objects.get_or_create(user=_actor(user.username), defaults={"unit": unit})
            m.Unit.objects.filter(pk=unit.pk, email="").update(email=f"{user.username}@example.org")


ORDER = [s.value for s in m.InspectionState if s != m.InspectionState.CANCELLED]


def _reached(target: str, step: str) -> bool:
    """Whether an inspection headed for `target` must take the step that leads to `step`."""
    return ORDER.index(target) >= ORDER.index(step)


def _advance(inspection: m.Inspection, target: str, dates: dict[str, str]) -> None:
    """Walk one inspection through the services, as its people would, up to `target`."""
    n = inspection.team.number
    office, lg = _actor("xunshiban"), _actor("lingdao")
    team_leader, member = _actor(f"zuzhang{n}"), _actor(f"zuyuan{n}")
    liaison = m.User.objects.get(unit_liaison__unit=inspection.unit)
    svc = inspection_services

    def on(name: str) -> datetime.date:
        return d(dates[name])

    def step(state: str, service, actor, when: str | datetime.date, **kwargs) -> bool:
        """Take the step if the target lies at or beyond it; `when` names its date."""
        nonlocal inspection
        if not _reached(target, state):
            return False
        kwargs["on"] = when if isinstance(when, datetime.date) else on(when)
        inspection = service(inspection=inspection, actor=actor, **kwargs)
        return True

    arrival = d(dates["station"]) if "station" in dates else None  # the notice names the day
    if not step("notified", svc.inspection_notify, office, "notify", stationing_on=arrival):
        return
    if not step("stationed", svc.inspection_station, team_leader, "station"):
        return
    for category, title in FINDINGS:
        finding_services.finding_record(
            inspection=inspection, actor=member, category=category, title=title
        )
    if inspection.pk % 3 == 0:
        lead_services.lead_register(
            inspection=inspection,
            actor=team_leader,
            summary="反映该单位某处室负责人违规收受管理服务对象礼金",
            persons_named="某处长",
        )
    withdraw_on = "withdraw"
    if inspection.kind == m.InspectionKind.LOOK_BACK and "give_feedback" in dates:
        withdraw_on = d("2026-05-14")  # a look-back is on site 30 days, not 60
    if not step("withdrawn", svc.inspection_withdraw, team_leader, withdraw_on):
        return
    if not step("reported", svc.inspection_submit_report, team_leader, "submit_report"):
        return
    if not step("heard", svc.inspection_hear_report, lg, "hear_report"):
        return
    _decide_leads(inspection, on("hear_report"))
    if not step(
        "feedback_given",
        svc.inspection_give_feedback,
        office,
        "give_feedback",
        consent_reference="市委书记专题会议(2026年9月)",
    ):
        return
    for finding, due in zip(inspection.findings.order_by("number"), ITEM_DUE, strict=True):
        item_services.plan_item_add(
            inspection=inspection,
            actor=liaison,
            finding=finding,
            measure=f"针对“{finding.title}”,制定整改措施,完善制度机制",
            responsible_person="单位主要负责人",
            due_on=d(due),
        )
    if not step(
        "plan_submitted",
        svc.inspection_submit_plan,
        liaison,
        "submit_plan",
        signed_by="单位党委书记",
        signed_on=on("submit_plan"),
    ):
        return
    if not step("rectifying", svc.inspection_approve_plan, office, "approve_plan"):
        return
    _work_items(inspection, liaison, team_leader, office, finish=target != "rectifying")
    inspection.refresh_from_db()
    if not step(
        "rectification_reported",
        svc.inspection_submit_rectification_report,
        liaison,
        "submit_rectification_report",
        report="一、整改工作总体情况……二、问题整改情况……三、下一步工作打算……",
        principal_report="作为第一责任人,本人牵头组织整改……",
    ):
        return
    if not step(
        "rectification_accepted",
        svc.inspection_accept_rectification_report,
        office,
        "accept_rectification_report",
    ):
        return
    inspection = svc.inspection_grade(inspection=inspection, actor=office, grade="fairly_good")
    inspection = svc.inspection_record_disclosure(
        inspection=inspection, actor=office, reference="市纪委监委网站 2026-11-25", on=on("close")
    )
    step("closed", svc.inspection_close, office, "close")


def _decide_leads(inspection: m.Inspection, on: datetime.date) -> None:
    organ = m.ReceivingOrgan.objects.get(name="市纪委监委")
    for lead in inspection.leads.all():
        lead = lead_services.lead_decide(
            lead=lead, actor=_actor("lingdao"), route="discipline", receiving_organ=organ, on=on
        )
        lead_services.lead_hand_over(lead=lead, actor=_actor("xunshiban"), on=on)


def _work_items(inspection, liaison, team_leader, office, *, finish: bool) -> None:
    """A unit still rectifying is late with its first item (due 20 November: red), has sent
    its second for verification and not started its third; a finished unit's items are
    signed off or long-term."""
    for item in inspection.items.order_by("number"):
        if not finish and item.number == 3:
            continue  # not started yet
        item = item_services.item_start(item=item, actor=liaison)
        if not finish and item.number == 1:
            continue  # in progress, past due
        if finish and item.number == 3:
            item_services.item_mark_long_term(
                item=item, actor=office, reason="涉及体制机制改革,需长期推进"
            )
            continue
        item = item_services.item_submit(
            item=item,
            actor=liaison,
            progress="已完成整改,建立长效机制",
            evidence="制度文件、会议纪要",
            on=d("2026-11-18"),
        )
        if not finish:
            continue  # waiting for verification
        item = item_services.item_verify(item=item, actor=team_leader, on=d("2026-11-19"))
        item_services.item_close(item=item, actor=office, on=d("2026-11-19"))
