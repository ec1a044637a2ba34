"""The import files' columns: their Chinese and English headers, and which table a sheet is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from inspections.exchange.problems import ImportProblem
from inspections.exchange.tables import Table

UNITS, PEOPLE = "units", "people"


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # the first is the template's Chinese header, the second its English
    required: bool = False
    help: str = ""

    @property
    def header(self) -> str:
        return self.headers[0]


UNIT_COLUMNS = (
    Column(
        "name",
        ("单位名称", "unit name", "unit", "名称", "单位"),
        required=True,
        help=gettext_lazy("The unit's official name; a unit is found by its name or an alias."),
    ),
    Column(
        "aliases",
        ("简称", "aliases", "alias", "别名", "其他名称"),
        help=gettext_lazy("Other names of the unit, separated by 、"),
    ),
    Column(
        "party_organisation",
        ("党组织类型", "party organisation", "party organization", "党组织"),
        help=gettext_lazy("党委, 党组, 党工委, 机关党委, 党支部 or 党组织"),
    ),
    Column("category", ("类别", "category", "分类"), help=gettext_lazy("Free text, e.g. 市直机关")),
    Column(
        "liaison_name",
        ("联络人", "liaison", "liaison name", "联络员"),
        help=gettext_lazy("The unit's liaison: receives the e-mails and answers for the unit."),
    ),
    Column(
        "liaison_email",
        ("邮箱", "e-mail", "email", "联络人邮箱", "电子邮箱", "liaison e-mail"),
        help=gettext_lazy("The liaison's e-mail: their account is found by it."),
    ),
    Column("liaison_phone", ("电话", "phone", "联络人电话", "联系电话", "telephone")),
)

PERSON_COLUMNS = (
    Column(
        "username",
        ("用户名", "username", "账号", "user name", "login"),
        help=gettext_lazy("Optional; the e-mail address when empty."),
    ),
    Column("name", ("姓名", "name", "full name"), required=True),
    Column(
        "email",
        ("邮箱", "e-mail", "email", "电子邮箱"),
        help=gettext_lazy("A person is found by username, else by e-mail."),
    ),
    Column("phone", ("电话", "phone", "联系电话", "telephone")),
    Column(
        "affiliated_units",
        ("回避单位", "affiliated units", "recusal units", "affiliations"),
        help=gettext_lazy(
            "Units this person may not inspect (回避), separated by 、; names or aliases."
        ),
    ),
    Column(
        "affiliation_kind",
        ("回避类型", "affiliation kind", "recusal kind"),
        help=gettext_lazy("曾任职 (held a post there), 亲属任职 (a relative works there) or 其他"),
    ),
    Column("affiliation_detail", ("回避说明", "affiliation detail", "detail", "说明")),
)

COLUMNS = {UNITS: UNIT_COLUMNS, PEOPLE: PERSON_COLUMNS}
# The template's sheet names; any name is accepted, the headers say what a sheet is.
SHEET_TITLES = {UNITS: "单位", PEOPLE: "人员"}


def normalise(header: str) -> str:
    """Case, spaces, hyphens, a required-marker star and full-width brackets do not matter."""
    text = header.strip().lower().replace("（", "(").replace("）", ")").rstrip("*＊")
    return re.sub(r"[\s_\-]+", "", text)


_LOOKUP = {
    table: {normalise(h): column for column in columns for h in column.headers}
    for table, columns in COLUMNS.items()
}


def column_label(index: int, header: str) -> str:
    return f"{get_column_letter(index + 1)} {header}".strip()


@dataclass
class MappedTable:
    """A table known to hold units or people, with each column index mapped to its key."""

    kind: str
    table: Table
    columns: dict[int, Column]

    def label(self, key: str) -> str:
        for index, column in self.columns.items():
            if column.key == key:
                return column_label(index, self.table.headers[index])
        return ""


def _kind_of(headers: list[str]) -> str | None:
    names = {normalise(h) for h in headers}
    if names & {normalise(h) for h in UNIT_COLUMNS[0].headers}:
        return UNITS
    if names & {normalise(h) for h in PERSON_COLUMNS[1].headers}:
        return PEOPLE
    return None


def map_table(table: Table, problems: list[ImportProblem]) -> MappedTable | None:
    """Which table this is and where its columns are; unknown or missing columns are problems."""
    kind = _kind_of(table.headers)
    if kind is None:
        problems.append(
            ImportProblem(
                _(
                    "Cannot tell what this sheet holds: a sheet of units needs the column "
                    "单位名称 (unit name), a sheet of people the column 姓名 (name)."
                ),
                sheet=table.name,
                row=table.header_row,
            )
        )
        return None
    lookup = _LOOKUP[kind]
    columns: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = lookup.get(normalise(header))
        where = {"sheet": table.name, "row": table.header_row}
        if column is None:
            problems.append(
                ImportProblem(
                    _("Unknown column %(header)s. The columns are: %(known)s.")
                    % {
                        "header": header,
                        "known": "、".join(c.header for c in COLUMNS[kind]),
                    },
                    column=column_label(index, header),
                    **where,
                )
            )
            continue
        if column.key in seen:
            problems.append(
                ImportProblem(
                    _("Column %(header)s appears twice (also column %(other)s).")
                    % {"header": header, "other": get_column_letter(seen[column.key] + 1)},
                    column=column_label(index, header),
                    **where,
                )
            )
            continue
        seen[column.key] = index
        columns[index] = column
    for column in COLUMNS[kind]:
        if column.required and column.key not in seen:
            problems.append(
                ImportProblem(
                    _("The column %(header)s is missing.") % {"header": column.header},
                    sheet=table.name,
                    row=table.header_row,
                )
            )
    return MappedTable(kind=kind, table=table, columns=columns)
