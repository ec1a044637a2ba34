"""A round as one JSON document, with no database ids: written out whole, read back to restore.

Rows point at each other by natural keys (a unit by its name, a person by username, an item by
its unit and number), so the file reads on its own and restores into a database whose ids
differ. Every column of every model is carried, so a field added later is carried too. The
restore's writes are `inspections.services.backups.round_restore`; this module reads and parses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.models import (
    Batch,
    EvidenceFile,
    Finding,
    Inspection,
    Lead,
    ReceivingOrganDesk,
    RectificationItem,
    Round,
    Team,
    TeamMember,
    UnitAlias,
    UnitLiaison,
    User,
)
from workflows.errors import ApplicationError, NotFound
from workflows.models import AuditEntry, Deadline

FORMAT = "xunshi-round-backup"
VERSION = 1
# A person's account as the backup carries it: never the password (restored accounts get none).
USER_FIELDS = (
    "username",
    "display_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "language",
    "is_active",
)


class RestoreRefused(ApplicationError):
    """The backup was not restored; `details` names each clash or problem."""

    code = "restore_refused"
    default_message = gettext_lazy("The backup was not restored.")


# Plain values ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name
    return value


def _columns(obj: models.Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every non-relation column but the id, as JSON values."""
    skipped = set(skip)
    return {
        field.name: _plain(field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if not field.primary_key and not field.is_relation and field.name not in skipped
    }


def parse_columns(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """The columns back as Python values, each parsed by its own field."""
    fields = {
        f.name: f for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation
    }
    unknown = set(values) - set(fields)
    if unknown:
        raise RestoreRefused(
            details=[
                _("%(model)s has no field %(fields)s.")
                % {"model": model._meta.verbose_name, "fields": ", ".join(sorted(unknown))}
            ]
        )
    return {name: fields[name].to_python(value) for name, value in values.items()}


# Export --------------------------------------------------------------------------------


def round_find(reference: str) -> Round:
    """A round by id or by its title as shown (十二届市委第六轮巡视)."""
    rounds = Round.objects.select_related("term")
    if reference.isdigit():
        found = rounds.filter(pk=int(reference)).first()
        if found is not None:
            return found
    for candidate in rounds:
        if str(candidate) == reference:
            return candidate
    raise NotFound(_("No round is called %(round)s.") % {"round": reference})


def round_export(round_: Round) -> dict[str, Any]:
    """The round and everything in it, its people, units and organs, and its audit trail."""
    batches = list(Batch.objects.filter(round=round_).order_by("number"))
    teams = list(Team.objects.filter(round=round_).order_by("number"))
    seats = list(
        TeamMember.objects.filter(team__round=round_)
        .select_related("team", "user")
        .order_by("team__number", "user__username")
    )
    inspections = list(
        Inspection.objects.filter(round=round_)
        .select_related("unit", "batch", "team")
        .order_by("unit__name")
    )
    findings = list(
        Finding.objects.filter(inspection__round=round_)
        .select_related("inspection__unit", "recorded_by")
        .order_by("inspection__unit__name", "number")
    )
    leads = list(
        Lead.objects.filter(inspection__round=round_)
        .select_related("inspection__unit", "registered_by", "receiving_organ")
        .order_by("inspection__unit__name", "number")
    )
    items = list(
        RectificationItem.objects.filter(inspection__round=round_)
        .select_related("inspection__unit", "finding")
        .order_by("inspection__unit__name", "number")
    )
    evidence = list(
        EvidenceFile.objects.filter(item__inspection__round=round_)
        .select_related("item__inspection__unit", "uploaded_by")
        .order_by("item__inspection__unit__name", "item__number", "uploaded_at", "sha256")
    )

    unit_name = {i.pk: i.unit.name for i in inspections}
    keys: dict[tuple[type, int], list] = {(Round, round_.pk): ["round"]}
    keys |= {(Batch, b.pk): ["batch", b.number] for b in batches}
    keys |= {(Team, t.pk): ["team", t.number] for t in teams}
    keys |= {(Inspection, i.pk): ["inspection", i.unit.name] for i in inspections}
    keys |= {(Finding, x.pk): ["finding", unit_name[x.inspection_id], x.number] for x in findings}
    keys |= {(Lead, x.pk): ["lead", unit_name[x.inspection_id], x.number] for x in leads}
    keys |= {
        (RectificationItem, x.pk): ["item", unit_name[x.inspection_id], x.number] for x in items
    }
    types = ContentType.objects.get_for_models(*{model for model, _pk in keys})
    by_type: dict[int, dict[int, list]] = {}
    for (model, pk), key in keys.items():
        by_type.setdefault(types[model].pk, {})[pk] = key
    about_round = Q(pk__in=[])
    for type_id, subjects in by_type.items():
        about_round |= Q(content_type_id=type_id, object_id__in=list(subjects))

    def subject(row) -> list:
        return by_type[row.content_type_id][row.object_id]

    deadlines = sorted(
        Deadline.objects.filter(about_round).select_related("policy"),
        key=lambda d: (subject(d), d.kind, d.created_at, d.pk),
    )
    audit = list(
        AuditEntry.objects.filter(about_round).select_related("actor").order_by("at", "pk")
    )

    units = {i.unit.pk: i.unit for i in inspections}
    organs = {
        lead.receiving_organ.pk: lead.receiving_organ for lead in leads if lead.receiving_organ
    }
    aliases: dict[int, list[str]] = {}
    for unit_id, name in UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "name"):
        aliases.setdefault(unit_id, []).append(name)
    liaisons: dict[int, list[str]] = {}
    for unit_id, username in UnitLiaison.objects.filter(unit__in=units).values_list(
        "unit_id", "user__username"
    ):
        liaisons.setdefault(unit_id, []).append(username)
    desks: dict[int, list[str]] = {}
    for organ_id, username in ReceivingOrganDesk.objects.filter(organ__in=organs).values_list(
        "organ_id", "user__username"
    ):
        desks.setdefault(organ_id, []).append(username)
    usernames = (
        {s.user.username for s in seats}
        | {x.recorded_by.username for x in findings}
        | {x.registered_by.username for x in leads}
        | {x.uploaded_by.username for x in evidence}
        | {e.actor.username for e in audit if e.actor}
        | {name for names in liaisons.values() for name in names}
        | {name for names in desks.values() for name in names}
    )
    policies = {d.policy.key: d.policy for d in deadlines}

    def username(user: User | None) -> str | None:
        return user.username if user else None

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _plain(timezone.now()),
        "term": {"body": round_.term.body, "number": round_.term.number},
        "round": _columns(round_),
        "users": [
            {name: _plain(getattr(user, name)) for name in USER_FIELDS}
            for user in User.objects.filter(username__in=usernames).order_by("username")
        ],
        "units": [
            {
                **_columns(unit),
                "aliases": sorted(aliases.get(unit.pk, [])),
                "liaisons": sorted(liaisons.get(unit.pk, [])),
            }
            for unit in sorted(units.values(), key=lambda u: u.name)
        ],
        "receiving_organs": [
            {**_columns(organ), "desks": sorted(desks.get(organ.pk, []))}
            for organ in sorted(organs.values(), key=lambda o: o.name)
        ],
        "deadline_policies": [_columns(policies[key]) for key in sorted(policies)],
        "batches": [_columns(batch) for batch in batches],
        "teams": [
            {
                **_columns(team),
                "members": [
                    {"user": seat.user.username, "role": seat.role}
                    for seat in seats
                    if seat.team_id == team.pk
                ],
            }
            for team in teams
        ],
        "inspections": [
            {
                **_columns(inspection),
                "unit": inspection.unit.name,
                "batch": inspection.batch.number if inspection.batch else None,
                "team": inspection.team.number if inspection.team else None,
            }
            for inspection in inspections
        ],
        "findings": [
            {
                **_columns(x),
                "inspection": unit_name[x.inspection_id],
                "recorded_by": x.recorded_by.username,
            }
            for x in findings
        ],
        "leads": [
            {
                **_columns(x),
                "inspection": unit_name[x.inspection_id],
                "registered_by": x.registered_by.username,
                "receiving_organ": x.receiving_organ.name if x.receiving_organ else None,
            }
            for x in leads
        ],
        "items": [
            {
                **_columns(x),
                "inspection": unit_name[x.inspection_id],
                "finding": x.finding.number if x.finding else None,
            }
            for x in items
        ],
        "evidence_files": [
            {
                **_columns(x),
                "item": [unit_name[x.item.inspection_id], x.item.number],
                "uploaded_by": x.uploaded_by.username,
            }
            for x in evidence
        ],
        "deadlines": [
            {**_columns(d, skip=["object_id"]), "subject": subject(d), "policy": d.policy.key}
            for d in deadlines
        ],
        "audit": [
            {**_columns(e, skip=["object_id"]), "subject": subject(e), "actor": username(e.actor)}
            for e in audit
        ],
    }


# Reading a backup back ---------------------------------------------------------------


def check_format(data: Any) -> None:
    """Refuse what is not a round backup, or one of a format version this product does not read."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RestoreRefused(_("This is not a round backup of this product."))
    if data.get("version") != VERSION:
        raise RestoreRefused(
            _("This backup has format version %(version)s; this product reads version %(ours)s.")
            % {"version": data.get("version"), "ours": VERSION}
        )


def without(entry: dict[str, Any], *names: str) -> dict[str, Any]:
    """The entry without the keys `names` (the natural keys a restore resolves itself)."""
    return {k: v for k, v in entry.items() if k not in names}
