"""Who is told about the inspection work's deadlines and steps, and what they are told.

Three parts, all read by the engine or the hooks, none sending anything itself:
- the deadline adapters (one per model that owns deadlines), which the sweep asks for the
  recipients and the e-mail context of a batch of deadlines, in a constant number of queries;
- `transition_letters`, the after-transition hook that writes the unit's letters (the written
  notice, the feedback, returns and verifications) to the outbox in the deciding transaction;
- `digest_letters`, the daily digest for the leading group and the office.

Leads are confidential: no letter carries a lead's summary, the persons it names or what
was done with it; an e-mail says only that the report on lead N is due.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, When
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inspections.deadlines import RECEIVING_ORGAN, TEAM, UNIT, on_site_policy
from inspections.models import (
    Inspection,
    Lead,
    LeadingGroupMember,
    OfficeMember,
    ReceivingOrgan,
    ReceivingOrganDesk,
    RectificationItem,
    Round,
    TeamMember,
    TeamRole,
    Unit,
    UnitLiaison,
    User,
)
from workflows.deadlines import due_on_for
from workflows.models import LIVE_STATUSES, Colour, Deadline, DeadlinePolicy
from workflows.outbox import Letter, outbox_write
from workflows.subjects import Recipient

DEFAULT_LANGUAGE = "zh-hans"
DIGEST_TOP = 10  # the most overdue deadlines a digest lists

# How dates read in each language: 2026年10月26日 / 26 October 2026.
DATE_FORMATS = {"zh-hans": "Y年n月j日", "en": "j F Y"}


# Small helpers ------------------------------------------------------------------------------


def format_date(day: datetime.date | None, language: str | None = None) -> str:
    """A date as `language` (by default the active language) writes it."""
    if day is None:
        return ""
    language = language or translation.get_language() or DEFAULT_LANGUAGE
    with translation.override(language):  # month names are in the language too
        return dateformat.format(day, DATE_FORMATS.get(language, "Y-m-d"))


def join_list(items: Sequence[str]) -> str:
    """“a, b and c” in English, “a、b和c” in Chinese (translated separator and conjunction)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    separator = pgettext("list separator", ", ")
    return _("%(first)s and %(last)s") % {"first": separator.join(items[:-1]), "last": items[-1]}


def sentences(*parts: str) -> str:
    """Sentences run on: a space after “.”, none after “。” (Chinese sets no space)."""
    text = ""
    for part in parts:
        if not part:
            continue
        if text and not text.endswith(("。", "！", "？", "；", "：")):
            text += " "
        text += part
    return text


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _dedupe(recipients: Iterable[Recipient]) -> list[Recipient]:
    """One recipient per address (the first one named wins), in the order given."""
    seen: set[str] = set()
    unique = []
    for recipient in recipients:
        address = recipient.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            unique.append(recipient)
    return unique


def _person(user: User) -> Recipient | None:
    if not user.email or not user.is_active:
        return None
    return Recipient(email=user.email, name=str(user), language=user.language or DEFAULT_LANGUAGE)


def _mailbox(email: str, name: str) -> list[Recipient]:
    """A body's own address (a unit's, an organ's, a party head's): read in Chinese."""
    return [Recipient(email=email, name=name, language=DEFAULT_LANGUAGE)] if email else []


def inspection_path(inspection_id: int) -> str:
    return f"/inspections/{inspection_id}/"


def lead_path(lead_id: int) -> str:
    return f"/leads/{lead_id}/"


def round_path(round_id: int) -> str:
    return f"/rounds/{round_id}/"


# Who belongs to what: one query per body, whatever the number of deadlines ------------------


class Directory:
    """The people of the units, teams and organs a batch of letters concerns.

    Each body is read in one query on first use, for every id of the batch at once.
    """

    def __init__(
        self,
        *,
        unit_ids: Iterable[int] = (),
        team_ids: Iterable[int] = (),
        organ_ids: Iterable[int] = (),
    ):
        self.unit_ids = {pk for pk in unit_ids if pk}
        self.team_ids = {pk for pk in team_ids if pk}
        self.organ_ids = {pk for pk in organ_ids if pk}

    @staticmethod
    def _grouped(rows: Iterable[tuple[int, User]]) -> dict[int, list[Recipient]]:
        grouped: dict[int, list[Recipient]] = defaultdict(list)
        for key, user in rows:
            recipient = _person(user)
            if recipient is not None:
                grouped[key].append(recipient)
        return grouped

    @cached_property
    def liaisons(self) -> dict[int, list[Recipient]]:
        rows = (
            UnitLiaison.objects.filter(unit_id__in=self.unit_ids)
            .select_related("user")
            .order_by("pk")
        )
        return self._grouped((row.unit_id, row.user) for row in rows)

    @cached_property
    def team_leaders(self) -> dict[int, list[Recipient]]:
        """The leader first, then the deputies."""
        rows = (
            TeamMember.objects.filter(
                team_id__in=self.team_ids, role__in=[TeamRole.LEADER, TeamRole.DEPUTY]
            )
            .select_related("user")
            .order_by("team_id", "-role", "pk")  # "leader" sorts after "deputy"
        )
        return self._grouped((row.team_id, row.user) for row in rows)

    @cached_property
    def desks(self) -> dict[int, list[Recipient]]:
        rows = (
            ReceivingOrganDesk.objects.filter(organ_id__in=self.organ_ids)
            .select_related("user")
            .order_by("pk")
        )
        return self._grouped((row.organ_id, row.user) for row in rows)

    @cached_property
    def office(self) -> list[Recipient]:
        rows = OfficeMember.objects.select_related("user").order_by("pk")
        return self._grouped((0, row.user) for row in rows).get(0, [])

    @cached_property
    def leading_group(self) -> list[Recipient]:
        rows = LeadingGroupMember.objects.select_related("user").order_by("pk")
        return self._grouped((0, row.user) for row in rows).get(0, [])

    # The bodies, by the roles the letters give them.

    def unit(self, unit: Unit) -> list[Recipient]:
        """Every liaison of the unit, and the unit's own address."""
        return [*self.liaisons.get(unit.pk, []), *_mailbox(unit.email, unit.name)]

    def team(self, team_id: int | None) -> list[Recipient]:
        return list(self.team_leaders.get(team_id, [])) if team_id else []

    def organ(self, organ: ReceivingOrgan | None) -> list[Recipient]:
        if organ is None:
            return []
        return [*self.desks.get(organ.pk, []), *_mailbox(organ.email, organ.name)]

    def audience(
        self,
        audience: str,
        responsible: str,
        inspection: Inspection,
        organ: ReceivingOrgan | None = None,
    ) -> list[Recipient]:
        """Who hears of an obligation of `responsible` in the role `audience`."""
        if audience == "office":
            return list(self.office)
        if responsible == "office":  # the office's own obligations answer to the leading group
            return list(self.leading_group if audience == "party_head" else self.office)
        if audience == "responsible":
            if responsible == UNIT:
                return self.unit(inspection.unit)
            if responsible == TEAM:
                return self.team(inspection.team_id)
            if responsible == RECEIVING_ORGAN:
                return self.organ(organ)
        elif audience == "supervisor":
            # The team supervises the unit's rectification; the office supervises the teams
            # and the organs.
            if responsible == UNIT:
                return self.team(inspection.team_id)
            return list(self.office)
        elif audience == "party_head":
            if responsible == UNIT:
                unit = inspection.unit
                return _mailbox(unit.party_head_email, unit.party_head_name or unit.name)
            if responsible == TEAM:
                return list(self.leading_group)
            if responsible == RECEIVING_ORGAN and organ is not None:
                return _mailbox(organ.email, organ.name)
        return []


# What each audience is called in a sentence about who was told --------------------------------


def _audience_phrase(audience: str, responsible: str) -> str:
    """Who an audience other than the responsible party is, for a sentence about who was told."""
    if audience == "office":
        return _("the inspection office")
    if audience == "supervisor":
        return (
            _("the inspection team's leaders")
            if responsible == UNIT
            else _("the inspection office")
        )
    if audience == "party_head":
        if responsible == UNIT:
            return _("the unit's party head")
        if responsible == TEAM:
            return _("the leading group")
        return _("the receiving organ's official mailbox")
    return ""


def _others(audiences: Iterable[str], responsible: str, has_address: Callable[[str], bool]) -> str:
    """The audiences besides the responsible party, as one phrase: “a, b and c”.

    An audience with no address to write to (a unit that has not given its party head's) is
    left out, so a warning never claims someone was told who was not.
    """
    return join_list(
        _unique(
            _audience_phrase(audience, responsible)
            for audience in audiences
            if audience != "responsible" and has_address(audience)
        )
    )


def _escalation(
    deadline: Deadline,
    policy: DeadlinePolicy | None,
    today: datetime.date,
    has_address: Callable[[str], bool],
) -> dict:
    """Who has been told besides the responsible party, and what happens if it is not done."""
    also_told = if_not = ""
    if policy is not None:
        colour = str(deadline.colour)
        yellow_people = _others(policy.yellow_audiences, deadline.responsible, has_address)
        red_people = _others(policy.red_audiences, deadline.responsible, has_address)
        if colour == Colour.RED:
            if red_people:
                also_told = _("This warning also went to %(people)s.") % {"people": red_people}
            if_not = _("The inspection office will issue a supervision notice (督办).")
        elif colour == Colour.YELLOW:
            if yellow_people:
                also_told = _("This warning also went to %(people)s.") % {"people": yellow_people}
            if red_people:
                if_not = _(
                    "If it is not done by %(date)s, it turns red and %(people)s will be told."
                ) % {"date": format_date(deadline.due_on), "people": red_people}
        elif yellow_people:
            yellow_on = deadline.due_on - datetime.timedelta(days=policy.yellow_days)
            if_not = _(
                "If it is still open on %(date)s, it turns yellow and %(people)s will be told."
            ) % {"date": format_date(max(yellow_on, today)), "people": yellow_people}
    return {"also_told": also_told, "if_not": if_not, "escalation": sentences(also_told, if_not)}


def _party_head_has_address(
    responsible: str, inspection: Inspection, organ: ReceivingOrgan | None
) -> Callable[[str], bool]:
    """Whether an audience has an address, as far as the rows already read can tell."""

    def has_address(audience: str) -> bool:
        if audience != "party_head":
            return True
        if responsible == UNIT:
            return bool(inspection.unit.party_head_email)
        if responsible == RECEIVING_ORGAN:
            return bool(organ is not None and organ.email)
        return True

    return has_address


# The deadline adapters -----------------------------------------------------------------------


def _what(kind: str, number: int | None = None, *, immediate: bool = False) -> str:
    """What is due, as a noun phrase that fits “… is due on …”."""
    if kind == "item":
        if immediate:
            return _("immediate-rectification item %(number)s") % {"number": number}
        return _("rectification item %(number)s") % {"number": number}
    if kind == "long_term_progress":
        return _("a progress report on long-term item %(number)s") % {"number": number}
    if kind == "report_back":
        return _("the report on how lead %(number)s was handled") % {"number": number}
    labels = {
        "on_site": _("the end of the on-site period"),
        "report": _("the inspection report"),
        "plan": _("the rectification plan"),
        "rectification_report": _("the rectification report and the principal leader's report"),
    }
    return labels.get(kind, kind.replace("_", " "))


def _inspection_facts(inspection: Inspection) -> dict:
    """The names every letter about an inspection carries."""
    return {
        "round": str(inspection.round),
        "unit": inspection.unit.name,
        "team": str(inspection.team) if inspection.team_id else "",
        "inspection_kind": str(inspection.get_kind_display()),
        "path": inspection_path(inspection.pk),
    }


class _DeadlineAdapter:
    """Recipients and context for the deadlines of one model, batched."""

    model: type[models.Model]
    related: tuple[str, ...] = ()

    def inspection_of(self, subject: Any) -> Inspection:
        raise NotImplementedError

    def organ_of(self, subject: Any) -> ReceivingOrgan | None:
        return None

    def describe(self, subject: Any, deadline: Deadline) -> dict:
        """The subject's description, what is due and the link (in the active language)."""
        raise NotImplementedError

    def _subjects(self, deadlines: Sequence[Deadline]) -> dict[int, Any]:
        ids = {deadline.object_id for deadline in deadlines}
        return self.model.objects.select_related(*self.related).in_bulk(ids)

    def recipients(
        self, deadlines: Sequence[Deadline], audience: str
    ) -> dict[int, list[Recipient]]:
        """Each deadline's recipients for an audience, de-duplicated by address."""
        subjects = self._subjects(deadlines)
        inspections = {pk: self.inspection_of(subject) for pk, subject in subjects.items()}
        directory = Directory(
            unit_ids=(inspection.unit_id for inspection in inspections.values()),
            team_ids=(inspection.team_id for inspection in inspections.values()),
            organ_ids=(getattr(self.organ_of(s), "pk", None) for s in subjects.values()),
        )
        found: dict[int, list[Recipient]] = {}
        for deadline in deadlines:
            subject = subjects.get(deadline.object_id)
            if subject is None:
                found[deadline.pk] = []
                continue
            found[deadline.pk] = _dedupe(
                directory.audience(
                    audience,
                    deadline.responsible,
                    inspections[deadline.object_id],
                    self.organ_of(subject),
                )
            )
        return found

    def context(
        self,
        deadlines: Sequence[Deadline],
        language: str,
        now: datetime.datetime | None = None,
    ) -> dict[int, dict]:
        """Each deadline's e-mail context, JSON-safe, in `language`.

        Days left and overdue count from `now` (the sweep's instant when it passes one).
        """
        subjects = self._subjects(deadlines)
        policies = DeadlinePolicy.objects.in_bulk({deadline.policy_id for deadline in deadlines})
        today = timezone.localdate(now) if now is not None else timezone.localdate()
        contexts: dict[int, dict] = {}
        with translation.override(language):
            for deadline in deadlines:
                subject = subjects.get(deadline.object_id)
                if subject is None:
                    continue
                inspection = self.inspection_of(subject)
                has_address = _party_head_has_address(
                    deadline.responsible, inspection, self.organ_of(subject)
                )
                contexts[deadline.pk] = {
                    **_inspection_facts(inspection),
                    **self.describe(subject, deadline),
                    **_deadline_facts(deadline, today),
                    **_escalation(deadline, policies.get(deadline.policy_id), today, has_address),
                }
        return contexts


def _deadline_facts(deadline: Deadline, today: datetime.date) -> dict:
    overdue = max((today - deadline.due_on).days, 0)
    return {
        "kind": deadline.kind,
        "responsible": deadline.responsible,
        "responsible_name": deadline.responsible_name,
        "due_on": format_date(deadline.due_on),
        "due_on_iso": deadline.due_on.isoformat(),
        "days_left": max((deadline.due_on - today).days, 0),
        "days_overdue": overdue,
        "overdue": overdue > 0,
        "colour": str(deadline.colour),
        "extended": deadline.extensions > 0,
    }


class InspectionDeadlines(_DeadlineAdapter):
    """On-site period and report (the team's), plan and rectification report (the unit's)."""

    model = Inspection
    related = ("round__term", "unit", "team")

    def inspection_of(self, subject: Inspection) -> Inspection:
        return subject

    def describe(self, subject: Inspection, deadline: Deadline) -> dict:
        return {
            "subject_type": "inspection",
            "subject": str(subject),
            "what": _what(deadline.kind),
            "detail": "",
        }


class ItemDeadlines(_DeadlineAdapter):
    """A rectification item's due date and a long-term item's periodic progress report."""

    model = RectificationItem
    related = ("inspection__round__term", "inspection__unit", "inspection__team")

    def inspection_of(self, subject: RectificationItem) -> Inspection:
        return subject.inspection

    def describe(self, subject: RectificationItem, deadline: Deadline) -> dict:
        return {
            "subject_type": "item",
            "subject": _("Rectification item %(number)s: %(problem)s")
            % {"number": subject.number, "problem": subject.problem},
            "what": _what(deadline.kind, subject.number, immediate=subject.is_immediate),
            "detail": subject.problem,
        }


class LeadDeadlines(_DeadlineAdapter):
    """A receiving organ's report-back on a lead: the number only, never what the lead says."""

    model = Lead
    related = ("inspection__round__term", "inspection__unit", "inspection__team", "receiving_organ")

    def inspection_of(self, subject: Lead) -> Inspection:
        return subject.inspection

    def organ_of(self, subject: Lead) -> ReceivingOrgan | None:
        return subject.receiving_organ

    def describe(self, subject: Lead, deadline: Deadline) -> dict:
        return {
            "subject_type": "lead",
            "subject": _("Lead %(number)d") % {"number": subject.number},
            "what": _what(deadline.kind, subject.number),
            "detail": "",  # never the summary or the persons named
            "path": lead_path(subject.pk),
        }


# Letters on transitions -----------------------------------------------------------------------


def _by_language(recipients: Sequence[Recipient], build: Callable[[], dict]) -> dict[str, dict]:
    """The context built once per language the recipients read."""
    contexts = {}
    for language in _unique(recipient.language for recipient in recipients):
        with translation.override(language):
            contexts[language] = build()
    return contexts


def _live_due_dates(subject: models.Model, kinds: Sequence[str]) -> dict[str, datetime.date]:
    rows = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        kind__in=kinds,
        status__in=LIVE_STATUSES,
    ).values_list("kind", "due_on")
    return dict(rows)


def _notice(inspection: Inspection) -> tuple[str, Callable[[], dict]]:
    """The written notice: who comes, when, and for how long (with a calendar entry)."""
    starts_on = inspection.planned_stationing_on
    policy = DeadlinePolicy.objects.get(key=on_site_policy(inspection))
    ends_on = due_on_for(policy, starts_on) if starts_on else None

    def build() -> dict:
        facts = _inspection_facts(inspection)
        context = {
            **facts,
            "notified_on": format_date(inspection.notified_on),
            "stationing_on": format_date(starts_on),
            "on_site_ends_on": format_date(ends_on),
        }
        if starts_on and ends_on:
            context["ics"] = {
                "uid": f"inspection-{inspection.pk}-on-site@xunshi",
                "summary": _("%(team)s stationed at %(unit)s")
                % {"team": facts["team"], "unit": facts["unit"]},
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
                "description": _("%(round)s: the on-site period of %(team)s at %(unit)s.")
                % {"round": facts["round"], "team": facts["team"], "unit": facts["unit"]},
                "location": facts["unit"],
            }
        return context

    return "emails/notice", build


def _feedback(inspection: Inspection) -> tuple[str, Callable[[], dict]]:
    """The problem list and the two clocks feedback starts (plan: 1 month, report: 2)."""
    findings = list(inspection.findings.order_by("number"))
    due = _live_due_dates(inspection, ["plan", "rectification_report"])

    def build() -> dict:
        return {
            **_inspection_facts(inspection),
            "feedback_on": format_date(inspection.feedback_on),
            "findings": [
                {
                    "number": finding.number,
                    "category": str(finding.get_category_display()),
                    "title": finding.title,
                }
                for finding in findings
            ],
            "plan_due_on": format_date(due.get("plan")),
            "report_due_on": format_date(due.get("rectification_report")),
        }

    return "emails/feedback", build


def _plan_returned(inspection: Inspection) -> tuple[str, Callable[[], dict]]:
    due = _live_due_dates(inspection, ["plan"])

    def build() -> dict:
        due_on = due.get("plan")
        return {
            **_inspection_facts(inspection),
            "reason": inspection.returned_reason,
            "plan_due_on": format_date(due_on),
            "plan_overdue": bool(due_on and due_on < timezone.localdate()),
        }

    return "emails/plan_returned", build


def _item_facts(item: RectificationItem) -> dict:
    return {
        **_inspection_facts(item.inspection),
        "item_number": item.number,
        "problem": item.problem,
        "what": _what("item", item.number, immediate=item.is_immediate),
    }


def _item_returned(item: RectificationItem) -> tuple[str, Callable[[], dict]]:
    due = _live_due_dates(item, ["item", "long_term_progress"])

    def build() -> dict:
        return {
            **_item_facts(item),
            "reason": item.returned_reason,
            "due_on": format_date(due.get("item") or due.get("long_term_progress")),
        }

    return "emails/item_returned", build


def _item_verified(item: RectificationItem) -> tuple[str, Callable[[], dict]]:
    def build() -> dict:
        return {**_item_facts(item), "verified_on": format_date(item.verified_on)}

    return "emails/item_verified", build


# (model, transition) → the letter to the unit. Nothing else writes to anyone.
TRANSITION_LETTERS: dict[tuple[type, str], Callable[[Any], tuple[str, Callable[[], dict]]]] = {
    (Inspection, "notify"): _notice,
    (Inspection, "give_feedback"): _feedback,
    (Inspection, "return_plan"): _plan_returned,
    (RectificationItem, "return_item"): _item_returned,
    (RectificationItem, "verify"): _item_verified,
}


def transition_letters(
    *, instance: models.Model, name: str, source: str = "", target: str = "", **_event: Any
) -> None:
    """The after-transition hook: write the unit's letter for the steps that have one.

    Runs inside the transition's transaction, so a rolled-back step writes nothing. The key
    names the event (the row's new version), so running the hook twice writes one letter.
    """
    letter_for = TRANSITION_LETTERS.get((type(instance), name))
    if letter_for is None:
        return
    inspection = getattr(instance, "inspection", instance)
    recipients = _dedupe(Directory(unit_ids=[inspection.unit_id]).unit(inspection.unit))
    if not recipients:
        return
    template, build = letter_for(instance)
    contexts = _by_language(recipients, build)
    label = instance._meta.label_lower
    outbox_write(
        [
            Letter(
                key=f"transition:{label}:{instance.pk}:{name}:{instance.version}:{recipient.email}",
                template=template,
                recipient=recipient,
                context=contexts[recipient.language],
            )
            for recipient in recipients
        ]
    )


# The daily digest -----------------------------------------------------------------------------

_ADAPTERS: dict[type[models.Model], _DeadlineAdapter] = {
    Inspection: InspectionDeadlines(),
    RectificationItem: ItemDeadlines(),
    Lead: LeadDeadlines(),
}


def _round_of_subject(types: dict[type[models.Model], ContentType]) -> Case:
    """SQL: the round of a deadline's subject, whichever of the three models it is."""
    path = {
        Inspection: "round_id",
        RectificationItem: "inspection__round_id",
        Lead: "inspection__round_id",
    }
    return Case(
        *(
            When(
                content_type=content_type,
                then=Subquery(
                    model.objects.filter(pk=OuterRef("object_id")).values(path[model])[:1]
                ),
            )
            for model, content_type in types.items()
        ),
        output_field=IntegerField(),
    )


def digest_recipients() -> list[tuple[User, Recipient]]:
    """Every active leading-group and office member with an e-mail address, once each."""
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(leading_group_membership__isnull=False) | Q(office_membership__isnull=False))
        .distinct()
        .order_by("pk")
    )
    found = []
    seen: set[str] = set()
    for user in users:
        recipient = _person(user)
        if recipient is not None and recipient.email.lower() not in seen:
            seen.add(recipient.email.lower())
            found.append((user, recipient))
    return found


def digest_facts(now: datetime.datetime | None = None) -> dict:
    """The day's warnings, counted in SQL: per round, red and yellow; the most overdue."""
    now = now or timezone.now()
    types = ContentType.objects.get_for_models(Inspection, RectificationItem, Lead)
    warned = Deadline.objects.filter(
        status__in=LIVE_STATUSES,
        colour__in=[Colour.RED, Colour.YELLOW],
        content_type__in=list(types.values()),
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0})
    rows = (
        warned.annotate(round_id=_round_of_subject(types))
        .values_list("round_id", "colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for round_id, colour, n in rows:
        if round_id is not None:
            counts[round_id][colour] += n
    rounds = Round.objects.select_related("term").in_bulk(list(counts))
    overdue = list(
        warned.filter(colour=Colour.RED, due_at__lte=now).order_by("due_on", "pk")[:DIGEST_TOP]
    )
    return {
        "counts": {pk: counts[pk] for pk in counts if pk in rounds},
        "rounds": rounds,
        "overdue": overdue,
        "subjects": _digest_subjects(overdue, types),
    }


def _digest_subjects(
    deadlines: Sequence[Deadline], types: dict[type[models.Model], ContentType]
) -> dict[int, tuple[_DeadlineAdapter, Any]]:
    """deadline pk → (adapter, subject), one query per model."""
    by_type: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in deadlines:
        by_type[deadline.content_type_id].append(deadline)
    found = {}
    for model, content_type in types.items():
        rows = by_type.get(content_type.pk)
        if not rows:
            continue
        adapter = _ADAPTERS[model]
        subjects = adapter._subjects(rows)
        for deadline in rows:
            if deadline.object_id in subjects:
                found[deadline.pk] = (adapter, subjects[deadline.object_id])
    return found


def digest_context(facts: dict, day: datetime.date, language: str) -> dict:
    """The digest in one language: JSON-safe."""
    with translation.override(language):
        rounds = sorted(facts["rounds"].values(), key=lambda r: (-r.term.number, -r.number, r.pk))
        overdue = []
        for deadline in facts["overdue"]:
            found = facts["subjects"].get(deadline.pk)
            if found is None:
                continue
            adapter, subject = found
            inspection = adapter.inspection_of(subject)
            described = adapter.describe(subject, deadline)
            overdue.append(
                {
                    "what": described["what"],
                    "subject": described["subject"],
                    "detail": described["detail"],
                    "unit": inspection.unit.name,
                    "round": str(inspection.round),
                    "due_on": format_date(deadline.due_on),
                    "days_overdue": max((day - deadline.due_on).days, 0),
                    "path": described.get("path", inspection_path(inspection.pk)),
                }
            )
        by_round = [
            {
                "title": str(round_),
                "red": facts["counts"][round_.pk]["red"],
                "yellow": facts["counts"][round_.pk]["yellow"],
                "path": round_path(round_.pk),
            }
            for round_ in rounds
        ]
        return {
            "date": format_date(day),
            "date_iso": day.isoformat(),
            "red": sum(row["red"] for row in by_round),
            "yellow": sum(row["yellow"] for row in by_round),
            "rounds": by_round,
            "overdue": overdue,
            "path": "/",
        }


def digest_letters(day: datetime.date, now: datetime.datetime | None = None) -> list[Letter]:
    """One digest per leading-group and office member for `day`, if anything is red or yellow.

    The leading group and the office see every round (DESIGN.md §5), so each reads the same
    figures, in their own language.
    """
    facts = digest_facts(now)
    if not any(c["red"] or c["yellow"] for c in facts["counts"].values()):
        return []
    people = digest_recipients()
    contexts: dict[str, dict] = {}
    letters = []
    for user, recipient in people:
        if recipient.language not in contexts:
            contexts[recipient.language] = digest_context(facts, day, recipient.language)
        letters.append(
            Letter(
                key=f"digest:{day.isoformat()}:{user.pk}",
                template="emails/digest",
                recipient=recipient,
                context=contexts[recipient.language],
            )
        )
    return letters


__all__ = [
    "Directory",
    "InspectionDeadlines",
    "ItemDeadlines",
    "LeadDeadlines",
    "digest_letters",
    "format_date",
    "transition_letters",
]
