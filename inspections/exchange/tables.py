"""Reading .xlsx and .csv files into plain tables of cells, whatever the encoding of the CSV."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from inspections.exchange.problems import ImportFileUnreadable, ImportProblem

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    """One sheet (or the one table of a CSV): its header cells and its non-empty rows."""

    name: str
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(name: str, rows: Any) -> Table:
    """Rows before the header are skipped; the first row with any value is the header."""
    table = Table(name=name)
    for number, cells in enumerate(rows, start=1):
        cells = list(cells)
        if all(_is_empty(cell) for cell in cells):
            continue
        if not table.header_row:
            table.header_row = number
            table.headers = ["" if cell is None else str(cell).strip() for cell in cells]
            continue
        table.rows.append((number, cells))
    return table


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM, else GB18030 (what Excel in a Chinese locale saves)."""
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ImportFileUnreadable(
            [
                ImportProblem(
                    _("The CSV file is neither UTF-8 nor GB18030 text. Save it again as CSV UTF-8.")
                )
            ]
        ) from error


def read_csv(data: bytes, name: str) -> list[Table]:
    text = decode_csv(data)
    if "\x00" in text:
        raise ImportFileUnreadable(
            [ImportProblem(_("The CSV file holds binary data; it is not a text table."))]
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [_table(PurePath(name).stem, csv.reader(io.StringIO(text, newline=""), dialect))]


def read_xlsx(data: bytes) -> list[Table]:
    try:
        # read_only streams rows (20,000 rows in a second or two); data_only reads the values
        # Excel computed, not the formulas.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ImportFileUnreadable(
            [
                ImportProblem(
                    _(
                        "The file is not an Excel workbook (.xlsx). Open it in Excel or WPS "
                        "and save it as .xlsx or as CSV."
                    )
                )
            ]
        ) from error
    try:
        return [
            _table(sheet.title, sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def read_tables(data: bytes, filename: str) -> list[Table]:
    """The file's tables, by its extension: .xlsx or .csv (.txt is taken as CSV)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(data)
    if suffix in (".csv", ".txt"):
        return read_csv(data, filename)
    if suffix in (".xls", ".et", ".numbers", ".ods"):
        message = _("%(suffix)s files are not read. Save the file as .xlsx or as CSV.") % {
            "suffix": suffix
        }
    else:
        message = _("Import a .xlsx or .csv file.")
    raise ImportFileUnreadable([ImportProblem(message)])
