"""Checking each row's cells on their own, before any database is asked: text, e-mails, kinds."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from inspections.exchange.columns import PEOPLE, UNITS, MappedTable
from inspections.exchange.problems import ImportProblem
from inspections.models import AffiliationKind, PartyOrganisationKind, Unit, User

# What people type in the party-organisation column, and the kind each stands for.
PARTY_ORGANISATION_WORDS = {
    "党委": PartyOrganisationKind.PARTY_COMMITTEE,
    "党组": PartyOrganisationKind.LEADING_PARTY_GROUP,
    "党组(党委)": PartyOrganisationKind.LEADING_PARTY_GROUP,
    "党工委": PartyOrganisationKind.WORKING_COMMITTEE,
    "机关党委": PartyOrganisationKind.ORGAN_COMMITTEE,
    "党支部": PartyOrganisationKind.BRANCH,
    "党总支": PartyOrganisationKind.BRANCH,
    "党组织": PartyOrganisationKind.UNSPECIFIED,
    **{value.replace("_", " "): value for value in PartyOrganisationKind.values},
}
AFFILIATION_WORDS = {
    "曾任职": AffiliationKind.PAST_POST,
    "任职": AffiliationKind.PAST_POST,
    "曾在该单位任职": AffiliationKind.PAST_POST,
    "亲属任职": AffiliationKind.RELATIVE,
    "亲属": AffiliationKind.RELATIVE,
    "近亲属任职": AffiliationKind.RELATIVE,
    "其他": AffiliationKind.OTHER,
    "其它": AffiliationKind.OTHER,
    "held a post there": AffiliationKind.PAST_POST,
    "a relative works there": AffiliationKind.RELATIVE,
    **{value.replace("_", " "): value for value in AffiliationKind.values},
}
# Names are listed with 、 as written Chinese does; ；and ; are taken too.
LIST_SEPARATORS = re.compile(r"[、;；\n]+")
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"}
PHONE = re.compile(r"^[0-9０-９+()（）\-\s,，/转extEXT.]+$")

UNIT_NAME_LENGTH = Unit._meta.get_field("name").max_length
CATEGORY_LENGTH = Unit._meta.get_field("category").max_length
PERSON_NAME_LENGTH = User._meta.get_field("display_name").max_length
PHONE_LENGTH = User._meta.get_field("phone").max_length
USERNAME_LENGTH = User._meta.get_field("username").max_length
EMAIL_LENGTH = User._meta.get_field("email").max_length
DETAIL_LENGTH = 200

_username_validator = UnicodeUsernameValidator()


@dataclass
class UnitRecord:
    row: int
    name: str
    aliases: list[str]
    party_organisation: str | None
    category: str
    liaison_name: str
    liaison_email: str
    liaison_phone: str


@dataclass
class PersonRecord:
    row: int
    username: str
    name: str
    email: str
    phone: str
    units: list[str]
    affiliation_kind: str
    affiliation_detail: str


@dataclass
class Records:
    units: list[UnitRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    # Where each record came from, for the problems the database checks find later.
    unit_tables: dict[int, MappedTable] = field(default_factory=dict)
    person_tables: dict[int, MappedTable] = field(default_factory=dict)


class _Row:
    """One row's cells by column key, collecting the problems of its cells."""

    def __init__(self, mapped: MappedTable, number: int, cells: list[Any], problems: list) -> None:
        self.mapped, self.number, self.problems = mapped, number, problems
        self.values = {
            column.key: cells[index] if index < len(cells) else None
            for index, column in mapped.columns.items()
        }

    def problem(self, key: str, message: str) -> None:
        self.problems.append(
            ImportProblem(
                message,
                sheet=self.mapped.table.name,
                row=self.number,
                column=self.mapped.label(key),
            )
        )

    def text(self, key: str, *, max_length: int, required: bool = False) -> str:
        value = self.values.get(key)
        if isinstance(value, bool | datetime.date | datetime.time):
            self.problem(key, _("Expected text, found %(value)s.") % {"value": value})
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number Excel stored as a number: 13800000000.0
        text = "" if value is None else str(value).strip()
        if text in EXCEL_ERRORS:
            self.problem(
                key, _("The cell holds the spreadsheet error %(error)s.") % {"error": text}
            )
            return ""
        if required and not text:
            self.problem(key, _("This cell must not be empty."))
        elif len(text) > max_length:
            self.problem(
                key,
                _("At most %(limit)d characters (it has %(count)d).")
                % {"limit": max_length, "count": len(text)},
            )
            return ""
        return text

    def names(self, key: str, *, max_length: int) -> list[str]:
        text = self.text(key, max_length=10_000)
        names = []
        for name in LIST_SEPARATORS.split(text):
            name = name.strip()
            if not name or name in names:
                continue
            if len(name) > max_length:
                self.problem(
                    key,
                    _("A name may have at most %(limit)d characters: %(name)s")
                    % {"limit": max_length, "name": name},
                )
                continue
            names.append(name)
        return names

    def email(self, key: str) -> str:
        text = self.text(key, max_length=EMAIL_LENGTH).lower()
        if text:
            try:
                validate_email(text)
            except ValidationError:
                self.problem(key, _("%(value)s is not an e-mail address.") % {"value": text})
                return ""
        return text

    def phone(self, key: str) -> str:
        text = self.text(key, max_length=PHONE_LENGTH)
        if text and not (PHONE.match(text) and any(c.isdigit() for c in text)):
            self.problem(key, _("%(value)s is not a phone number.") % {"value": text})
            return ""
        return text

    def word(self, key: str, words: dict[str, str], *, accepted: str) -> str | None:
        text = self.text(key, max_length=100)
        if not text:
            return None
        found = words.get(text.replace("（", "(").replace("）", ")").lower().replace("_", " "))
        if found is None:
            self.problem(
                key,
                _("%(value)s is not one of: %(accepted)s.") % {"value": text, "accepted": accepted},
            )
        return found


def _unit_record(row: _Row) -> UnitRecord:
    name = row.text("name", max_length=UNIT_NAME_LENGTH, required=True)
    record = UnitRecord(
        row=row.number,
        name=name,
        aliases=[a for a in row.names("aliases", max_length=UNIT_NAME_LENGTH) if a != name],
        party_organisation=row.word(
            "party_organisation",
            PARTY_ORGANISATION_WORDS,
            accepted="党委、党组、党工委、机关党委、党支部、党总支、党组织",
        ),
        category=row.text("category", max_length=CATEGORY_LENGTH),
        liaison_name=row.text("liaison_name", max_length=PERSON_NAME_LENGTH),
        liaison_email=row.email("liaison_email"),
        liaison_phone=row.phone("liaison_phone"),
    )
    # An e-mail the row gives but that is invalid is reported already, as itself.
    if (record.liaison_name or record.liaison_phone) and not row.values.get("liaison_email"):
        row.problem(
            "liaison_email" if "liaison_email" in row.values else "liaison_name",
            _("A liaison needs an e-mail address: their account is found by it."),
        )
    return record


def _person_record(row: _Row) -> PersonRecord:
    username = row.text("username", max_length=USERNAME_LENGTH)
    if username:
        try:
            _username_validator(username)
        except ValidationError:
            row.problem(
                "username",
                _("%(value)s: a username may hold letters, digits and @ . + - _ only.")
                % {"value": username},
            )
    record = PersonRecord(
        row=row.number,
        username=username,
        name=row.text("name", max_length=PERSON_NAME_LENGTH, required=True),
        email=row.email("email"),
        phone=row.phone("phone"),
        units=row.names("affiliated_units", max_length=UNIT_NAME_LENGTH),
        affiliation_kind=row.word(
            "affiliation_kind", AFFILIATION_WORDS, accepted="曾任职、亲属任职、其他"
        )
        or AffiliationKind.PAST_POST,
        affiliation_detail=row.text("affiliation_detail", max_length=DETAIL_LENGTH),
    )
    if not record.username and not record.email and not row.values.get("email"):
        row.problem(
            "email" if "email" in row.values else "name",
            _("Give a username or an e-mail address: a person is found by one of them."),
        )
    return record


def parse_records(tables: list[MappedTable], problems: list[ImportProblem]) -> Records:
    """Every row's record, and the problems of every cell; nothing stops at the first problem."""
    records = Records()
    for mapped in tables:
        for number, cells in mapped.table.rows:
            row = _Row(mapped, number, cells, problems)
            if mapped.kind == UNITS:
                record = _unit_record(row)
                records.units.append(record)
                records.unit_tables[id(record)] = mapped
            elif mapped.kind == PEOPLE:
                record = _person_record(row)
                records.people.append(record)
                records.person_tables[id(record)] = mapped
    return records
