"""The deadline adapters the sweep asks for recipients and e-mail context."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.deadlines import RECEIVING_ORGAN, TEAM, UNIT, responsible_name
from inspections.models import (
    Inspection,
    Lead,
    ReceivingOrgan,
    RectificationItem,
)
from inspections.notifications.common import (
    dedupe,
    format_date,
    inspection_path,
    join_list,
    lead_path,
    sentences,
    unique,
)
from inspections.notifications.directory import Directory
from workflows.models import Colour, Deadline, DeadlinePolicy
from workflows.registry import Recipient

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
        unique(
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


def what_is_due(kind: str, number: int | None = None, *, immediate: bool = False) -> str:
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


def inspection_facts(inspection: Inspection) -> dict:
    """The names every letter about an inspection carries."""
    return {
        "round": str(inspection.round),
        "unit": inspection.unit.name,
        "team": str(inspection.team) if inspection.team_id else "",
        "inspection_kind": str(inspection.get_kind_display()),
        "path": inspection_path(inspection.pk),
    }


def _unit_fields(path: str) -> tuple[str, ...]:
    """The unit's columns the recipients need: its names and its two addresses."""
    return tuple(
        f"{path}__{name}" for name in ("name", "email", "party_head_email", "party_head_name")
    )


class DeadlineAdapter:
    """Recipients and context for the deadlines of one model, batched."""

    model: type[models.Model]
    related: tuple[str, ...] = ()
    # What finding the recipients reads of a subject: its unit (names and addresses), its
    # team's id and its organ; not the round, term and texts the e-mail's context needs.
    # Every sweep chunk pays for this read, so it reads only those columns (and the states,
    # which django-fsm reads as each row is loaded).
    recipient_related: tuple[str, ...] = ()
    recipient_fields: tuple[str, ...] = ()

    def inspection_of(self, subject: Any) -> Inspection:
        raise NotImplementedError

    def organ_of(self, subject: Any) -> ReceivingOrgan | None:
        return None

    def describe(self, subject: Any, deadline: Deadline) -> dict:
        """The subject's description, what is due and the link (in the active language)."""
        raise NotImplementedError

    def responsible_name(self, subject: Any, responsible: str) -> str:
        """The party that must meet a deadline of `subject`, by name (kept on the row)."""
        return responsible_name(subject, responsible)

    def subjects(self, deadlines: Sequence[Deadline], *, for_recipients: bool = False) -> dict:
        ids = {deadline.object_id for deadline in deadlines}
        if for_recipients:
            rows = self.model.objects.select_related(*self.recipient_related).only(
                *self.recipient_fields
            )
        else:
            rows = self.model.objects.select_related(*self.related)
        return rows.in_bulk(ids)

    def recipients(
        self, deadlines: Sequence[Deadline], audience: str
    ) -> dict[int, list[Recipient]]:
        """Each deadline's recipients for one audience, de-duplicated by address."""
        return self.recipients_by_audience({audience: deadlines})[audience]

    def recipients_by_audience(
        self, wanted: Mapping[str, Sequence[Deadline]]
    ) -> dict[str, dict[int, list[Recipient]]]:
        """For each audience, each of its deadlines' recipients, de-duplicated by address.

        The subjects and the people are read once for all the audiences: a red step tells
        three or four of them about the same deadlines.
        """
        subjects = self.subjects(
            [d for deadlines in wanted.values() for d in deadlines], for_recipients=True
        )
        inspections = {pk: self.inspection_of(subject) for pk, subject in subjects.items()}
        directory = Directory(
            unit_ids=(inspection.unit_id for inspection in inspections.values()),
            team_ids=(inspection.team_id for inspection in inspections.values()),
            organ_ids=(getattr(self.organ_of(s), "pk", None) for s in subjects.values()),
        )
        found: dict[str, dict[int, list[Recipient]]] = {}
        for audience, deadlines in wanted.items():
            found[audience] = {}
            for deadline in deadlines:
                subject = subjects.get(deadline.object_id)
                found[audience][deadline.pk] = (
                    []
                    if subject is None
                    else dedupe(
                        directory.audience(
                            audience,
                            deadline.responsible,
                            inspections[deadline.object_id],
                            self.organ_of(subject),
                        )
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
        subjects = self.subjects(deadlines)
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
                    **inspection_facts(inspection),
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


class InspectionDeadlines(DeadlineAdapter):
    """On-site period and report (the team's), plan and rectification report (the unit's)."""

    model = Inspection
    related = ("round__term", "unit", "team")
    recipient_related = ("unit",)
    recipient_fields = ("state", "unit", "team", *_unit_fields("unit"))

    def inspection_of(self, subject: Inspection) -> Inspection:
        return subject

    def describe(self, subject: Inspection, deadline: Deadline) -> dict:
        return {
            "subject_type": "inspection",
            "subject": str(subject),
            "what": what_is_due(deadline.kind),
            "detail": "",
        }


class ItemDeadlines(DeadlineAdapter):
    """A rectification item's due date and a long-term item's periodic progress report."""

    model = RectificationItem
    related = ("inspection__round__term", "inspection__unit", "inspection__team")
    recipient_related = ("inspection__unit",)
    recipient_fields = (
        "state",
        "inspection__state",
        "inspection__unit",
        "inspection__team",
        *_unit_fields("inspection__unit"),
    )

    def inspection_of(self, subject: RectificationItem) -> Inspection:
        return subject.inspection

    def describe(self, subject: RectificationItem, deadline: Deadline) -> dict:
        return {
            "subject_type": "item",
            "subject": _("Rectification item %(number)s: %(problem)s")
            % {"number": subject.number, "problem": subject.problem},
            "what": what_is_due(deadline.kind, subject.number, immediate=subject.is_immediate),
            "detail": subject.problem,
        }


class LeadDeadlines(DeadlineAdapter):
    """A receiving organ's report-back on a lead: the number only, never what the lead says."""

    model = Lead
    related = ("inspection__round__term", "inspection__unit", "inspection__team", "receiving_organ")
    recipient_related = ("inspection__unit", "receiving_organ")
    recipient_fields = (
        "state",
        "inspection__state",
        "inspection__unit",
        "inspection__team",
        *_unit_fields("inspection__unit"),
        "receiving_organ",
        "receiving_organ__name",
        "receiving_organ__email",
    )

    def inspection_of(self, subject: Lead) -> Inspection:
        return subject.inspection

    def organ_of(self, subject: Lead) -> ReceivingOrgan | None:
        return subject.receiving_organ

    def describe(self, subject: Lead, deadline: Deadline) -> dict:
        return {
            "subject_type": "lead",
            "subject": _("Lead %(number)d") % {"number": subject.number},
            "what": what_is_due(deadline.kind, subject.number),
            "detail": "",  # never the summary or the persons named
            "path": lead_path(subject.pk),
        }
