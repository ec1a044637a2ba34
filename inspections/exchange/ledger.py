"""The rectification ledger's rows, shared by the page and its .xlsx and .csv files.

One function turns items into rows, so the page and the files cannot disagree about a column.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from inspections.models import ItemState, RectificationItem
from workflows.models import Colour

# The usual ledger columns (序号, 单位, 问题, 整改措施, 责任人, 时限, 进展, 状态) and the colour.
COLUMNS = (
    ("sequence", _("No."), 6),
    ("unit", _("Unit"), 24),
    ("problem", _("Problem"), 40),
    ("measure", _("Measure"), 40),
    ("responsible", _("Responsible person"), 12),
    ("due_on", _("Due on"), 12),
    ("progress", _("Progress"), 40),
    ("state", _("State"), 14),
    ("colour", _("Colour"), 12),
)

# Pale fills that keep black text readable, as office ledgers mark yellow and red rows.
FILLS = {
    Colour.YELLOW: PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC"),
    Colour.RED: PatternFill("solid", start_color="F8CBAD", end_color="F8CBAD"),
}
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
# Excel refuses sheet titles longer than 31 characters or with any of these.
SHEET_TITLE_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class LedgerRow:
    """One item as the ledger shows it."""

    sequence: int
    pk: int
    inspection_id: int
    number: int
    unit: str
    round: str
    team: str
    problem: str
    measure: str
    responsible: str
    due_on: datetime.date | None
    progress: str
    state: str
    state_label: str
    colour: str
    days_left: int | None
    is_immediate: bool

    @property
    def colour_label(self) -> str:
        return str(Colour(self.colour).label) if self.colour else ""

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    def cell(self, key: str):
        if key == "state":
            return self.state_label
        if key == "colour":
            return self.colour_label
        return getattr(self, key)


def ledger_rows(
    items: Iterable[RectificationItem], *, start: int = 1, today: datetime.date | None = None
) -> Iterator[LedgerRow]:
    """Rows from items annotated by `selectors.ledger.ledger_items`, numbered from `start`."""
    today = today or timezone.localdate()
    for sequence, item in enumerate(items, start=start):
        due_on = item.effective_due_on
        inspection = item.inspection
        yield LedgerRow(
            sequence=sequence,
            pk=item.pk,
            inspection_id=item.inspection_id,
            number=item.number,
            unit=inspection.unit.name,
            round=str(inspection.round),
            team=str(inspection.team) if inspection.team_id else "",
            problem=item.problem,
            measure=item.measure,
            responsible=item.responsible_person,
            due_on=due_on,
            progress=item.progress,
            state=item.state,
            state_label=str(ItemState(item.state).label),
            colour=item.colour,
            # Days are counted only while an obligation is live; a signed-off item has none.
            days_left=(due_on - today).days if item.colour and due_on else None,
            is_immediate=item.is_immediate,
        )


def _headers() -> list[str]:
    return [str(label) for _key, label, _width in COLUMNS]


def _sheet(book: Workbook, title: str, rows: Iterable[LedgerRow], *, first: bool):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, (_key, _label, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # The header stays in view however far down the office scrolls.
    sheet.freeze_panes = "A2"
    wrap = Alignment(vertical="top", wrap_text=True)
    for sequence, row in enumerate(rows, start=1):
        # Each sheet numbers its rows from 1, as a printed ledger does.
        values = [sequence if key == "sequence" else row.cell(key) for key, _l, _w in COLUMNS]
        sheet.append(values)
        fill = FILLS.get(row.colour)
        for cell in sheet[sheet.max_row]:
            # openpyxl stores text starting with "=" as a formula; a unit's words stay words.
            if cell.data_type == "f":
                cell.data_type = "s"
            cell.alignment = wrap
            if fill is not None:
                cell.fill = fill
        sheet.cell(row=sheet.max_row, column=6).number_format = "yyyy-mm-dd"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _sheet_title(name: str, taken: set[str]) -> str:
    title = name.translate(SHEET_TITLE_FORBIDDEN)[:31] or "-"
    candidate, n = title, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def ledger_xlsx(rows: Iterable[LedgerRow], *, sheet_per_unit: bool = False) -> bytes:
    """The ledger as an Excel workbook: frozen header, yellow and red rows filled."""
    book = Workbook()
    rows = list(rows)
    if not sheet_per_unit:
        _sheet(book, gettext("Rectification ledger")[:31], rows, first=True)
    else:
        by_unit: dict[str, list[LedgerRow]] = {}
        for row in rows:
            by_unit.setdefault(row.unit, []).append(row)
        taken: set[str] = set()
        if not by_unit:
            _sheet(book, gettext("Rectification ledger")[:31], [], first=True)
        for index, (unit, unit_rows) in enumerate(by_unit.items()):
            _sheet(book, _sheet_title(unit, taken), unit_rows, first=index == 0)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def ledger_csv(rows: Iterable[LedgerRow]) -> bytes:
    """The ledger as CSV in UTF-8 with a byte-order mark, which Excel needs to read Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers())
    for row in rows:
        writer.writerow(
            [
                row.due_on.isoformat()
                if key == "due_on" and row.due_on
                else _csv_text(row.cell(key))
                for key, _label, _width in COLUMNS
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
