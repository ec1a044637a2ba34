"""A round as one JSON document, with no database ids: written out whole, restored into another database.

Rows point at each other by natural keys (a unit by its name, a person by username, an item by
its unit and number), so the file reads on its own and restores into a database whose ids
differ. Every column of every model is carried, so a field added later is carried too.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
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
    ReceivingOrgan,
    ReceivingOrganDesk,
    RectificationItem,
    Round,
    Team,
    TeamMember,
    Term,
    Unit,
    UnitAlias,
    UnitLiaison,
    User,
    chinese_numeral,
)
from workflows.audit import audit_record
from workflows.errors import ApplicationError, NotFound
from workflows.models import AuditEntry, Deadline, DeadlinePolicy

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


def _restore(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
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


@contextlib.contextmanager
def _keeping_timestamps(*models_: type[models.Model]) -> Iterator[None]:
    """Write the backup's creation times instead of now: auto_now_add would stamp the restore."""
    fields = [
        f for m in models_ for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)
    ]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


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


# Restore -------------------------------------------------------------------------------


def _clashes(data: dict[str, Any], reuse_existing: bool) -> list[str]:
    """What already exists: the round always refuses; people, units, organs unless reused."""
    problems = []
    term = data["term"]
    if Round.objects.filter(
        term__body=term["body"], term__number=term["number"], number=data["round"]["number"]
    ).exists():
        title = data["round"].get("title") or "{}届{}第{}轮巡视".format(
            chinese_numeral(term["number"]), term["body"], chinese_numeral(data["round"]["number"])
        )
        problems.append(_("The round %(round)s exists already.") % {"round": title})
    if reuse_existing:
        return problems
    usernames = [u["username"] for u in data["users"]]
    for name in User.objects.filter(username__in=usernames).values_list("username", flat=True):
        problems.append(_("The user %(name)s exists already.") % {"name": name})
    names = [u["name"] for u in data["units"]] + [a for u in data["units"] for a in u["aliases"]]
    existing = set(Unit.objects.filter(name__in=names).values_list("name", flat=True))
    existing |= set(UnitAlias.objects.filter(name__in=names).values_list("name", flat=True))
    for name in sorted(existing):
        problems.append(_("The unit %(name)s exists already.") % {"name": name})
    organs = [o["name"] for o in data["receiving_organs"]]
    for name in ReceivingOrgan.objects.filter(name__in=organs).values_list("name", flat=True):
        problems.append(_("The receiving organ %(name)s exists already.") % {"name": name})
    return problems


def _check_format(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RestoreRefused(_("This is not a round backup of this product."))
    if data.get("version") != VERSION:
        raise RestoreRefused(
            _("This backup has format version %(version)s; this product reads version %(ours)s.")
            % {"version": data.get("version"), "ours": VERSION}
        )


def _users(data: dict[str, Any]) -> dict[str, User]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[u["username"] for u in data["users"]])
    }
    new = [
        # No password travels in a backup: people set a new one through the password reset.
        User(password=make_password(None), **_restore(User, entry))
        for entry in data["users"]
        if entry["username"] not in users
    ]
    User.objects.bulk_create(new)
    users |= {u.username: u for u in new}
    return users


def _units(data: dict[str, Any], users: dict[str, User]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for entry in data["units"]:
        entry = dict(entry)
        aliases, liaisons = entry.pop("aliases"), entry.pop("liaisons")
        unit = Unit.objects.filter(Q(name=entry["name"]) | Q(aliases__name=entry["name"])).first()
        if unit is None:
            unit = Unit.objects.create(**_restore(Unit, entry))
            UnitAlias.objects.bulk_create([UnitAlias(unit=unit, name=a) for a in aliases])
            linked = set(
                UnitLiaison.objects.filter(user__username__in=liaisons).values_list(
                    "user__username", flat=True
                )
            )
            UnitLiaison.objects.bulk_create(
                [
                    UnitLiaison(unit=unit, user=users[name])
                    for name in liaisons
                    if name not in linked
                ]
            )
        units[entry["name"]] = unit
    return units


def _organs(data: dict[str, Any], users: dict[str, User]) -> dict[str, ReceivingOrgan]:
    organs: dict[str, ReceivingOrgan] = {}
    for entry in data["receiving_organs"]:
        entry = dict(entry)
        desks = entry.pop("desks")
        organ = ReceivingOrgan.objects.filter(name=entry["name"]).first()
        if organ is None:
            organ = ReceivingOrgan.objects.create(**_restore(ReceivingOrgan, entry))
            ReceivingOrganDesk.objects.bulk_create(
                [ReceivingOrganDesk(organ=organ, user=users[name]) for name in desks]
            )
        organs[entry["name"]] = organ
    return organs


def _policies(data: dict[str, Any]) -> dict[str, DeadlinePolicy]:
    """Policies are configuration every database has; one a database lacks is made from the file."""
    policies = {p.key: p for p in DeadlinePolicy.objects.all()}
    for entry in data["deadline_policies"]:
        if entry["key"] not in policies:
            policies[entry["key"]] = DeadlinePolicy.objects.create(
                **_restore(DeadlinePolicy, entry)
            )
    return policies


def _without(entry: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in names}


def round_restore(*, data: dict[str, Any], reuse_existing: bool = False, source: str = "") -> Round:
    """Restore a backup into this database in one transaction; refuse if the round exists.

    People, units and receiving organs the backup carries must not exist either, unless
    `reuse_existing`: then those that do are used as they are (matched by username or name).
    """
    _check_format(data)
    try:
        with transaction.atomic():
            problems = _clashes(data, reuse_existing)
            if problems:
                raise RestoreRefused(details=problems)
            with _keeping_timestamps(Finding, Deadline, AuditEntry):
                round_ = _restore_rows(data)
            audit_record(
                subject=round_,
                actor=None,
                action="restore",
                to_state=round_.state,
                note=source,
                data={"exported_at": data.get("exported_at", "")},
            )
    except (KeyError, TypeError, ValidationError) as error:
        raise RestoreRefused(
            _("The backup is incomplete or damaged (%(error)s).") % {"error": error}
        ) from error
    return round_


def _restore_rows(data: dict[str, Any]) -> Round:
    """Every row of the backup, parents first; the caller holds the transaction."""
    users = _users(data)
    units = _units(data, users)
    organs = _organs(data, users)
    policies = _policies(data)
    term, _created = Term.objects.get_or_create(**data["term"])
    round_ = Round.objects.create(term=term, **_restore(Round, data["round"]))
    objects: dict[tuple, models.Model] = {("round",): round_}

    batches = [Batch(round=round_, **_restore(Batch, b)) for b in data["batches"]]
    Batch.objects.bulk_create(batches)
    objects |= {("batch", b.number): b for b in batches}
    teams = [Team(round=round_, **_restore(Team, _without(t, "members"))) for t in data["teams"]]
    Team.objects.bulk_create(teams)
    objects |= {("team", t.number): t for t in teams}
    TeamMember.objects.bulk_create(
        [
            TeamMember(team=objects["team", t["number"]], user=users[s["user"]], role=s["role"])
            for t in data["teams"]
            for s in t["members"]
        ]
    )
    inspections = [
        Inspection(
            round=round_,
            unit=units[i["unit"]],
            batch=objects["batch", i["batch"]] if i["batch"] is not None else None,
            team=objects["team", i["team"]] if i["team"] is not None else None,
            **_restore(Inspection, _without(i, "unit", "batch", "team")),
        )
        for i in data["inspections"]
    ]
    Inspection.objects.bulk_create(inspections)
    objects |= {("inspection", i.unit.name): i for i in inspections}
    findings = [
        Finding(
            inspection=objects["inspection", x["inspection"]],
            recorded_by=users[x["recorded_by"]],
            **_restore(Finding, _without(x, "inspection", "recorded_by")),
        )
        for x in data["findings"]
    ]
    Finding.objects.bulk_create(findings)
    objects |= {("finding", x.inspection.unit.name, x.number): x for x in findings}
    leads = [
        Lead(
            inspection=objects["inspection", x["inspection"]],
            registered_by=users[x["registered_by"]],
            receiving_organ=organs[x["receiving_organ"]] if x["receiving_organ"] else None,
            **_restore(Lead, _without(x, "inspection", "registered_by", "receiving_organ")),
        )
        for x in data["leads"]
    ]
    Lead.objects.bulk_create(leads)
    objects |= {("lead", x.inspection.unit.name, x.number): x for x in leads}
    items = [
        RectificationItem(
            inspection=objects["inspection", x["inspection"]],
            finding=(
                objects["finding", x["inspection"], x["finding"]]
                if x["finding"] is not None
                else None
            ),
            **_restore(RectificationItem, _without(x, "inspection", "finding")),
        )
        for x in data["items"]
    ]
    RectificationItem.objects.bulk_create(items)
    objects |= {("item", x.inspection.unit.name, x.number): x for x in items}
    EvidenceFile.objects.bulk_create(
        [
            EvidenceFile(
                item=objects["item", *x["item"]],
                uploaded_by=users[x["uploaded_by"]],
                **_restore(EvidenceFile, _without(x, "item", "uploaded_by")),
            )
            for x in data["evidence_files"]
        ]
    )

    def subject(key: list) -> dict[str, Any]:
        obj = objects[tuple(key)]
        return {
            "content_type": ContentType.objects.get_for_model(obj),
            "object_id": obj.pk,
        }

    Deadline.objects.bulk_create(
        [
            Deadline(
                policy=policies[d["policy"]],
                **subject(d["subject"]),
                **_restore(Deadline, _without(d, "subject", "policy")),
            )
            for d in data["deadlines"]
        ]
    )
    # The trail is append-only; bulk_create inserts, which is all a restore does.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=users[e["actor"]] if e["actor"] else None,
                **subject(e["subject"]),
                **_restore(AuditEntry, _without(e, "subject", "actor")),
            )
            for e in data["audit"]
        ]
    )
    return round_
