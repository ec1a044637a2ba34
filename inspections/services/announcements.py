"""Importing a published round announcement: term, round, batch, units and planned inspections."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from inspections.announcement import Announcement
from inspections.models import (
    Batch,
    Inspection,
    PartyOrganisationKind,
    Round,
    RoundState,
    Term,
    Unit,
    UnitAlias,
    User,
)
from workflows.audit import audit_record
from workflows.errors import ConditionFailed, PermissionDenied, WrongState

# The words announcements print after a unit's name, and the kind each stands for.
PARTY_ORGANISATION_KINDS = {
    "党委": PartyOrganisationKind.PARTY_COMMITTEE,
    "党组": PartyOrganisationKind.LEADING_PARTY_GROUP,
    "党组（党委）": PartyOrganisationKind.LEADING_PARTY_GROUP,
    "党工委": PartyOrganisationKind.WORKING_COMMITTEE,
    "机关党委": PartyOrganisationKind.ORGAN_COMMITTEE,
    "党支部": PartyOrganisationKind.BRANCH,
    "党总支": PartyOrganisationKind.BRANCH,
}

NAME_LENGTH = Unit._meta.get_field("name").max_length

# Rounds that may still take units: a later batch is often announced after mobilisation.
OPEN_ROUND_STATES = (RoundState.DRAFT, RoundState.APPROVED, RoundState.MOBILIZED)


@dataclass
class ImportReport:
    """What an import created and what it found already there."""

    round: Round
    created_round: bool = False
    created_units: list[str] = field(default_factory=list)
    created_inspections: list[str] = field(default_factory=list)
    existing_inspections: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "round": str(self.round),
            "round_id": self.round.pk,
            "created_round": self.created_round,
            "created_units": self.created_units,
            "created_inspections": self.created_inspections,
            "existing_inspections": self.existing_inspections,
        }


def announcement_import(*, announcement: Announcement, actor: User | None = None) -> ImportReport:
    """Create what the announcement names, in one transaction; importing it again adds nothing.

    `actor` is None when an operator runs the command (trusted); otherwise the office.
    A unit is matched by its name or any of its aliases.
    """
    if actor is not None and not actor.has_perm("inspections.import_announcement"):
        raise PermissionDenied()
    with transaction.atomic():
        term, _created = Term.objects.get_or_create(
            body=announcement.body, number=announcement.term
        )
        round_, created_round = Round.objects.select_for_update().get_or_create(
            term=term, number=announcement.round
        )
        report = ImportReport(round=round_, created_round=created_round)
        if created_round:
            audit_record(
                subject=round_,
                actor=actor,
                action="import",
                to_state=round_.state,
                note=announcement.title,
            )
        batch = None
        if announcement.batch is not None:
            batch, _created = Batch.objects.get_or_create(round=round_, number=announcement.batch)
        problems: list[str] = []
        seen: dict[int, str] = {}  # unit id -> the announced name that found it
        for announced in announcement.inspections:
            unit = _unit_for(announced.unit, announced.aliases, report, problems)
            if unit is None:
                continue
            if unit.pk in seen:
                problems.append(
                    _("%(name)s and %(other)s are the same recorded unit (%(unit)s).")
                    % {"name": announced.unit, "other": seen[unit.pk], "unit": unit}
                )
                continue
            seen[unit.pk] = announced.unit
            party_kind = PARTY_ORGANISATION_KINDS.get(announced.party_organisation)
            if party_kind and unit.party_organisation_kind == PartyOrganisationKind.UNSPECIFIED:
                unit.party_organisation_kind = party_kind
                unit.save(update_fields=["party_organisation_kind"])
            _plan(round_, batch, unit, announced.kind, actor, report, problems)
        if problems:
            raise ConditionFailed(
                _("The announcement does not fit what is already recorded."), details=problems
            )
        if report.created_inspections and round_.state not in OPEN_ROUND_STATES:
            raise WrongState(
                _("%(round)s is %(state)s and can take no more units.")
                % {"round": round_, "state": round_.get_state_display()}
            )
    return report


def _unit_for(
    name: str, aliases: tuple[str, ...], report: ImportReport, problems: list[str]
) -> Unit | None:
    """The unit called `name` or any alias; created when none is, its new aliases added."""
    names = [name, *aliases]
    too_long = [n for n in names if len(n) > NAME_LENGTH]
    if too_long:
        problems.append(
            _("A unit name may have at most %(limit)d characters: %(name)s")
            % {"limit": NAME_LENGTH, "name": too_long[0]}
        )
        return None
    matches = list(Unit.objects.filter(Q(name__in=names) | Q(aliases__name__in=names)).distinct())
    if len(matches) > 1:
        problems.append(
            _("%(name)s matches several recorded units: %(units)s.")
            % {"name": name, "units": "、".join(u.name for u in matches)}
        )
        return None
    if matches:
        unit = matches[0]
    else:
        unit = Unit.objects.create(name=name)
        report.created_units.append(name)
    known = {unit.name, *unit.aliases.values_list("name", flat=True)}
    # Found through an alias: the name this announcement prints becomes an alias too.
    for alias in names:
        if alias not in known:
            UnitAlias.objects.create(unit=unit, name=alias)
    return unit


def _plan(
    round_: Round,
    batch: Batch | None,
    unit: Unit,
    kind: str,
    actor: User | None,
    report: ImportReport,
    problems: list[str],
) -> None:
    existing = Inspection.objects.filter(round=round_, unit=unit).first()
    if existing is None:
        inspection = Inspection.objects.create(round=round_, batch=batch, unit=unit, kind=kind)
        audit_record(subject=inspection, actor=actor, action="import", to_state=inspection.state)
        report.created_inspections.append(unit.name)
    elif existing.kind != kind or existing.batch_id != getattr(batch, "pk", None):
        problems.append(
            _("%(unit)s is already on this round as %(kind)s in another batch or kind.")
            % {"unit": unit, "kind": existing.get_kind_display()}
        )
    else:
        report.existing_inspections.append(unit.name)
