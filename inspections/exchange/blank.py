"""The blank import files the admin page offers: headers, notes on each column, drop-down lists."""

from __future__ import annotations

import csv
import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from inspections.exchange.columns import COLUMNS, PEOPLE, SHEET_TITLES, UNITS

# An example per column, in the header's note: an example row would be imported if left in.
EXAMPLES = {
    UNITS: [
        "市委组织部",
        "市公务员局",
        "党组",
        "市直机关",
        "张三",
        "zhangsan@example.org",
        "0571-87000000",
    ],
    PEOPLE: [
        "lisi",
        "李四",
        "lisi@example.org",
        "13800000000",
        "市科学技术局、市数据局",
        "曾任职",
        "2019—2022年任副局长",
    ],
}
CHOICES = {
    ("units", "party_organisation"): "党委,党组,党工委,机关党委,党支部,党总支,党组织",
    ("people", "affiliation_kind"): "曾任职,亲属任职,其他",
}


def template_xlsx() -> bytes:
    """Two sheets (单位, 人员) with the Chinese headers, each with a note and an example."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    with translation.override("zh-hans"):
        for kind in (UNITS, PEOPLE):
            sheet = workbook.create_sheet(SHEET_TITLES[kind])
            sheet.freeze_panes = "A2"
            for index, column in enumerate(COLUMNS[kind], start=1):
                cell = sheet.cell(row=1, column=index, value=column.header)
                cell.font, cell.fill = bold, fill
                example = EXAMPLES[kind][index - 1]
                note = " / ".join(filter(None, [column.headers[1], str(column.help)]))
                note += f"\n例 e.g.: {example}"
                if column.required:
                    note = "必填 / required. " + note
                cell.comment = Comment(note, "xunshi")
                sheet.column_dimensions[cell.column_letter].width = 22
                options = CHOICES.get((kind, column.key))
                if options:
                    validation = DataValidation(
                        type="list", formula1=f'"{options}"', allow_blank=True
                    )
                    sheet.add_data_validation(validation)
                    validation.add(f"{cell.column_letter}2:{cell.column_letter}50000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(kind: str) -> bytes:
    """One table's headers, UTF-8 with the BOM Excel needs to read it as UTF-8."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([column.header for column in COLUMNS[kind]])
    return text.getvalue().encode("utf-8-sig")
