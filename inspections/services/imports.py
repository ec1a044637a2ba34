"""Importing units, liaisons and people from a spreadsheet: check every row, then write all or nothing."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.exchange.columns import MappedTable, map_table
from inspections.exchange.problems import ImportProblem, ImportRejected
from inspections.exchange.records import PersonRecord, Records, UnitRecord, parse_records
from inspections.exchange.tables import read_tables
from inspections.models import (
    Affiliation,
    PartyOrganisationKind,
    Unit,
    UnitAlias,
    UnitLiaison,
    User,
)
from workflows.audit import audit_record
from workflows.errors import PermissionDenied

BATCH_SIZE = 1000


@dataclass
class ImportCounts:
    """What the import changed; importing the same file again gives all zeros but `rows`."""

    rows: int = 0
    units_created: int = 0
    units_updated: int = 0
    aliases_created: int = 0
    users_created: int = 0
    users_updated: int = 0
    liaisons_created: int = 0
    affiliations_created: int = 0
    affiliations_updated: int = 0


class _Directory:
    """Every unit, alias, user and link the import may touch, read once (a few queries in all)."""

    def __init__(self) -> None:
        self.units: dict[int, Unit] = {u.pk: u for u in Unit.objects.all()}
        self.by_name: dict[str, int] = {u.name: u.pk for u in self.units.values()}
        self.aliases: dict[int, set[str]] = defaultdict(set)
        self.by_alias: dict[str, int] = {}
        for unit_id, name in UnitAlias.objects.values_list("unit_id", "name"):
            self.aliases[unit_id].add(name)
            self.by_alias[name] = unit_id
        self.users: dict[int, User] = {}
        self.by_username: dict[str, int] = {}
        self.by_email: dict[str, list[int]] = defaultdict(list)
        for user in User.objects.only(
            "pk", "username", "email", "display_name", "phone", "is_superuser"
        ):
            self.users[user.pk] = user
            self.by_username[user.username] = user.pk
            if user.email:
                self.by_email[user.email.lower()].append(user.pk)
        self.liaison_unit: dict[int, int] = dict(
            UnitLiaison.objects.values_list("user_id", "unit_id")
        )
        self.affiliations: dict[tuple[int, int], Affiliation] = {
            (a.user_id, a.unit_id): a for a in Affiliation.objects.all()
        }

    def unit_ids_for(self, names: list[str]) -> set[int]:
        found = set()
        for name in names:
            if name in self.by_name:
                found.add(self.by_name[name])
            if name in self.by_alias:
                found.add(self.by_alias[name])
        return found


class _Check:
    """Turns a record's key into the problem's sheet, row and column."""

    def __init__(self, records: Records, problems: list[ImportProblem]) -> None:
        self.records, self.problems = records, problems

    def __call__(self, record: UnitRecord | PersonRecord, key: str, message: str) -> None:
        tables = (
            self.records.unit_tables
            if isinstance(record, UnitRecord)
            else self.records.person_tables
        )
        mapped: MappedTable = tables[id(record)]
        self.problems.append(
            ImportProblem(
                message, sheet=mapped.table.name, row=record.row, column=mapped.label(key)
            )
        )


def _where(records: Records, record: UnitRecord | PersonRecord) -> str:
    tables = records.unit_tables if isinstance(record, UnitRecord) else records.person_tables
    return _("row %(row)d of %(sheet)s") % {
        "row": record.row,
        "sheet": tables[id(record)].table.name,
    }


@dataclass
class _Plan:
    """What each valid record becomes: the unit it updates (None: a new one), the user it is."""

    unit_of: dict[int, int | None]  # id(record) -> unit pk
    liaison_of: dict[int, int | str]  # id(unit record) -> user pk, or the e-mail of a new user
    person_of: dict[int, int | str]  # id(person record) -> user pk, or the new username


def _check_units(records: Records, directory: _Directory, problem: _Check) -> _Plan:
    plan = _Plan(unit_of={}, liaison_of={}, person_of={})
    first_row: dict[str, UnitRecord] = {}  # each name or alias may appear on one row only
    matched: dict[int, UnitRecord] = {}  # each recorded unit may be matched by one row only
    liaisons: dict[str, UnitRecord] = {}
    for record in records.units:
        if not record.name:
            continue
        for key, name in [("name", record.name), *(("aliases", a) for a in record.aliases)]:
            other = first_row.get(name)
            if other is not None and other is not record:
                problem(
                    record,
                    key,
                    _("%(name)s is also on %(where)s.")
                    % {"name": name, "where": _where(records, other)},
                )
            first_row.setdefault(name, record)
        found = directory.unit_ids_for([record.name, *record.aliases])
        if len(found) > 1:
            problem(
                record,
                "name",
                _("The names on this row belong to several recorded units: %(units)s.")
                % {"units": "、".join(sorted(directory.units[pk].name for pk in found))},
            )
            continue
        unit_id = next(iter(found), None)
        if unit_id is not None:
            other = matched.get(unit_id)
            if other is not None:
                problem(
                    record,
                    "name",
                    _("%(where)s already names the recorded unit %(unit)s.")
                    % {"where": _where(records, other), "unit": directory.units[unit_id].name},
                )
                continue
            matched[unit_id] = record
        plan.unit_of[id(record)] = unit_id
        if record.liaison_email:
            _check_liaison(record, unit_id, directory, problem, plan, liaisons, records)
    return plan


def _check_liaison(
    record: UnitRecord,
    unit_id: int | None,
    directory: _Directory,
    problem: _Check,
    plan: _Plan,
    liaisons: dict[str, UnitRecord],
    records: Records,
) -> None:
    email = record.liaison_email
    other = liaisons.setdefault(email, record)
    if other is not record:
        problem(
            record,
            "liaison_email",
            _("%(email)s is also the liaison on %(where)s; a person is liaison of one unit.")
            % {"email": email, "where": _where(records, other)},
        )
        return
    users = directory.by_email.get(email, [])
    if len(users) > 1:
        problem(
            record,
            "liaison_email",
            _("Several accounts have the e-mail %(email)s; set the liaison in the admin.")
            % {"email": email},
        )
        return
    if users:
        user = directory.users[users[0]]
        if user.is_superuser:
            problem(
                record,
                "liaison_email",
                _("%(email)s is a system administrator's account.") % {"email": email},
            )
            return
        current = directory.liaison_unit.get(user.pk)
        if current is not None and current != unit_id:
            problem(
                record,
                "liaison_email",
                _("%(email)s is already the liaison of %(unit)s.")
                % {"email": email, "unit": directory.units[current].name},
            )
            return
        plan.liaison_of[id(record)] = user.pk
        return
    if email in directory.by_username:
        problem(
            record,
            "liaison_email",
            _("The username %(email)s is taken by an account with another e-mail.")
            % {"email": email},
        )
        return
    plan.liaison_of[id(record)] = email


def _check_people(records: Records, directory: _Directory, problem: _Check, plan: _Plan) -> None:
    file_units = {
        name for record in records.units for name in [record.name, *record.aliases] if name
    }
    seen: dict[str, PersonRecord] = {}
    for record in records.people:
        keys = [k for k in (record.username, record.email) if k]
        for key in keys:
            other = seen.setdefault(key, record)
            if other is not record:
                problem(
                    record,
                    "username" if key == record.username else "email",
                    _("%(key)s is also on %(where)s.")
                    % {"key": key, "where": _where(records, other)},
                )
        for name in record.units:
            if name not in file_units and not directory.unit_ids_for([name]):
                problem(
                    record,
                    "affiliated_units",
                    _("No unit is called %(name)s, in the file or recorded.") % {"name": name},
                )
        if not keys:
            continue
        by_username = directory.by_username.get(record.username) if record.username else None
        by_email = directory.by_email.get(record.email, []) if record.email else []
        if by_username is None and len(by_email) > 1:
            problem(
                record,
                "email",
                _("Several accounts have the e-mail %(email)s; give the username.")
                % {"email": record.email},
            )
            continue
        if by_username is not None and by_email and by_username not in by_email:
            problem(
                record,
                "email",
                _("The username %(username)s and the e-mail %(email)s belong to two accounts.")
                % {"username": record.username, "email": record.email},
            )
            continue
        user_id = by_username if by_username is not None else next(iter(by_email), None)
        if user_id is None:
            username = record.username or record.email
            if username in directory.by_username:
                problem(
                    record,
                    "email",
                    _("The username %(username)s is taken by an account with another e-mail.")
                    % {"username": username},
                )
                continue
            plan.person_of[id(record)] = username
            # The same new person may be a unit's liaison too: one account, not two.
            if record.email and record.email != username:
                for unit_record, key in plan.liaison_of.items():
                    if key == record.email:
                        plan.liaison_of[unit_record] = username
            continue
        if directory.users[user_id].is_superuser:
            problem(
                record,
                "username" if by_username is not None else "email",
                _("%(name)s is a system administrator's account.")
                % {"name": directory.users[user_id].username},
            )
            continue
        plan.person_of[id(record)] = user_id


def _validate(data: bytes, filename: str) -> tuple[Records, _Directory, _Plan]:
    """Every problem of the file, at once; raises ImportRejected when there is any."""
    problems: list[ImportProblem] = []
    tables = [table for table in read_tables(data, filename) if table.header_row]
    mapped = [m for m in (map_table(table, problems) for table in tables) if m is not None]
    records = parse_records(mapped, problems)
    if not problems and not records.units and not records.people:
        problems.append(ImportProblem(_("The file holds no rows to import.")))
    directory = _Directory()
    problem = _Check(records, problems)
    plan = _check_units(records, directory, problem)
    _check_people(records, directory, problem, plan)
    if problems:
        raise ImportRejected(problems)
    return records, directory, plan


def _set(obj: Any, changed: set[str], field: str, value: Any) -> None:
    if value is not None and value != "" and getattr(obj, field) != value:
        setattr(obj, field, value)
        changed.add(field)


def _write_units(
    records: Records, directory: _Directory, plan: _Plan, counts: ImportCounts
) -> dict[int, Unit]:
    """Create and update the units and their aliases; returns each record's unit."""
    unit_for: dict[int, Unit] = {}
    new_units, changed_units, changed_fields = [], [], set()
    stale_aliases: list[str] = []
    for record in records.units:
        unit_id = plan.unit_of[id(record)]
        if unit_id is None:
            unit = Unit(
                name=record.name,
                party_organisation_kind=record.party_organisation
                or PartyOrganisationKind.UNSPECIFIED,
                category=record.category,
            )
            new_units.append(unit)
        else:
            unit = directory.units[unit_id]
            changed: set[str] = set()
            old_name = unit.name
            _set(unit, changed, "name", record.name)
            _set(unit, changed, "party_organisation_kind", record.party_organisation)
            _set(unit, changed, "category", record.category)
            if changed:
                changed_units.append(unit)
                changed_fields |= changed
            if unit.name != old_name:
                # Renamed through an alias: the old name stays findable as an alias.
                record.aliases.append(old_name)
                if unit.name in directory.aliases[unit.pk]:
                    stale_aliases.append(unit.name)
                    directory.aliases[unit.pk].discard(unit.name)
        unit_for[id(record)] = unit
    Unit.objects.bulk_create(new_units, batch_size=BATCH_SIZE)
    if changed_units:
        Unit.objects.bulk_update(changed_units, sorted(changed_fields), batch_size=BATCH_SIZE)
    if stale_aliases:
        UnitAlias.objects.filter(name__in=stale_aliases).delete()
    new_aliases = [
        UnitAlias(unit=unit_for[id(record)], name=alias)
        for record in records.units
        for alias in dict.fromkeys(record.aliases)
        if alias != unit_for[id(record)].name
        and alias not in directory.aliases[unit_for[id(record)].pk]
    ]
    UnitAlias.objects.bulk_create(new_aliases, batch_size=BATCH_SIZE)
    counts.units_created = len(new_units)
    counts.units_updated = len(changed_units)
    counts.aliases_created = len(new_aliases)
    return unit_for


def _write_users(
    records: Records, directory: _Directory, plan: _Plan, counts: ImportCounts
) -> dict[int, User]:
    """Create and update the liaisons' and people's accounts; returns each record's user."""
    wanted: dict[int | str, dict[str, str]] = {}  # user pk or new username -> field values

    def want(key: int | str, **values: str) -> None:
        target = wanted.setdefault(key, {})
        for field, value in values.items():
            if value:
                target[field] = value  # a later row (the people sheet) has the last word

    for record in records.units:
        key = plan.liaison_of.get(id(record))
        if key is not None:
            want(
                key,
                email=record.liaison_email,
                display_name=record.liaison_name,
                phone=record.liaison_phone,
            )
    for record in records.people:
        want(
            plan.person_of[id(record)],
            email=record.email,
            display_name=record.name,
            phone=record.phone,
        )
    # Unusable passwords: people sign in after setting one through the password reset.
    new_users = {
        key: User(username=key, password=make_password(None), **values)
        for key, values in wanted.items()
        if isinstance(key, str)
    }
    changed_users, changed_fields = [], set()
    for key, values in wanted.items():
        if isinstance(key, int):
            user, changed = directory.users[key], set()
            for field, value in values.items():
                if field == "email" and user.email.lower() == value:
                    continue  # the file's e-mails are lower-cased; the account's case stays
                _set(user, changed, field, value)
            if changed:
                changed_users.append(user)
                changed_fields |= changed
    User.objects.bulk_create(new_users.values(), batch_size=BATCH_SIZE)
    if changed_users:
        User.objects.bulk_update(changed_users, sorted(changed_fields), batch_size=BATCH_SIZE)
    counts.users_created = len(new_users)
    counts.users_updated = len(changed_users)
    user_for: dict[int, User] = {}
    for record in records.units:
        key = plan.liaison_of.get(id(record))
        if key is not None:
            user_for[id(record)] = new_users[key] if isinstance(key, str) else directory.users[key]
    for record in records.people:
        key = plan.person_of[id(record)]
        user_for[id(record)] = new_users[key] if isinstance(key, str) else directory.users[key]
    return user_for


def _write_links(
    records: Records,
    directory: _Directory,
    unit_for: dict[int, Unit],
    user_for: dict[int, User],
    counts: ImportCounts,
) -> None:
    """Liaisons of units, and affiliations (回避): added or updated, never removed by an import."""
    new_liaisons = [
        UnitLiaison(unit=unit_for[id(record)], user=user_for[id(record)])
        for record in records.units
        if id(record) in user_for and user_for[id(record)].pk not in directory.liaison_unit
    ]
    UnitLiaison.objects.bulk_create(new_liaisons, batch_size=BATCH_SIZE)
    counts.liaisons_created = len(new_liaisons)

    units_by_name: dict[str, Unit] = {}
    for record in records.units:
        unit = unit_for[id(record)]
        for name in [record.name, *record.aliases]:
            units_by_name[name] = unit
    new_affiliations: dict[tuple[int, int], Affiliation] = {}
    changed: list[Affiliation] = []
    for record in records.people:
        user = user_for[id(record)]
        for name in record.units:
            unit = units_by_name.get(name)
            if unit is None:
                unit = directory.units[next(iter(directory.unit_ids_for([name])))]
            existing = directory.affiliations.get((user.pk, unit.pk))
            if existing is None:
                new_affiliations.setdefault(
                    (user.pk, unit.pk),
                    Affiliation(
                        user=user,
                        unit=unit,
                        kind=record.affiliation_kind,
                        detail=record.affiliation_detail,
                    ),
                )
                continue
            fields: set[str] = set()
            _set(existing, fields, "kind", record.affiliation_kind)
            _set(existing, fields, "detail", record.affiliation_detail)
            if fields:
                changed.append(existing)
    Affiliation.objects.bulk_create(new_affiliations.values(), batch_size=BATCH_SIZE)
    if changed:
        Affiliation.objects.bulk_update(changed, ["kind", "detail"], batch_size=BATCH_SIZE)
    counts.affiliations_created = len(new_affiliations)
    counts.affiliations_updated = len(changed)


def units_import(*, data: bytes, filename: str, actor: User | None = None) -> ImportCounts:
    """Import units, liaisons and people from an .xlsx or .csv file, all or nothing.

    Every row is checked first and every problem reported at once (ImportRejected). A unit is
    found by its name or an alias, a person by username or e-mail: importing again updates.
    An empty cell leaves what is recorded. `actor` is None when an operator runs the command.
    """
    if actor is not None and not actor.has_perm("inspections.import_units"):
        raise PermissionDenied()
    with transaction.atomic():
        # Checked inside the transaction, so what was checked is what is written.
        records, directory, plan = _validate(data, filename)
        counts = ImportCounts(rows=len(records.units) + len(records.people))
        unit_for = _write_units(records, directory, plan, counts)
        user_for = _write_users(records, directory, plan, counts)
        _write_links(records, directory, unit_for, user_for, counts)
        # No row stands for "the list of units"; the entry is filed under the Unit model itself.
        audit_record(
            subject=ContentType.objects.get_for_model(Unit),
            actor=actor,
            action="import_units",
            note=filename,
            data={"sha256": hashlib.sha256(data).hexdigest(), **asdict(counts)},
        )
    return counts
