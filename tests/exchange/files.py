"""Real import files for the tests: workbooks and CSV text built the way Excel and WPS save them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

UNIT_HEADERS = ["单位名称", "简称", "党组织类型", "类别", "联络人", "邮箱", "电话"]
PERSON_HEADERS = ["用户名", "姓名", "邮箱", "电话", "回避单位", "回避类型", "回避说明"]


def xlsx(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook with one sheet per entry, rows as given (the first is the header)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[object]], *, encoding: str) -> bytes:
    """CSV text in `encoding` ("utf-8-sig" writes the BOM Excel writes)."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def many_units(count: int, *, people: int = 0) -> dict[str, list[list[object]]]:
    """`count` units, each with an alias and a liaison; `people` inspectors with affiliations."""
    units = [UNIT_HEADERS] + [
        [
            f"测试市第{n}局",
            f"第{n}局、市{n}局",
            "党组" if n % 2 else "党委",
            "市直机关",
            f"联络员{n}",
            f"liaison{n}@example.org",
            f"0571-{n:08d}",
        ]
        for n in range(count)
    ]
    sheets = {"单位": units}
    if people:
        sheets["人员"] = [PERSON_HEADERS] + [
            [
                f"inspector{n}",
                f"巡视干部{n}",
                f"inspector{n}@example.org",
                f"138{n:08d}",
                f"第{n % count}局",
                "曾任职",
                "",
            ]
            for n in range(people)
        ]
    return sheets
