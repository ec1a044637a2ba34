"""Writes of round backups: restoring one into this database, all or nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from inspections.exchange.backup import RestoreRefused, check_format, parse_columns, without
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
from workflows.models import AuditEntry, Deadline, DeadlinePolicy


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


def _users(data: dict[str, Any]) -> dict[str, User]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[u["username"] for u in data["users"]])
    }
    new = [
        # No password travels in a backup: people set a new one through the password reset.
        User(password=make_password(None), **parse_columns(User, entry))
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
            unit = Unit.objects.create(**parse_columns(Unit, entry))
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
            organ = ReceivingOrgan.objects.create(**parse_columns(ReceivingOrgan, entry))
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
                **parse_columns(DeadlinePolicy, entry)
            )
    return policies


def round_restore(*, data: dict[str, Any], reuse_existing: bool = False, source: str = "") -> Round:
    """Restore a backup into this database in one transaction; refuse if the round exists.

    People, units and receiving organs the backup carries must not exist either, unless
    `reuse_existing`: then those that do are used as they are (matched by username or name).
    """
    check_format(data)
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
    round_ = Round.objects.create(term=term, **parse_columns(Round, data["round"]))
    objects: dict[tuple, models.Model] = {("round",): round_}

    batches = [Batch(round=round_, **parse_columns(Batch, b)) for b in data["batches"]]
    Batch.objects.bulk_create(batches)
    objects |= {("batch", b.number): b for b in batches}
    teams = [
        Team(round=round_, **parse_columns(Team, without(t, "members"))) for t in data["teams"]
    ]
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
            **parse_columns(Inspection, without(i, "unit", "batch", "team")),
        )
        for i in data["inspections"]
    ]
    Inspection.objects.bulk_create(inspections)
    objects |= {("inspection", i.unit.name): i for i in inspections}
    findings = [
        Finding(
            inspection=objects["inspection", x["inspection"]],
            recorded_by=users[x["recorded_by"]],
            **parse_columns(Finding, without(x, "inspection", "recorded_by")),
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
            **parse_columns(Lead, without(x, "inspection", "registered_by", "receiving_organ")),
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
            **parse_columns(RectificationItem, without(x, "inspection", "finding")),
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
                **parse_columns(EvidenceFile, without(x, "item", "uploaded_by")),
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
                **parse_columns(Deadline, without(d, "subject", "policy")),
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
                **parse_columns(AuditEntry, without(e, "subject", "actor")),
            )
            for e in data["audit"]
        ]
    )
    return round_
