"""What is wrong with an import file: each problem with its sheet, row and column, and one error for all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.errors import ApplicationError


@dataclass(frozen=True)
class ImportProblem:
    """One refusal; `row` and `column` as the spreadsheet shows them (row 2 is the first data row)."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # the column's letter and header, e.g. "C 邮箱"

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        return _(", ").join(parts)

    def __str__(self) -> str:
        where = self.where()
        if not where:
            return str(self.message)
        return _("%(where)s: %(message)s") % {"where": where, "message": self.message}


class ImportRejected(ApplicationError):
    """The file was not imported; `problems` lists every reason, nothing was written."""

    code = "import_invalid"
    default_message = gettext_lazy("Nothing was imported: the file has problems.")

    def __init__(self, problems: Sequence[ImportProblem], message: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(message, details=[str(problem) for problem in self.problems])


class ImportFileUnreadable(ImportRejected):
    """The file is not a spreadsheet the importer reads (not .xlsx, not a zip, not text)."""

    code = "import_unreadable"
    default_message = gettext_lazy("Nothing was imported: the file cannot be read.")
